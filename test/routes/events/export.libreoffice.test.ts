import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, event, get, postJson, uniqueCompanyId } from '../../helpers/app';
import { EXPORT_HEADER } from '../../helpers/xlsx';

// Issue 11.6: an xlsx export opened in LibreOffice (the real reader, headless, through
// test/helpers/libreoffice-converter.mjs) shows every cell exactly as the NDJSON export of the
// same filter says it is: carriage returns, emoji, RTL marks, 9,000-character messages and text a
// spreadsheet would run as a formula included.

const CONVERTER = env.TEST_LIBREOFFICE_URL;
const SKIP_REASON =
  'LibreOffice is not installed (apt-get install libreoffice-calc-nogui); CI installs it, so this runs there';

const NINE_THOUSAND = Array.from({ length: 9000 }, (_, i) => 'abcdefghij\r\n'[i % 12]).join('');

const MESSAGES = [
  'line one\r\nline two\r\nline three',
  'ends with CRLF\r\n',
  '\r\nstarts with CRLF',
  'a lone\rcarriage return',
  'blank line between\r\n\r\nparagraphs',
  'emoji 😀 👍🏽 🏳️‍🌈 and 𝄞',
  '\u200fשלום עולם\u200f with RTL marks \u202eevil\u202c',
  '=HYPERLINK("http://example.com","click")',
  '+1+1',
  '-2+3',
  '@SUM(A1)',
  '\t=tab first',
  '  leading and trailing spaces  ',
  'markup <b>&amp;</b> & "quotes"',
  'a literal _x000D_ and _x0041_ in the text',
  'CR and the literal _x000D_\r\ntogether',
  NINE_THOUSAND,
  `${'x'.repeat(8990)}\r\n end`,
];

/** An NDJSON event as the row the workbook must hold, every cell as LibreOffice's CSV gives it. */
function expectedRow(e: Record<string, unknown>): string[] {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return [
    text(e.Id),
    text(e.EventTimestamp),
    text(e.Functionality),
    text(e.EventType),
    text(e.StoreName),
    text(e.CompanyName),
    text(e.UserName),
    text(e.Message),
    text(e.Status),
    e.AdditionalData === null ? '' : JSON.stringify(e.AdditionalData),
  ];
}

describe('xlsx export read back by LibreOffice', () => {
  const company = uniqueCompanyId();

  beforeAll(async () => {
    if (!CONVERTER) return;
    const events = MESSAGES.map((message, i) =>
      event({
        company_id: company,
        message,
        user: i % 3 === 0 ? 'ünïcødé 😀' : i % 3 === 1 ? '=cmd' : null,
        additional_data: i % 2 === 0 ? { note: message.slice(0, 50), rtl: '\u200fא', n: i } : null,
        event_timestamp: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
      }),
    );
    const response = await postJson(`${BASE}/batch`, { events });
    expect(response.status, await response.clone().text()).toBe(201);
  });

  it('every cell equals the NDJSON export of the same filter', { timeout: 600_000 }, async (ctx) => {
    if (!CONVERTER) return ctx.skip(SKIP_REASON);
    const filter = `company_id=${company}`;
    const ndjson = await get(`${BASE}/export?${filter}&format=ndjson`);
    expect(ndjson.status).toBe(200);
    const events = (await ndjson.text())
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toHaveLength(MESSAGES.length);

    const xlsx = await get(`${BASE}/export?${filter}`);
    expect(xlsx.status).toBe(200);
    const converted = await fetch(CONVERTER, { method: 'POST', body: await xlsx.arrayBuffer() });
    expect(converted.status, await converted.clone().text()).toBe(200);
    const { rows } = (await converted.json()) as { rows: string[][] };

    expect(rows[0]).toEqual(EXPORT_HEADER);
    expect(rows).toHaveLength(events.length + 1);
    for (const [i, e] of events.entries()) {
      const row = rows[i + 1] ?? [];
      const expected = expectedRow(e);
      for (const [col, name] of EXPORT_HEADER.entries()) {
        // Compared cell by cell so a failure names the cell; JSON shows the CRs.
        expect(JSON.stringify(row[col] ?? ''), `row ${i + 2} ${name}`).toBe(JSON.stringify(expected[col]));
      }
    }
  });
});
