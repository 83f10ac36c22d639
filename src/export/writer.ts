import type { EventRow } from '../db/queries/events';

/** Where a writer puts its bytes, in order. */
export type ByteSink = (chunk: Uint8Array) => void;

export interface ExportOptions {
  /** Data rows per sheet before a workbook continues on the next sheet (Excel's limit by default). */
  rowsPerSheet: number;
  /**
   * CSV only: write text cells byte for byte. By default a cell that would start a formula in a
   * spreadsheet (=, +, -, @, tab, CR) is prefixed with an apostrophe (formula-guard.ts). xlsx
   * cells are inline strings, which spreadsheets never evaluate; NDJSON is not opened as a sheet.
   */
  raw?: boolean;
}

/** Turns batches of rows into the bytes of one file; opening it writes what comes before the rows. */
export interface ExportWriter {
  /** Writes one batch; returns how many characters of text it made (to size the next batch). */
  write(rows: readonly EventRow[]): number;
  /** Writes what comes after the last row; the file is complete only after this. */
  end(): void;
}

export interface ExportFormat {
  contentType: string;
  extension: string;
  open(sink: ByteSink, options: ExportOptions): ExportWriter;
}
