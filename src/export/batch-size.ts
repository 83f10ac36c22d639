/**
 * Rows per query, sized by how much text the previous rows made, so memory stays flat whatever
 * the rows hold: ordinary rows are read 5000 at a time, rows near the size limits (10,000-char
 * messages, 16 KB of additional data) a few hundred at a time.
 */
export const FIRST_BATCH_ROWS = 1000;
/**
 * The database also cuts a batch once its rows hold this many bytes of message and additional
 * data as text (uncompressed: octet_length, not the stored size, which for a compressible
 * 10,000-character message is ~100 bytes), so large rows never arrive 1000 or 5000 at a time,
 * from the first batch on (issue 13.8). Ordinary rows (~150 bytes) never reach it.
 */
export const MAX_BATCH_BYTES = 2_000_000;
export const MAX_BATCH_ROWS = 5000;
const MIN_BATCH_ROWS = 20;
/** Output characters one batch should make (about 8 MB as UTF-16); the rows read take about as much again. */
const BATCH_TARGET_CHARS = 4_000_000;

export class BatchSizer {
  rows = FIRST_BATCH_ROWS;

  /** A batch of `rows` rows was written as `chars` characters of output. */
  record(rows: number, chars: number): void {
    if (rows === 0) return;
    const perRow = Math.max(1, chars / rows);
    this.rows = Math.min(MAX_BATCH_ROWS, Math.max(MIN_BATCH_ROWS, Math.floor(BATCH_TARGET_CHARS / perRow)));
  }
}
