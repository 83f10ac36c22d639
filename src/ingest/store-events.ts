import type { Database } from '../db/client';
import { type DeadLetterReason, type NewDeadLetter, recordDeadLetters } from '../db/queries/admin-ingest';
import { type IngestRow, ingestEvents } from '../db/queries/events';
import { toHttpError } from '../lib/errors';
import { type QueuedEvent, trackingKey } from './queue-message';

/** A queued event and when it was accepted (for the dead letter and the status). */
export interface PendingEvent {
  event: QueuedEvent;
  enqueuedAt: string | null;
}

export interface StoreResult {
  /** Tracking keys of events now stored, including those found stored already (redelivery). */
  stored: string[];
  /** How many of them are new rows. */
  created: number;
  /** Ids by tracking key. */
  ids: Map<string, number>;
  /** Tracking keys of events that went to ingest_dead_letters. */
  deadLettered: string[];
}

/**
 * SQLSTATE classes that mean "this row can never be stored as it is" (data exception, integrity
 * constraint, program limit): the event is dead-lettered. Anything else (connection lost,
 * timeout, serialization) may pass on a later attempt and is retried by the caller.
 */
const PERMANENT_CLASSES = new Set(['22', '23', '54']);

export function sqlStateOf(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export const isPermanentRowError = (error: unknown) => PERMANENT_CLASSES.has(sqlStateOf(error)?.slice(0, 2) ?? '');

/**
 * Whether a failed statement is the events' fault. In the dead-letter queue (failedRepeatedly) any
 * error the database answered with counts: those events were retried a hundred times already,
 * and an admin should see them rather than Queues drop them. A lost connection never counts.
 */
const isFinal = (error: unknown, failedRepeatedly: boolean) =>
  isPermanentRowError(error) || (failedRepeatedly && sqlStateOf(error) !== undefined && !isUnavailable(error));

const isUnavailable = (error: unknown) => toHttpError(error).status === 503;

const deadLetterOf = (item: PendingEvent, reason: DeadLetterReason, detail: string): NewDeadLetter => ({
  company_id: item.event.company_id,
  event_id: item.event.event_id,
  message_id: null,
  event: item.event,
  reason,
  detail,
  enqueued_at: item.enqueuedAt,
});

const REFUSAL_DETAIL = {
  unknown_functionality: (e: QueuedEvent) => `Unknown functionalityname found: ${e.functionality}`,
  unknown_event_type: (e: QueuedEvent) => `Unknown eventtypename found: ${e.event_type}`,
};

/**
 * Stores queued events with the ingest statement (one statement for all of them; event_id makes
 * a repeat harmless) and dead-letters those that can never be stored: refused by the catalogue,
 * or rejected by the database as data (then each event is tried alone, so one bad row does not
 * hold back the others). Throws on anything else: the caller retries the whole lot later.
 */
export async function storeQueuedEvents(
  db: Database,
  items: PendingEvent[],
  failedRepeatedly = false,
): Promise<StoreResult> {
  const result: StoreResult = { stored: [], created: 0, ids: new Map(), deadLettered: [] };
  const letters: NewDeadLetter[] = [];
  const rows: IngestRow[] = items.map((item, idx) => ({ idx, ...item.event }));
  let outcomes: Awaited<ReturnType<typeof ingestEvents>>;
  try {
    outcomes = await ingestEvents(db, rows);
  } catch (error) {
    if (!isFinal(error, failedRepeatedly)) throw error;
    // One bad row fails the whole statement: each event alone, so the others are stored.
    outcomes = [];
    for (const row of rows) {
      try {
        outcomes.push(...(await ingestEvents(db, [row])));
      } catch (single) {
        if (!isFinal(single, failedRepeatedly)) throw single;
        const item = items[row.idx] as PendingEvent;
        letters.push(deadLetterOf(item, 'rejected_by_database', `SQLSTATE ${sqlStateOf(single)}`));
      }
    }
  }
  for (const outcome of outcomes) {
    const item = items[outcome.idx] as PendingEvent;
    const key = trackingKey(item.event);
    if (outcome.error !== null) {
      letters.push(deadLetterOf(item, outcome.error, REFUSAL_DETAIL[outcome.error](item.event)));
    } else {
      result.stored.push(key);
      result.ids.set(key, outcome.id);
      if (!outcome.duplicate) result.created += 1;
    }
  }
  await recordDeadLetters(db, letters);
  result.deadLettered = letters.map((l) => trackingKey({ company_id: l.company_id ?? 0, event_id: l.event_id }));
  return result;
}
