import { csvFormat } from './csv-writer';
import { ndjsonFormat } from './ndjson-writer';
import type { ExportFormat } from './writer';
import { xlsxFormat } from './xlsx-writer';

export const EXPORT_FORMAT_NAMES = ['xlsx', 'csv', 'ndjson'] as const;
export type ExportFormatName = (typeof EXPORT_FORMAT_NAMES)[number];

export const EXPORT_FORMATS: Record<ExportFormatName, ExportFormat> = {
  xlsx: xlsxFormat,
  csv: csvFormat,
  ndjson: ndjsonFormat,
};
