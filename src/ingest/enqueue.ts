import type { Database } from '../db/client';
import { describeError, unavailable } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { packMessages, type QueuedEvent, sendBatches, trackingKey } from './queue-message';
import { storeQueuedEvents } from './store-events';
import { ingestTracker } from './tracker-object';

export type Delivery = 'queued' | 'stored';

interface EnqueueContext {
  env: Env;
  logger: Logger;
  waitUntil: (work: Promise<unknown>) => void;
  /** The request's connection, for the direct write where no queue is bound. */
  database: () => Database;
}

/** The queue binding; absent under `npm run serve` (workerd has no Queues broker). */
export const ingestQueue = (env: Env): Queue<unknown> | null =>
  (env as { INGEST_QUEUE?: Queue<unknown> }).INGEST_QUEUE ?? null;

/**
 * Hands validated events to the ingest queue and resolves once Queues has accepted every
 * message ("queued": they will be stored, whatever the database is doing). The status tracker
 * learns of them first, so the consumer never settles an event it does not know yet.
 *
 * Without a queue binding (npm run serve) the events are written directly, with the consumer's
 * own code ("stored"); then a database outage is a 503, as for create.
 */
export async function enqueueEvents(context: EnqueueContext, events: QueuedEvent[]): Promise<Delivery> {
  if (events.length === 0) return 'queued';
  const queue = ingestQueue(context.env);
  if (!queue) {
    await storeQueuedEvents(
      context.database(),
      events.map((event) => ({ event, enqueuedAt: null })),
    );
    return 'stored';
  }
  const enqueuedAt = new Date();
  const tracker = ingestTracker(context.env);
  const keysOf = (batch: { body: { events: QueuedEvent[] } }[]) => batch.flatMap((m) => m.body.events.map(trackingKey));
  if (tracker) {
    try {
      await tracker.enqueued(events.map(trackingKey), enqueuedAt.getTime());
    } catch (error) {
      // The status is bookkeeping: an event is never refused because the tracker did not answer.
      context.logger.warn('ingest tracker enqueue failed', describeError(error));
    }
  }
  const batches = sendBatches(packMessages(events, enqueuedAt.toISOString()));
  const sent = await Promise.allSettled(
    batches.map((batch) => queue.sendBatch(batch.map((m) => ({ body: m.body, contentType: 'json' as const })))),
  );
  const failed = batches.filter((_, i) => sent[i]?.status === 'rejected');
  if (failed.length === 0) return 'queued';
  const firstError = sent.find((s) => s.status === 'rejected') as PromiseRejectedResult;
  context.logger.error('enqueue failed', {
    ...describeError(firstError.reason),
    sendBatches: batches.length,
    failed: failed.length,
  });
  if (tracker) context.waitUntil(tracker.withdrawn(keysOf(failed.flat())).catch(() => undefined));
  // Part of the events may be queued: a retry with the same event_ids stores each once.
  throw unavailable('The ingest queue did not accept the events; retry later (with the same event_ids)');
}
