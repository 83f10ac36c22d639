import type { EventRow } from '../db/queries/events';
import { BatchSizer } from './batch-size';
import type { ExportFormat, ExportOptions, ExportWriter } from './writer';

export interface ExportSource {
  /** Batches of rows in export order, each as many rows as `batchRows()` says when it is read. */
  readBatches: (batchRows: () => number) => AsyncGenerator<EventRow[]>;
  /** Frees what the batches read from (the database connection). Called exactly once. */
  release: () => Promise<void>;
}

export interface ExportHooks {
  /** The body ended cleanly: every row was written. */
  onFinished?: (rows: number) => void;
  /** The body broke after it started (the client sees an aborted download). */
  onFailed?: (error: unknown, rows: number) => void;
  /** The client went away before the end. */
  onCancelled?: (rows: number) => void;
}

const ignore = () => {};

/**
 * Reads the first batch now, so a failure before the first byte is still an ordinary error
 * response, then returns the file as a stream that reads the next batch only when the client
 * has taken the previous one (highWaterMark 0), one batch ahead so the query overlaps the
 * client's reading. Memory holds about two batches, whatever the size of the export.
 *
 * A failure after the first byte errors the stream, which aborts the HTTP body (no final chunk),
 * so the client sees a broken download instead of a shorter file that looks complete. A client
 * that disconnects cancels the stream, which releases the connection and stops reading.
 */
export async function streamExport(
  source: ExportSource,
  format: ExportFormat,
  options: ExportOptions,
  hooks: ExportHooks = {},
): Promise<ReadableStream<Uint8Array>> {
  let released = false;
  const release = () => {
    if (released) return Promise.resolve();
    released = true;
    return source.release().catch(ignore);
  };

  const sizer = new BatchSizer();
  const batches = source.readBatches(() => sizer.rows);
  let next: Promise<IteratorResult<EventRow[]>>;
  try {
    next = Promise.resolve(await batches.next());
  } catch (error) {
    await release();
    throw error;
  }

  let writer: ExportWriter | undefined;
  let rows = 0;
  let cancelled = false;

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const sink = (chunk: Uint8Array) => {
          if (!cancelled && chunk.byteLength > 0) controller.enqueue(chunk);
        };
        try {
          writer ??= format.open(sink, options);
          const result = await next;
          if (cancelled) return;
          if (result.done) {
            writer.end();
            controller.close();
            await release();
            hooks.onFinished?.(rows);
            return;
          }
          // Written and measured before the next batch is asked for, so its size follows the batch
          // just written, not the one before it (issue 13.8). The next query still runs while the
          // client takes these bytes.
          sizer.record(result.value.length, writer.write(result.value));
          rows += result.value.length;
          next = batches.next();
          next.catch(ignore); // awaited on the next pull; this only marks it handled if we are cancelled first
        } catch (error) {
          if (cancelled) return;
          controller.error(error);
          await release();
          hooks.onFailed?.(error, rows);
        }
      },
      async cancel() {
        cancelled = true;
        // Closing the connection first ends a query in flight; the generator then just stops.
        await release();
        batches.return(undefined).catch(ignore);
        hooks.onCancelled?.(rows);
      },
    },
    { highWaterMark: 0 },
  );
}
