import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../src/index';
import { packMessages, type QueuedEvent } from '../../src/ingest/queue-message';
import { ADMIN_BASE } from './keys';
import { query } from './sql';

/** The dead letters' admin route (issue 17). */
export const DEAD_LETTERS = `${ADMIN_BASE}/ingest/dead-letters`;

/** Polls until `check` returns true (the queue consumer runs in the background), or fails. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/** A queued event as the producer makes it (what enqueue sends), for delivering by hand. */
export function queuedEvent(overrides: Partial<QueuedEvent> & { company_id: number }): QueuedEvent {
  return {
    ts: new Date(Date.now() - 60_000).toISOString(),
    functionality: 'Authenticate',
    event_type: 'Login',
    store_id: 101,
    username: 'jdoe',
    message: 'queued by hand',
    status: 'Success',
    additional_data: { via: 'test' },
    event_id: crypto.randomUUID(),
    ...overrides,
  };
}

let messageSeq = 0;

/**
 * Delivers messages to the Worker's queue handler as the Queues runtime would (one batch, the
 * given delivery attempt) and returns what the handler decided for each message.
 */
export async function deliver(
  bodies: unknown[],
  options: { queue?: string; attempts?: number; overrides?: Partial<Env> } = {},
) {
  const batch = createMessageBatch(
    options.queue ?? 'pyaudit-ingest',
    bodies.map((body) => ({
      id: `test-msg-${++messageSeq}-${crypto.randomUUID()}`,
      timestamp: new Date(),
      attempts: options.attempts ?? 1,
      body,
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...options.overrides } as Env, ctx);
  const result = await getQueueResult(batch, ctx);
  const retried = new Set(result.retryMessages.map((m) => m.msgId));
  const acked = new Set(result.explicitAcks);
  return {
    result,
    acked: batch.messages.filter((m) => acked.has(m.id)).length,
    retried: batch.messages.filter((m) => retried.has(m.id)).length,
  };
}

/** Messages for these events, packed by the producer's own code. */
export const messagesOf = (events: QueuedEvent[]) => packMessages(events, new Date().toISOString()).map((m) => m.body);

export async function deadLettersOf(company: number) {
  return query<{ id: string; event_id: string; reason: string; failures: number; replayed_id: string | null }>(
    'SELECT id, event_id, reason, failures, replayed_id FROM ingest_dead_letters WHERE company_id = $1 ORDER BY id',
    [company],
  );
}
