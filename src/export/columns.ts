import type { EventRow } from '../db/queries/events';
import { centralTimesOf } from '../lib/central-hour-format';

/** One cell value of an exported row: the ID is a number, everything else text (empty for null). */
export type ExportCell = number | string;

export interface ExportColumn {
  header: string;
  /** Excel column width in characters; fixed so nothing has to scan the rows first. */
  width: number;
}

/** The old workbook's ten columns, in order (the old service's workbook: README, Export). */
export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  { header: 'ID', width: 12 },
  { header: 'Event Timestamp', width: 20 },
  { header: 'Functionality', width: 22 },
  { header: 'Event Type', width: 30 },
  { header: 'Store Name', width: 24 },
  { header: 'Company Name', width: 28 },
  { header: 'User', width: 20 },
  { header: 'Message', width: 60 },
  { header: 'Status', width: 10 },
  { header: 'Additional Data', width: 60 },
];

/** A row's cells in EXPORT_COLUMNS order: Central Time display timestamp, JSON text of additional data. */
export function toExportCells(row: EventRow): ExportCell[] {
  return [
    row.id,
    centralTimesOf(row.eventTimestamp).display,
    row.functionality,
    row.eventType,
    row.storeName ?? '',
    row.companyName ?? '',
    row.username ?? '',
    row.message,
    row.status,
    row.additionalData == null ? '' : JSON.stringify(row.additionalData),
  ];
}
