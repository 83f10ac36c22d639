import { DurableObject } from 'cloudflare:workers';

/** Entries older than this are surely gone from the queue (retention is at most 14 days). */
const FORGET_AFTER_MS = 15 * 24 * 3600 * 1000;

export interface IngestTrackerStatus {
  /** Enqueued events not yet stored or dead-lettered, as far as this object knows. */
  backlog: number;
  /** When the oldest of them was accepted (epoch ms), null when there is none. */
  oldestEnqueuedMs: number | null;
  enqueued: number;
  stored: number;
  deadLettered: number;
  /** Entries dropped after FORGET_AFTER_MS without news (a lost notification, or a lost event). */
  forgotten: number;
}

/**
 * Queued ingest's bookkeeping (one object per deployment): which enqueued events are not settled
 * yet, so GET /admin/ingest/status can show the backlog and the age of its oldest event. Queues
 * itself tells a Worker neither. The producer records events BEFORE sending them (so the
 * consumer can never settle an event this object does not know yet), and removes them again if
 * the send failed; the consumer settles them once stored or dead-lettered. Calls are best
 * effort: a lost one leaves an entry until FORGET_AFTER_MS, counted as forgotten
 * (docs/queued-ingest.md).
 */
export class IngestTracker extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, enqueued_ms INTEGER NOT NULL)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS pending_age ON pending (enqueued_ms)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
  }

  private bump(name: string, by: number): void {
    if (by === 0) return;
    this.sql.exec(
      'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value',
      name,
      by,
    );
  }

  private remove(key: string): number {
    return this.sql.exec('DELETE FROM pending WHERE key = ? RETURNING key', key).toArray().length;
  }

  /** Events about to be sent; an event already pending (a client's retry) keeps its first time. */
  enqueued(keys: string[], atMs: number): number {
    let added = 0;
    this.ctx.storage.transactionSync(() => {
      // Counted by RETURNING: rowsWritten would count the index entries too.
      for (const key of keys) {
        added += this.sql
          .exec('INSERT INTO pending (key, enqueued_ms) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING key', key, atMs)
          .toArray().length;
      }
      this.bump('enqueued', added);
    });
    return added;
  }

  /** The send failed: these were never queued. */
  withdrawn(keys: string[]): void {
    this.ctx.storage.transactionSync(() => {
      let removed = 0;
      for (const key of keys) removed += this.remove(key);
      this.bump('enqueued', -removed);
    });
  }

  /** Stored (or found stored already) or dead-lettered; settling twice (a redelivery) counts once. */
  settled(keys: string[], outcome: 'stored' | 'deadLettered'): number {
    let removed = 0;
    this.ctx.storage.transactionSync(() => {
      for (const key of keys) removed += this.remove(key);
      this.bump(outcome, removed);
    });
    return removed;
  }

  status(nowMs = Date.now()): IngestTrackerStatus {
    const forgotten = this.sql
      .exec('DELETE FROM pending WHERE enqueued_ms < ? RETURNING key', nowMs - FORGET_AFTER_MS)
      .toArray().length;
    this.bump('forgotten', forgotten);
    const pending = this.sql
      .exec<{ n: number; oldest: number | null }>('SELECT count(*) AS n, min(enqueued_ms) AS oldest FROM pending')
      .one();
    const counters = new Map(
      this.sql
        .exec<{ name: string; value: number }>('SELECT name, value FROM counters')
        .toArray()
        .map((r) => [r.name, r.value]),
    );
    return {
      backlog: pending.n,
      oldestEnqueuedMs: pending.oldest,
      enqueued: counters.get('enqueued') ?? 0,
      stored: counters.get('stored') ?? 0,
      deadLettered: counters.get('deadLettered') ?? 0,
      forgotten: counters.get('forgotten') ?? 0,
    };
  }
}

/** The deployment's one tracker; null where the binding is absent (npm run serve). */
export function ingestTracker(env: Env, name = 'ingest'): DurableObjectStub<IngestTracker> | null {
  const namespace = (env as { INGEST_TRACKER?: DurableObjectNamespace<IngestTracker> }).INGEST_TRACKER;
  if (!namespace) return null;
  return namespace.get(namespace.idFromName(name));
}
