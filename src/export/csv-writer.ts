import type { EventRow } from '../db/queries/events';
import { EXPORT_COLUMNS, type ExportCell, toExportCells } from './columns';
import { guardFormula } from './formula-guard';
import type { ExportFormat } from './writer';

const encoder = new TextEncoder();
const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
const quoted = (text: string): string => (NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const rawField = (value: ExportCell): string => (typeof value === 'number' ? String(value) : quoted(value));
/** The default: text that a spreadsheet would run as a formula is written as text (formula-guard.ts). */
const guardedField = (value: ExportCell): string =>
  typeof value === 'number' ? String(value) : quoted(guardFormula(value));
const csvLine = (cells: readonly ExportCell[], field = guardedField) => `${cells.map(field).join(',')}\r\n`;

/** UTF-8 with a byte order mark (so Excel reads it as UTF-8), CRLF line ends, a header line. */
export const csvFormat: ExportFormat = {
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  open(sink, options) {
    const field = options.raw ? rawField : guardedField;
    sink(encoder.encode(`\uFEFF${csvLine(EXPORT_COLUMNS.map((c) => c.header))}`));
    return {
      write(rows: readonly EventRow[]) {
        let text = '';
        for (const row of rows) text += csvLine(toExportCells(row), field);
        sink(encoder.encode(text));
        return text.length;
      },
      end() {},
    };
  },
};
