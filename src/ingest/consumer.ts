import { openDatabase } from '../db/client';
import { type NewDeadLetter, recordDeadLetters } from '../db/queries/admin-ingest';
import { loadConfig } from '../env';
import { describeError } from '../lib/errors';
import { createLogger } from '../lib/logger';
import { liveTailClient } from '../live/client';
import { retryDelaySeconds } from './backoff';
import { IngestMessageSchema } from './queue-message';
import { type PendingEvent, storeQueuedEvents } from './store-events';
import { ingestTracker } from './tracker-object';

/** Events per ingest statement, as in POST /batch. */
const STATEMENT_MAX_EVENTS = 1000;

/** The dead-letter queue's name ends so (wrangler.toml); its consumer is this same code. */
export const isDeadLetterQueue = (queue: string) => queue.endsWith('-dlq');

interface Readable {
  message: Message<unknown>;
  items: PendingEvent[];
}

/**
 * The Worker's queue handler: writes each delivered batch with the ingest statement (groups of
 * whole messages up to 1,000 events), dead-letters the events that can never be stored, acks
 * what is done, and retries the rest with backoff while the database is down. Redelivery is
 * harmless: every queued event has an event_id, and the statement stores an event_id once.
 */
export async function consumeIngestBatch(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext) {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, { queue: batch.queue });
  const failedRepeatedly = isDeadLetterQueue(batch.queue);
  const readable: Readable[] = [];
  const malformed: { message: Message<unknown>; letter: NewDeadLetter }[] = [];
  for (const message of batch.messages) {
    const parsed = IngestMessageSchema.safeParse(message.body);
    if (parsed.success) {
      const enqueuedAt = parsed.data.enqueued_at;
      readable.push({ message, items: parsed.data.events.map((event) => ({ event, enqueuedAt })) });
    } else {
      malformed.push({
        message,
        letter: {
          company_id: null,
          event_id: null,
          message_id: message.id,
          event: message.body ?? null,
          reason: 'malformed_message',
          detail: parsed.error.issues
            .slice(0, 5)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; '),
          enqueued_at: null,
        },
      });
    }
  }

  const retry = (messages: Message<unknown>[], error: unknown) => {
    logger.warn('ingest batch will be retried', { ...describeError(error), messages: messages.length });
    for (const message of messages) {
      message.retry({
        delaySeconds: retryDelaySeconds(
          message.attempts,
          config.INGEST_RETRY_BASE_SECONDS,
          config.INGEST_RETRY_MAX_SECONDS,
        ),
      });
    }
  };
  const tracker = ingestTracker(env);
  const settle = (keys: string[], outcome: 'stored' | 'deadLettered') => {
    if (!tracker || keys.length === 0) return;
    ctx.waitUntil(
      tracker.settled(keys, outcome).catch((error: unknown) => {
        logger.warn('ingest tracker settle failed', describeError(error));
      }),
    );
  };

  const handle = openDatabase(config, { statementTimeoutMs: config.QUERY_TIMEOUT_MS });
  let created = 0;
  try {
    if (malformed.length > 0) {
      try {
        await recordDeadLetters(
          handle.db,
          malformed.map((m) => m.letter),
        );
        logger.error('malformed ingest messages dead-lettered', { messages: malformed.length });
        for (const { message } of malformed) message.ack();
      } catch (error) {
        retry(
          malformed.map((m) => m.message),
          error,
        );
      }
    }
    for (const group of groups(readable)) {
      try {
        const result = await storeQueuedEvents(
          handle.db,
          group.flatMap((r) => r.items),
          failedRepeatedly,
        );
        for (const { message } of group) message.ack();
        created += result.created;
        settle(result.stored, 'stored');
        settle(result.deadLettered, 'deadLettered');
        if (result.deadLettered.length > 0) {
          logger.warn('queued events dead-lettered', { events: result.deadLettered.length });
        }
      } catch (error) {
        retry(
          group.map((r) => r.message),
          error,
        );
      }
    }
  } finally {
    ctx.waitUntil(handle.close());
  }
  const liveTail = created > 0 ? liveTailClient(env) : null;
  if (liveTail) ctx.waitUntil(liveTail.notify().catch(() => undefined));
}

/** Whole messages, in order, into groups of at most STATEMENT_MAX_EVENTS events. */
function groups(readable: Readable[]): Readable[][] {
  const out: Readable[][] = [];
  let current: Readable[] = [];
  let events = 0;
  for (const r of readable) {
    if (current.length > 0 && events + r.items.length > STATEMENT_MAX_EVENTS) {
      out.push(current);
      current = [];
      events = 0;
    }
    current.push(r);
    events += r.items.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}
