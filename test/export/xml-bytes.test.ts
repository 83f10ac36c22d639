import { describe, expect, it } from 'vitest';
import { XmlBytes } from '../../src/export/xml-bytes';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters only the notation can carry
const NOTATION_ONLY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
// The escaping the xlsx writer did with strings, regexes and TextEncoder before XmlBytes: the
// bytes must stay the same for every text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to escape
const NOTATION = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_/g;
const PLAIN = /[&<>\r]/g;
function escapeMatch(match: string): string {
  if (match === '&') return '&amp;';
  if (match === '<') return '&lt;';
  if (match === '>') return '&gt;';
  if (match === '\r') return '&#13;';
  if (match.length > 1) return `_x005F_${match.slice(1)}`;
  return `_x${match.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`;
}
const reference = (text: string, notation: boolean) =>
  new TextEncoder().encode(text.replace(notation ? NOTATION : PLAIN, escapeMatch));

function written(text: string, notation: boolean): Uint8Array {
  const out = new XmlBytes(16);
  out.text(text, notation);
  return out.take().slice();
}

const TEXTS = [
  '',
  'plain ascii text 0123456789 ?@[]^_`{|}~',
  'a & b <c> "d" \'e\'',
  'bell\u0007 vt\u000b ff\u000c nul\u0000 esc\u001b tab\t lf\n cr\r end',
  'literal _x0041_ and _X0041_ and _x004_ and _x00G1_ and _x0041',
  '_x0041_x0042_ overlapping',
  '__x0041_',
  'é ü ß € 中文 ﷽',
  'emoji 😀 pair 👩‍👩‍👧',
  'lone high \ud83d then text, lone low \ude00 here, high at end \ud83d',
  'noncharacters \ufffe \uffff and \ufffd',
  '\u007f\u0080\u07ff\u0800\uffff',
];

describe('XmlBytes: escaped UTF-8 in one pass', () => {
  it('writes the bytes the regex escape and TextEncoder wrote, for inline strings and string values', () => {
    for (const text of TEXTS) {
      expect(written(text, true), JSON.stringify(text)).toEqual(reference(text, true));
      // String values: the writer sends none of the notation's characters here.
      if (!NOTATION_ONLY.test(text)) {
        expect(written(text, false), JSON.stringify(text)).toEqual(reference(text, false));
      }
    }
  });

  it('grows past its first buffer and keeps what was written before', () => {
    const out = new XmlBytes(8);
    out.ascii('<t>');
    const long = 'x€'.repeat(10_000);
    out.text(long, true);
    out.ascii('</t>');
    expect(new TextDecoder().decode(out.take())).toBe(`<t>${long}</t>`);
    expect(out.length).toBe(0);
  });

  it('truncate forgets the bytes after a mark', () => {
    const out = new XmlBytes();
    out.ascii('kept');
    const mark = out.length;
    out.text('dropped', true);
    out.truncate(mark);
    out.ascii('!');
    expect(new TextDecoder().decode(out.take())).toBe('kept!');
  });
});
