import { sql } from 'drizzle-orm';
import { type IngestedFields, ingestStatementArguments } from '../../../integrity/ingest-canonical';
import { type Database, queryRows } from '../../client';
import { retryTransient } from '../../transient-retry';

/** Runs of the ingest statement before a deadlock or serialization failure becomes a 503. */
export const INGEST_ATTEMPTS = 3;

/**
 * One event ready for auditevents_ingest (sql/functions/ingest.sql): validated, time resolved.
 * The stored fields are IngestedFields, which the Worker's canonical text is built from.
 */
export interface IngestRow extends IngestedFields {
  idx: number;
  status: 'Success' | 'Failed';
  additional_data: Record<string, unknown> | null;
}

export type IngestOutcome =
  | { idx: number; id: number; duplicate: boolean; error: null }
  | { idx: number; id: null; duplicate: false; error: 'unknown_functionality' | 'unknown_event_type' };

/**
 * Stores events in one statement and one round trip: names resolved, idempotency keys claimed,
 * rows inserted (creating a missing month's partition on the way). The statement commits before
 * this returns, so a caller that answers 201 afterwards has stored the row. A deadlock or
 * serialization failure is run again (the statement was rolled back whole), at most
 * INGEST_ATTEMPTS times in all (issue 13.11).
 */
export async function ingestEvents(
  db: Database,
  rows: IngestRow[],
  onRetry?: (code: string, attempt: number) => void,
): Promise<IngestOutcome[]> {
  if (rows.length === 0) return [];
  // With each row's canonical encoding after its id, which the statement hashes instead of
  // building the text (src/integrity/ingest-canonical.ts, issue 14).
  const { events, canonical } = ingestStatementArguments(rows);
  const statement = sql`SELECT idx, id, duplicate, error FROM auditevents_ingest(${events}::jsonb, ${canonical}::text)`;
  const result = await retryTransient(
    () => queryRows<{ idx: number; id: string | null; duplicate: boolean; error: string | null }>(db, statement),
    { attempts: INGEST_ATTEMPTS, onRetry },
  );
  return result.map((r) =>
    r.error === null
      ? { idx: r.idx, id: Number(r.id), duplicate: r.duplicate, error: null }
      : { idx: r.idx, id: null, duplicate: false, error: r.error as 'unknown_functionality' | 'unknown_event_type' },
  );
}
