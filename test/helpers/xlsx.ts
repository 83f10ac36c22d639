import { inflateRawSync } from 'node:zlib';
// An independent reader of what the export writes: exceljs (its own parser, not our writer's code).
import ExcelJS from 'exceljs';

/** The header row of every export (CONTRACT.md, Export), written out here, not taken from src/. */
export const EXPORT_HEADER = [
  'ID',
  'Event Timestamp',
  'Functionality',
  'Event Type',
  'Store Name',
  'Company Name',
  'User',
  'Message',
  'Status',
  'Additional Data',
];

/**
 * One deflated file of a ZIP archive as text, found through the central directory (the writer
 * streams entries, so their local headers hold no sizes). For looking at the XML as written.
 */
export function zipEntryText(zip: Uint8Array, name: string): string {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.byteLength - 22;
  while (view.getUint32(end, true) !== 0x06054b50) end--;
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  for (let i = 0; i < view.getUint16(end + 10, true); i++) {
    const nameLength = view.getUint16(at + 28, true);
    const entryName = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    if (entryName === name) {
      const local = view.getUint32(at + 42, true);
      const compressed = view.getUint32(at + 20, true);
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      return decoder.decode(inflateRawSync(zip.subarray(start, start + compressed)));
    }
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  throw new Error(`${name} not in the archive`);
}

/** The workbook as exceljs reads it. */
export async function readWorkbook(bytes: ArrayBuffer | Uint8Array): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  const buffer = bytes instanceof Uint8Array ? bytes.slice().buffer : bytes;
  await workbook.xlsx.load(buffer);
  return workbook;
}

/** A sheet's rows as plain values, '' for an empty cell (row 1 is the header). */
export function sheetValues(sheet: ExcelJS.Worksheet | undefined, width = EXPORT_HEADER.length): unknown[][] {
  const rows: unknown[][] = [];
  sheet?.eachRow({ includeEmpty: true }, (row) => {
    rows.push(Array.from({ length: width }, (_, i) => row.getCell(i + 1).value ?? ''));
  });
  return rows;
}
