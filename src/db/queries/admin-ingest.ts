import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../client';

export type DeadLetterReason =
  | 'unknown_functionality'
  | 'unknown_event_type'
  | 'malformed_message'
  | 'rejected_by_database';

/** One event (or unreadable message) the queue consumer gave up on, for ingest_dead_letters (sql/050). */
export interface NewDeadLetter {
  company_id: number | null;
  event_id: string | null;
  message_id: string | null;
  event: unknown;
  reason: DeadLetterReason;
  detail: string;
  enqueued_at: string | null;
}

export interface DeadLetterRow {
  id: number;
  company_id: number | null;
  event_id: string | null;
  message_id: string | null;
  event: unknown;
  reason: string;
  detail: string;
  enqueued_at: string | null;
  first_failed_at: string;
  last_failed_at: string;
  failures: number;
  replayed_at: string | null;
  replayed_id: number | null;
}

/**
 * Records dead letters in one statement. The same event failing again (a redelivered message)
 * counts one more failure on its row instead of adding a row; one already replayed stays so.
 */
export async function recordDeadLetters(db: Database, letters: NewDeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await db.execute(sql`
    INSERT INTO ingest_dead_letters (company_id, event_id, message_id, event, reason, detail, enqueued_at)
    SELECT x.company_id, x.event_id, x.message_id, x.event, x.reason, x.detail, x.enqueued_at
    FROM jsonb_to_recordset(${JSON.stringify(letters)}::jsonb) AS x (
      company_id bigint, event_id uuid, message_id text, event jsonb, reason text, detail text,
      enqueued_at timestamptz)
    ON CONFLICT ON CONSTRAINT ingest_dead_letters_event DO UPDATE
      SET failures = ingest_dead_letters.failures + 1,
          last_failed_at = now(),
          reason = excluded.reason,
          detail = excluded.detail
      WHERE ingest_dead_letters.replayed_at IS NULL`);
}

const COLUMNS = sql`id, company_id, event_id, message_id, event, reason, detail, enqueued_at, first_failed_at,
  last_failed_at, failures, replayed_at, replayed_id`;

const toRow = (r: DeadLetterRow): DeadLetterRow => ({
  ...r,
  id: Number(r.id),
  company_id: r.company_id === null ? null : Number(r.company_id),
  replayed_id: r.replayed_id === null ? null : Number(r.replayed_id),
});

/**
 * Dead letters newest first, those not replayed unless `includeReplayed`; keyset paging by id.
 * Only admin keys with every company reach this (src/lib/route-scopes.ts): no company filter.
 */
export async function listDeadLetters(
  db: Database,
  options: { limit: number; beforeId: number | null; includeReplayed: boolean },
): Promise<DeadLetterRow[]> {
  const rows = await queryRows<DeadLetterRow>(
    db,
    sql`SELECT ${COLUMNS} FROM ingest_dead_letters
        WHERE (${options.includeReplayed}::boolean OR replayed_at IS NULL)
          AND (${options.beforeId}::bigint IS NULL OR id < ${options.beforeId}::bigint)
        ORDER BY id DESC LIMIT ${options.limit}`,
  );
  return rows.map(toRow);
}

export async function getDeadLetter(db: Database, id: number): Promise<DeadLetterRow | null> {
  const [row] = await queryRows<DeadLetterRow>(db, sql`SELECT ${COLUMNS} FROM ingest_dead_letters WHERE id = ${id}`);
  return row ? toRow(row) : null;
}

/** Marks a dead letter replayed with the id its event is stored under. */
export async function markReplayed(db: Database, id: number, storedId: number): Promise<void> {
  await db.execute(sql`UPDATE ingest_dead_letters SET replayed_at = now(), replayed_id = ${storedId} WHERE id = ${id}`);
}

/** A replay that failed again: one more failure, with the current reason. */
export async function markFailedAgain(db: Database, id: number, reason: string, detail: string): Promise<void> {
  await db.execute(
    sql`UPDATE ingest_dead_letters SET failures = failures + 1, last_failed_at = now(), reason = ${reason},
        detail = ${detail} WHERE id = ${id}`,
  );
}

/** Counts for the status route: waiting to be replayed, and the oldest of them. */
export async function deadLetterSummary(db: Database): Promise<{ pending: number; oldest: string | null }> {
  const [row] = await queryRows<{ pending: string; oldest: string | null }>(
    db,
    sql`SELECT count(*) AS pending, min(first_failed_at) AS oldest FROM ingest_dead_letters WHERE replayed_at IS NULL`,
  );
  return { pending: Number(row?.pending ?? 0), oldest: row?.oldest ? new Date(row.oldest).toISOString() : null };
}
