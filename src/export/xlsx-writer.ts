import type { EventRow } from '../db/queries/events';
import { EXPORT_COLUMNS, type ExportCell, toExportCells } from './columns';
import type { ExportFormat } from './writer';
import {
  contentTypesXml,
  HEADER_STYLE,
  ROOT_RELS_XML,
  SHEET_END,
  SHEET_START,
  STYLES_XML,
  sheetPath,
  workbookRelsXml,
  workbookXml,
} from './xlsx-parts';
import { XmlBytes } from './xml-bytes';
import { type StreamedEntry, ZipWriter } from './zip-writer';

export const SHEET_NAME = 'Audit Events';
/** Excel refuses longer cell text; longer values are cut there (CSV and NDJSON keep them whole). */
export const EXCEL_CELL_MAX_CHARS = 32_767;
/**
 * A sheet also ends before its XML could pass 4 GiB (no ZIP64), with room for its end. Real rows
 * reach Excel's row limit long before.
 */
const SHEET_MAX_BYTES = 4_000_000_000;
/** zlib level 1: level 6 took 30% more CPU for a file 15% smaller (docs/export.md). */
const DEFLATE_LEVEL = 1;

// Each cell starts `<c r="` column letter, then the row's digits.
const CELL_OPEN = EXPORT_COLUMNS.map((_, i) => `<c r="${String.fromCharCode(65 + i)}`);

/** The rest of a cell's opening markup, after its reference, for one style (`` or ` s="1"`). */
interface CellMarkup {
  number: string;
  inline: string;
  inlinePreserve: string;
  value: string;
  valuePreserve: string;
}
const markupFor = (style: string): CellMarkup => ({
  number: `"${style}><v>`,
  inline: `"${style} t="inlineStr"><is><t>`,
  inlinePreserve: `"${style} t="inlineStr"><is><t xml:space="preserve">`,
  value: `"${style} t="str"><v>`,
  valuePreserve: `"${style} t="str"><v xml:space="preserve">`,
});
const DATA_CELL = markupFor('');
const HEADER_CELL = markupFor(` s="${HEADER_STYLE}"`);

function fitCell(text: string): string {
  if (text.length <= EXCEL_CELL_MAX_CHARS) return text;
  const cut = text.slice(0, EXCEL_CELL_MAX_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut; // never half a surrogate pair
}

// Text XML can carry as itself apart from markup: no control characters but tab, LF and CR,
// no U+FFFE/U+FFFF (those need the _xHHHH_ notation, which only inline strings decode; a string
// value's literal "_x000D_" text is kept as written by LibreOffice, so it needs no escape there).
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters that rule a cell out
const NOT_PLAIN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/**
 * A cell of text; empty text is no cell. Normally an inline string (no shared-strings table to
 * hold in memory), escaped by XmlBytes: markup as entities, CR as &#13;, the control characters
 * XML 1.0 forbids and U+FFFE/U+FFFF in Excel's _xHHHH_ notation, a literal "_xHHHH_" with its
 * underscore escaped so Excel shows it as written. A text with a carriage return is written as a
 * string value (t="str", as exceljs and SheetJS write every string without a shared-strings
 * table) instead: LibreOffice turns an inline string holding CR LF into paragraphs and gives back
 * LF alone, however the CR is written (&#13;, _x000D_, separate runs), but keeps a string
 * value's CR (issue 11.6, measured with LibreOffice, docs/export.md). A string value cannot use
 * the _xHHHH_ notation, so the rare text with a character that needs it stays an inline string.
 */
function writeTextCell(out: XmlBytes, column: number, row: string, text: string, markup: CellMarkup): void {
  if (text === '') return;
  const fitted = fitCell(text);
  const preserve = fitted.charCodeAt(0) <= 32 || fitted.charCodeAt(fitted.length - 1) <= 32;
  out.ascii(CELL_OPEN[column] as string);
  out.ascii(row);
  if (fitted.includes('\r') && !NOT_PLAIN_XML.test(fitted)) {
    out.ascii(preserve ? markup.valuePreserve : markup.value);
    out.text(fitted, false);
    out.ascii('</v></c>');
    return;
  }
  out.ascii(preserve ? markup.inlinePreserve : markup.inline);
  out.text(fitted, true);
  out.ascii('</t></is></c>');
}

function writeRow(out: XmlBytes, rowNumber: number, cells: readonly ExportCell[], markup = DATA_CELL): void {
  const row = String(rowNumber);
  out.ascii('<row r="');
  out.ascii(row);
  out.ascii('">');
  for (let i = 0; i < cells.length; i++) {
    const value = cells[i] as ExportCell;
    if (typeof value === 'number') {
      out.ascii(CELL_OPEN[i] as string);
      out.ascii(row);
      out.ascii(markup.number);
      out.ascii(String(value));
      out.ascii('</v></c>');
    } else {
      writeTextCell(out, i, row, value, markup);
    }
  }
  out.ascii('</row>');
}

const HEADERS = EXPORT_COLUMNS.map((c) => c.header);

/**
 * The workbook the old service made (sheet "Audit Events", bold header, ten columns), written
 * as it streams: each batch of rows becomes one deflated piece of the sheet's XML, and the parts
 * that depend on how many sheets there were (workbook, relationships, content types) come last.
 */
export const xlsxFormat: ExportFormat = {
  contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  extension: 'xlsx',
  open(sink, options) {
    const zip = new ZipWriter(sink, DEFLATE_LEVEL);
    zip.addFile('xl/styles.xml', STYLES_XML);
    // One buffer for the whole export: each batch's XML is written into it, deflated, forgotten.
    const out = new XmlBytes();
    const sheetNames: string[] = [];
    let sheet: StreamedEntry;
    let rowsInSheet = 0;
    let sheetBytes = 0;

    const startSheet = () => {
      sheetNames.push(sheetNames.length === 0 ? SHEET_NAME : `${SHEET_NAME} ${sheetNames.length + 1}`);
      sheet = zip.beginEntry(sheetPath(sheetNames.length));
      out.ascii(SHEET_START);
      writeRow(out, 1, HEADERS, HEADER_CELL);
      rowsInSheet = 0;
      sheetBytes = 0;
    };
    /** Ends the sheet with what is buffered for it; the next one's start goes in the buffer. */
    const nextSheet = () => {
      out.ascii(SHEET_END);
      sheet.write(out.take());
      sheet.end();
      startSheet();
    };
    startSheet();

    return {
      write(rows: readonly EventRow[]) {
        let bytes = 0;
        for (const row of rows) {
          const cells = toExportCells(row);
          if (rowsInSheet >= options.rowsPerSheet) nextSheet();
          let start = out.length;
          writeRow(out, rowsInSheet + 2, cells);
          if (sheetBytes + out.length - start > SHEET_MAX_BYTES && rowsInSheet > 0) {
            out.truncate(start);
            nextSheet();
            start = out.length;
            writeRow(out, 2, cells);
          }
          const size = out.length - start;
          bytes += size;
          rowsInSheet += 1;
          sheetBytes += size;
        }
        sheet.write(out.take());
        return bytes;
      },
      end() {
        out.ascii(SHEET_END);
        sheet.write(out.take());
        sheet.end();
        zip.addFile('xl/workbook.xml', workbookXml(sheetNames));
        zip.addFile('xl/_rels/workbook.xml.rels', workbookRelsXml(sheetNames.length));
        zip.addFile('[Content_Types].xml', contentTypesXml(sheetNames.length));
        zip.addFile('_rels/.rels', ROOT_RELS_XML);
        zip.finish();
      },
    };
  },
};
