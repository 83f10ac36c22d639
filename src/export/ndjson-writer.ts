import type { EventRow } from '../db/queries/events';
import { toEventObject } from '../lib/event-object';
import type { RowWithIntegrity } from './integrity-fields';
import type { ExportFormat } from './writer';

const encoder = new TextEncoder();

/** NDJSON with one line per row as `line` writes it. */
const ndjsonOf = (line: (row: EventRow) => unknown): ExportFormat => ({
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'ndjson',
  open(sink) {
    return {
      write(rows: readonly EventRow[]) {
        let text = '';
        for (const row of rows) text += `${JSON.stringify(line(row))}\n`;
        sink(encoder.encode(text));
        return text.length;
      },
      end() {},
    };
  },
});

/** One event object per line, the shape of search's `events` items. */
export const ndjsonFormat = ndjsonOf(toEventObject);

/**
 * integrity=true: the same object with `Integrity` last (rows from withIntegrityFields;
 * docs/integrity.md section 4). null for a row that vanished between the two reads.
 */
export const ndjsonIntegrityFormat = ndjsonOf((row) => ({
  ...toEventObject(row),
  Integrity: (row as RowWithIntegrity).integrity ?? null,
}));
