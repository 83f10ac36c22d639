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
import { type StreamedEntry, ZipWriter } from './zip-writer';

export const SHEET_NAME = 'Audit Events';
/** Excel refuses longer cell text; longer values are cut there (CSV and NDJSON keep them whole). */
export const EXCEL_CELL_MAX_CHARS = 32_767;
/**
 * A sheet also ends before its XML could pass 4 GiB (no ZIP64): UTF-8 is at most 3 bytes per
 * UTF-16 unit, so this many characters stay below. Real rows reach Excel's row limit long before.
 */
const SHEET_MAX_CHARS = 1_300_000_000;
/** zlib level 1: level 6 took 30% more CPU for a file 15% smaller (docs/export.md). */
const DEFLATE_LEVEL = 1;

const COLUMN_LETTERS = EXPORT_COLUMNS.map((_, i) => String.fromCharCode(65 + i));

// Characters XML cannot carry as text: markup, CR (which XML would turn into LF) and the control
// characters XML 1.0 forbids, which Excel reads back from its _xHHHH_ notation. A literal
// "_xHHHH_" in the data gets its underscore escaped so Excel shows it as written.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to escape
const NEEDS_ESCAPE = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_/;
const ESCAPES = new RegExp(NEEDS_ESCAPE.source, 'g');

function escapeMatch(match: string): string {
  switch (match) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '\r':
      return '&#13;';
  }
  if (match.length > 1) return `_x005F_${match.slice(1)}`;
  return `_x${match.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`;
}

const escapeText = (text: string) => (NEEDS_ESCAPE.test(text) ? text.replace(ESCAPES, escapeMatch) : text);

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
const PLAIN_ESCAPES = /[&<>\r]/g;
const escapePlain = (text: string) => text.replace(PLAIN_ESCAPES, escapeMatch);

/**
 * A cell of text; empty text is no cell. Normally an inline string (no shared-strings table to
 * hold in memory). A text with a carriage return is written as a string value (t="str", as
 * exceljs and SheetJS write every string without a shared-strings table) instead: LibreOffice
 * turns an inline string holding CR LF into paragraphs and gives back LF alone, however the CR is
 * written (&#13;, _x000D_, separate runs), but keeps a string value's CR (issue 11.6, measured
 * with LibreOffice, docs/export.md). A string value cannot use the _xHHHH_ notation, so the rare
 * text with a character that needs it stays an inline string.
 */
function textCell(ref: string, text: string, style: string): string {
  if (text === '') return '';
  const fitted = fitCell(text);
  const preserve =
    fitted.charCodeAt(0) <= 32 || fitted.charCodeAt(fitted.length - 1) <= 32 ? ' xml:space="preserve"' : '';
  if (fitted.includes('\r') && !NOT_PLAIN_XML.test(fitted)) {
    return `<c r="${ref}"${style} t="str"><v${preserve}>${escapePlain(fitted)}</v></c>`;
  }
  return `<c r="${ref}"${style} t="inlineStr"><is><t${preserve}>${escapeText(fitted)}</t></is></c>`;
}

function rowXml(rowNumber: number, cells: readonly ExportCell[], style = ''): string {
  let xml = `<row r="${rowNumber}">`;
  for (let i = 0; i < cells.length; i++) {
    const value = cells[i] as ExportCell;
    const ref = `${COLUMN_LETTERS[i]}${rowNumber}`;
    xml += typeof value === 'number' ? `<c r="${ref}"${style}><v>${value}</v></c>` : textCell(ref, value, style);
  }
  return `${xml}</row>`;
}

const HEADER_ROW = rowXml(
  1,
  EXPORT_COLUMNS.map((c) => c.header),
  ` s="${HEADER_STYLE}"`,
);

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
    const sheetNames: string[] = [];
    let sheet: StreamedEntry;
    let rowsInSheet = 0;
    let sheetChars = 0;

    const startSheet = () => {
      sheetNames.push(sheetNames.length === 0 ? SHEET_NAME : `${SHEET_NAME} ${sheetNames.length + 1}`);
      sheet = zip.beginEntry(sheetPath(sheetNames.length));
      sheet.write(SHEET_START + HEADER_ROW);
      rowsInSheet = 0;
      sheetChars = 0;
    };
    startSheet();

    return {
      write(rows: readonly EventRow[]) {
        let xml = '';
        let chars = 0;
        for (const row of rows) {
          const cells = toExportCells(row);
          let next = rowXml(rowsInSheet + 2, cells);
          if (rowsInSheet >= options.rowsPerSheet || sheetChars + next.length > SHEET_MAX_CHARS) {
            sheet.write(xml + SHEET_END);
            sheet.end();
            xml = '';
            startSheet();
            next = rowXml(2, cells);
          }
          xml += next;
          chars += next.length;
          rowsInSheet += 1;
          sheetChars += next.length;
        }
        sheet.write(xml);
        return chars;
      },
      end() {
        sheet.write(SHEET_END);
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
