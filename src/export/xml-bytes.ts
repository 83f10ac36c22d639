/**
 * UTF-8 bytes of a worksheet's XML, written straight into one reused buffer. Building the XML
 * as strings and encoding it (TextEncoder) cost the export most of its CPU: every `+=` makes a
 * rope node, the encoder flattens the rope, and the garbage collector then clears ~80 objects
 * per row; the escaping regex ran once per cell besides (issue 18, docs/export.md). Here markup
 * is copied character by character and each text is escaped and encoded in one pass.
 */

// Text that XML cannot carry as itself (the writer's rules, xlsx-writer.ts textCell): markup,
// CR, the control characters XML 1.0 forbids, U+FFFE/U+FFFF, and a literal _xHHHH_.
const AMP = '&amp;';
const LT = '&lt;';
const GT = '&gt;';
const CR = '&#13;';
const HEX = '0123456789ABCDEF';

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** A literal `_xHHHH_` at `i` (Excel would decode it, so its underscore is escaped). */
function isNotation(text: string, i: number): boolean {
  return (
    i + 6 < text.length &&
    text.charCodeAt(i + 1) === 120 &&
    isHex(text.charCodeAt(i + 2)) &&
    isHex(text.charCodeAt(i + 3)) &&
    isHex(text.charCodeAt(i + 4)) &&
    isHex(text.charCodeAt(i + 5)) &&
    text.charCodeAt(i + 6) === 95
  );
}

export class XmlBytes {
  private buffer: Uint8Array;
  /** Bytes written since the last take(). */
  length = 0;

  constructor(initialBytes = 1 << 20) {
    this.buffer = new Uint8Array(initialBytes);
  }

  /** Room for `bytes` more; the buffer doubles (and stays that size for the next batches). */
  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buffer.subarray(0, this.length));
    this.buffer = bigger;
  }

  /** Markup or digits: text known to be ASCII with nothing to escape. */
  ascii(text: string): void {
    this.reserve(text.length);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /**
   * Text content, escaped and UTF-8 encoded. `notation`: the inline string's rules (control
   * characters, U+FFFE/U+FFFF and a literal _xHHHH_ in Excel's _xHHHH_ notation); without it
   * a string value's (only &, <, > and CR escaped: the caller rules out the rest).
   * A lone surrogate becomes U+FFFD, as TextEncoder writes it.
   */
  text(text: string, notation: boolean): void {
    // At most 3 bytes per UTF-16 unit, or 7 for an escape (_xHHHH_).
    this.reserve(text.length * 7);
    const buffer = this.buffer;
    let at = this.length;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x3f) {
          // ?..DEL: only the underscore can need an escape.
          if (c === 95 && notation && isNotation(text, i)) {
            // The underscore escaped, the rest as is; the match's last underscore starts no
            // other match (as a global regex replace would not).
            at = this.put(at, '_x005F_');
            for (let k = 1; k <= 6; k++) buffer[at++] = text.charCodeAt(i + k);
            i += 6;
            continue;
          }
          buffer[at++] = c;
        } else if (c >= 0x20) {
          if (c === 38) at = this.put(at, AMP);
          else if (c === 60) at = this.put(at, LT);
          else if (c === 62) at = this.put(at, GT);
          else buffer[at++] = c;
        } else if (c === 9 || c === 10) {
          buffer[at++] = c;
        } else if (c === 13) {
          at = this.put(at, CR);
        } else {
          at = this.put(at, notationOf(c));
        }
      } else if (c < 0x800) {
        buffer[at++] = 0xc0 | (c >> 6);
        buffer[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const low = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
          const point = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          buffer[at++] = 0xf0 | (point >> 18);
          buffer[at++] = 0x80 | ((point >> 12) & 0x3f);
          buffer[at++] = 0x80 | ((point >> 6) & 0x3f);
          buffer[at++] = 0x80 | (point & 0x3f);
          i++;
        } else {
          buffer[at++] = 0xef;
          buffer[at++] = 0xbf;
          buffer[at++] = 0xbd;
        }
      } else if (c >= 0xfffe && notation) {
        at = this.put(at, notationOf(c));
      } else {
        buffer[at++] = 0xe0 | (c >> 12);
        buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
        buffer[at++] = 0x80 | (c & 0x3f);
      }
    }
    this.length = at;
  }

  /** The bytes written since the last take(), valid until the next write. */
  take(): Uint8Array {
    const bytes = this.buffer.subarray(0, this.length);
    this.length = 0;
    return bytes;
  }

  /** Forgets what was written after `length` bytes (a row that goes on the next sheet). */
  truncate(length: number): void {
    this.length = length;
  }

  private put(at: number, ascii: string): number {
    const buffer = this.buffer;
    for (let i = 0; i < ascii.length; i++) buffer[at++] = ascii.charCodeAt(i);
    return at;
  }
}

/** Excel's notation of a character XML cannot carry: `_x0007_`, `_xFFFE_`. */
function notationOf(c: number): string {
  return `_x${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}_`;
}
