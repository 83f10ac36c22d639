import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../client';

export type CatalogueRefusal = 'unknown_functionality' | 'unknown_event_type';

/**
 * The catalogue's verdict on (functionality, event_type) pairs, the same test the ingest
 * statement makes (sql/functions/ingest.sql): one query for all pairs. Returns the refusal of
 * each pair that would be refused, keyed by pairKey.
 */
export async function refusedCatalogueNames(
  db: Database,
  pairs: { functionality: string; event_type: string }[],
): Promise<Map<string, CatalogueRefusal>> {
  const unique = [...new Map(pairs.map((p) => [pairKey(p), p])).values()];
  if (unique.length === 0) return new Map();
  const rows = await queryRows<{ functionality: string; event_type: string; error: CatalogueRefusal }>(
    db,
    sql`SELECT p.functionality, p.event_type,
               CASE WHEN f.functionalityid IS NULL THEN 'unknown_functionality' ELSE 'unknown_event_type' END AS error
        FROM jsonb_to_recordset(${JSON.stringify(unique)}::jsonb) AS p (functionality text, event_type text)
        LEFT JOIN auditfunctionalities f ON f.functionalityname = p.functionality
        LEFT JOIN auditeventtypes t ON t.functionalityid = f.functionalityid AND t.eventtypename = p.event_type
        WHERE t.eventtypeid IS NULL`,
  );
  return new Map(rows.map((r) => [pairKey(r), r.error]));
}

export const pairKey = (p: { functionality: string; event_type: string }) => `${p.functionality}\u0000${p.event_type}`;
