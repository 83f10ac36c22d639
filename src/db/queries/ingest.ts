import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../client';

/** One event ready for auditevents_ingest (sql/functions/ingest.sql): validated, time resolved. */
export interface IngestRow {
  idx: number;
  ts: string;
  functionality: string;
  event_type: string;
  store_id: number | null;
  company_id: number;
  username: string | null;
  message: string;
  status: 'Success' | 'Failed';
  additional_data: Record<string, unknown> | null;
  event_id: string | null;
}

export type IngestOutcome =
  | { idx: number; id: number; duplicate: boolean; error: null }
  | { idx: number; id: null; duplicate: false; error: 'unknown_functionality' | 'unknown_event_type' };

/**
 * Stores events in one statement and one round trip: names resolved, idempotency keys claimed,
 * rows inserted (creating a missing month's partition on the way). The statement commits before
 * this returns, so a caller that answers 201 afterwards has stored the row.
 */
export async function ingestEvents(db: Database, rows: IngestRow[]): Promise<IngestOutcome[]> {
  if (rows.length === 0) return [];
  const result = await queryRows<{ idx: number; id: string | null; duplicate: boolean; error: string | null }>(
    db,
    sql`SELECT idx, id, duplicate, error FROM auditevents_ingest(${JSON.stringify(rows)}::jsonb)`,
  );
  return result.map((r) =>
    r.error === null
      ? { idx: r.idx, id: Number(r.id), duplicate: r.duplicate, error: null }
      : { idx: r.idx, id: null, duplicate: false, error: r.error as 'unknown_functionality' | 'unknown_event_type' },
  );
}
