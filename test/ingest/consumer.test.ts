import { describe, expect, it } from 'vitest';
import { retryDelaySeconds } from '../../src/ingest/backoff';
import {
  MESSAGE_MAX_BYTES,
  packMessages,
  SEND_BATCH_MAX_BYTES,
  SEND_BATCH_MAX_MESSAGES,
  sendBatches,
} from '../../src/ingest/queue-message';
import { postJson, uniqueCompanyId } from '../helpers/app';
import { DEAD_LETTERS, deadLettersOf, deliver, messagesOf, queuedEvent } from '../helpers/ingest';
import { hyperdriveAt } from '../helpers/private-database';
import { countEventsOf, query } from '../helpers/sql';

/** The queue handler, given batches the way the Queues runtime delivers them (cloudflare:test). */
const CLOSED_PORT = hyperdriveAt('postgres://postgres:x@127.0.0.1:1/x');

describe('the consumer stores each delivered batch once', () => {
  it('a batch delivered twice (redelivery) is stored once, and both deliveries are acknowledged', async () => {
    const company = uniqueCompanyId();
    const bodies = messagesOf(
      Array.from({ length: 30 }, (_, i) => queuedEvent({ company_id: company, message: `r ${i}` })),
    );
    const first = await deliver(bodies);
    expect(first).toMatchObject({ acked: bodies.length, retried: 0 });
    expect(await countEventsOf(company)).toBe(30);
    const again = await deliver(bodies, { attempts: 2 });
    expect(again).toMatchObject({ acked: bodies.length, retried: 0 });
    expect(await countEventsOf(company)).toBe(30);
  });

  it('database down: every message is retried and nothing stored; back up: all stored once', async () => {
    const company = uniqueCompanyId();
    const bodies = messagesOf(Array.from({ length: 5 }, () => queuedEvent({ company_id: company })));
    for (let attempt = 1; attempt <= 2; attempt++) {
      const down = await deliver(bodies, { attempts: attempt, overrides: CLOSED_PORT });
      expect(down).toMatchObject({ acked: 0, retried: bodies.length });
    }
    expect(await countEventsOf(company)).toBe(0);
    expect(await deadLettersOf(company)).toEqual([]);
    expect(await deliver(bodies, { attempts: 3 })).toMatchObject({ acked: bodies.length, retried: 0 });
    expect(await deliver(bodies, { attempts: 4 })).toMatchObject({ acked: bodies.length });
    expect(await countEventsOf(company)).toBe(5);
  });

  it('a row the database rejects as data is dead-lettered alone; the rest of the batch is stored', async () => {
    const company = uniqueCompanyId();
    const bad = queuedEvent({ company_id: company, ts: 'not a time' });
    const good = [queuedEvent({ company_id: company }), queuedEvent({ company_id: company })];
    expect(await deliver(messagesOf([good[0], bad, good[1]] as never[]))).toMatchObject({ retried: 0 });
    expect(await countEventsOf(company)).toBe(2);
    expect(await deadLettersOf(company)).toEqual([
      expect.objectContaining({ event_id: bad.event_id, reason: 'rejected_by_database' }),
    ]);
  });

  it('a malformed message is kept as a dead letter (by message id) and acknowledged, never retried forever', async () => {
    const marker = crypto.randomUUID();
    const result = await deliver([{ v: 1, something: marker }]);
    expect(result).toMatchObject({ acked: 1, retried: 0 });
    const rows = await query<{ id: string; reason: string }>(
      "SELECT id, reason FROM ingest_dead_letters WHERE event->>'something' = $1",
      [marker],
    );
    expect(rows).toEqual([expect.objectContaining({ reason: 'malformed_message' })]);
    const replay = await postJson(`${DEAD_LETTERS}/${rows[0]?.id}/replay`);
    expect(replay.status).toBe(422);
  });
});

describe('limits and backoff (pure)', () => {
  it('packs events into messages under 128 KB and sendBatches under 100 messages / 256 KB, in order', () => {
    const events = Array.from({ length: 900 }, (_, i) =>
      queuedEvent({ company_id: 1, message: `${i} ${'é'.repeat(i % 3 === 0 ? 9000 : 200)}` }),
    );
    const messages = packMessages(events, new Date().toISOString());
    const encoder = new TextEncoder();
    for (const m of messages) {
      expect(encoder.encode(JSON.stringify(m.body)).length).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
      expect(m.bytes).toBe(encoder.encode(JSON.stringify(m.body)).length);
    }
    expect(messages.flatMap((m) => m.body.events)).toEqual(events);
    const batches = sendBatches(messages);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(SEND_BATCH_MAX_MESSAGES);
      expect(batch.reduce((n, m) => n + m.bytes, 0)).toBeLessThanOrEqual(SEND_BATCH_MAX_BYTES);
    }
    expect(batches.flat()).toEqual(messages);
  });

  it('backs off exponentially, capped, with bounded jitter', () => {
    expect(retryDelaySeconds(1, 2, 600, 0)).toBe(2);
    expect(retryDelaySeconds(2, 2, 600, 0)).toBe(4);
    expect(retryDelaySeconds(5, 2, 600, 0)).toBe(32);
    expect(retryDelaySeconds(50, 2, 600, 0)).toBe(600);
    expect(retryDelaySeconds(50, 2, 600, 1)).toBe(720);
    expect(retryDelaySeconds(3, 2, 60_000, 0)).toBe(8);
    expect(retryDelaySeconds(40, 2, 60_000, 0)).toBe(43_200);
  });
});
