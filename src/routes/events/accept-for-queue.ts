import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { type CatalogueRefusal, pairKey, refusedCatalogueNames } from '../../db/queries/catalogue';
import type { IngestRow } from '../../db/queries/events';
import { type Delivery, enqueueEvents } from '../../ingest/enqueue';
import { toQueuedEvent } from '../../ingest/queue-message';
import { describeError } from '../../lib/errors';
import type { ItemFailure } from './check-items';
import { unknownNameMessage } from './prepare-event';

export interface AcceptOutcome {
  /** Events handed to the queue (or stored, without one), by index, with their event_id. */
  accepted: { index: number; event_id: string }[];
  /** Events the catalogue refused (only when it answered). */
  refused: ItemFailure[];
  delivery: Delivery;
  /** false when the database did not answer in time: the consumer checks the catalogue. */
  catalogueChecked: boolean;
}

/**
 * The queued path of a write (POST /enqueue, and create/batch with INGEST_MODE=queue), for rows
 * that passed the checks needing no database: the catalogue check while the database answers
 * within INGEST_CATALOGUE_CHECK_MS (else it is left to the consumer, which dead-letters a
 * refusal), an event_id for every event that has none, and the enqueue itself.
 */
export async function acceptForQueue(
  c: Context<AppEnv>,
  rows: IngestRow[],
  locOf: (index: number) => (string | number)[],
): Promise<AcceptOutcome> {
  const { config, logger } = c.var;
  const refusals = await checkCatalogue(c, rows, config.INGEST_CATALOGUE_CHECK_MS);
  const refused: ItemFailure[] = [];
  const accepted: { index: number; event_id: string }[] = [];
  const events = [];
  for (const row of rows) {
    const refusal = refusals?.get(pairKey(row));
    if (refusal) {
      refused.push({
        index: row.idx,
        errors: [
          {
            loc: [...locOf(row.idx), refusal === 'unknown_functionality' ? 'functionality' : 'event_type'],
            msg: unknownNameMessage(refusal, row),
            type: refusal,
          },
        ],
      });
      continue;
    }
    const eventId = row.event_id ?? crypto.randomUUID();
    accepted.push({ index: row.idx, event_id: eventId });
    events.push(toQueuedEvent(row, eventId));
  }
  const delivery = await enqueueEvents(
    {
      env: c.env,
      logger,
      waitUntil: (work) => {
        try {
          c.executionCtx.waitUntil(work);
        } catch {
          // app.request in a script has no ExecutionContext: the work simply runs on.
        }
      },
      database: () => c.var.database().db,
    },
    events,
  );
  return { accepted, refused, delivery, catalogueChecked: refusals !== null };
}

/** The catalogue's refusals, or null when the database did not answer within `timeoutMs`. */
async function checkCatalogue(
  c: Context<AppEnv>,
  rows: IngestRow[],
  timeoutMs: number,
): Promise<Map<string, CatalogueRefusal> | null> {
  if (rows.length === 0) return new Map();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const check = refusedCatalogueNames(c.var.database().db, rows);
    check.catch(() => undefined); // may settle after the timeout won
    return await Promise.race([check, timeout]);
  } catch (error) {
    c.var.logger.warn('catalogue check skipped; the consumer will check', describeError(error));
    return null;
  } finally {
    clearTimeout(timer);
  }
}
