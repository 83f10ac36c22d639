import type { EventRow } from '../db/queries/events';
import { EXPORT_COLUMNS, type ExportCell, toExportCells } from './columns';
import type { ExportFormat } from './writer';

const encoder = new TextEncoder();
const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
const csvField = (value: ExportCell): string => {
  if (typeof value === 'number') return String(value);
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
};
const csvLine = (cells: readonly ExportCell[]) => `${cells.map(csvField).join(',')}\r\n`;

/** UTF-8 with a byte order mark (so Excel reads it as UTF-8), CRLF line ends, a header line. */
export const csvFormat: ExportFormat = {
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  open(sink) {
    sink(encoder.encode(`\uFEFF${csvLine(EXPORT_COLUMNS.map((c) => c.header))}`));
    return {
      write(rows: readonly EventRow[]) {
        let text = '';
        for (const row of rows) text += csvLine(toExportCells(row));
        sink(encoder.encode(text));
        return text.length;
      },
      end() {},
    };
  },
};
