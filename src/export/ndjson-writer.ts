import type { EventRow } from '../db/queries/events';
import { toEventObject } from '../routes/events/event-output';
import type { ExportFormat } from './writer';

const encoder = new TextEncoder();

/** One event object per line, the shape of search's `events` items. */
export const ndjsonFormat: ExportFormat = {
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'ndjson',
  open(sink) {
    return {
      write(rows: readonly EventRow[]) {
        let text = '';
        for (const row of rows) text += `${JSON.stringify(toEventObject(row))}\n`;
        sink(encoder.encode(text));
        return text.length;
      },
      end() {},
    };
  },
};
