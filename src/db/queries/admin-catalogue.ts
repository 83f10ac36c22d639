import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../client';

/**
 * Changes to the catalogue (functionalities, event types) and the directory (companies, stores).
 * Each is one statement, so it is all or nothing. No cache holds these names: ingest and search
 * resolve them inside SQL on every request, so a change is visible to the next request.
 */

export interface EventTypeRow {
  EventTypeID: number;
  EventTypeName: string;
}

/**
 * A new functionality with its event types (in the order given), or null when the name exists.
 * Two callers racing for one name: the loser gets a unique violation (uniqueViolation, ./errors.ts).
 */
export async function addFunctionality(
  db: Database,
  name: string,
  eventTypes: string[],
): Promise<{ id: number; eventTypes: EventTypeRow[] } | null> {
  const [row] = await queryRows<{ id: number | null; types: EventTypeRow[] }>(
    db,
    sql`WITH existing AS (
          SELECT 1 FROM auditfunctionalities WHERE functionalityname = ${name}
        ),
        f AS (
          INSERT INTO auditfunctionalities (functionalityname)
          SELECT ${name}::text WHERE NOT EXISTS (SELECT 1 FROM existing)
          RETURNING functionalityid
        ),
        t AS (
          INSERT INTO auditeventtypes (functionalityid, eventtypename)
          SELECT f.functionalityid, w.value
          FROM f, jsonb_array_elements_text(${JSON.stringify(eventTypes)}::jsonb) WITH ORDINALITY AS w (value, ord)
          ORDER BY w.ord
          RETURNING eventtypeid, eventtypename
        )
        SELECT (SELECT functionalityid FROM f) AS id,
               (SELECT coalesce(json_agg(json_build_object('EventTypeID', eventtypeid, 'EventTypeName', eventtypename)
                                         ORDER BY eventtypeid), '[]'::json) FROM t) AS types`,
  );
  if (!row || row.id === null) return null;
  return { id: Number(row.id), eventTypes: row.types };
}

export type AddEventTypesOutcome =
  | { kind: 'unknown_functionality' }
  | { kind: 'exist'; names: string[] }
  | { kind: 'added'; eventTypes: EventTypeRow[] };

/** New event types of an existing functionality: all of them, or none when any exists already. */
export async function addEventTypes(
  db: Database,
  functionality: string,
  eventTypes: string[],
): Promise<AddEventTypesOutcome> {
  const [row] = await queryRows<{ functionality_id: number | null; taken: string[]; created: EventTypeRow[] }>(
    db,
    sql`WITH f AS (
          SELECT functionalityid FROM auditfunctionalities WHERE functionalityname = ${functionality}
        ),
        wanted AS (
          SELECT w.value AS name, w.ord
          FROM jsonb_array_elements_text(${JSON.stringify(eventTypes)}::jsonb) WITH ORDINALITY AS w (value, ord)
        ),
        taken AS (
          SELECT w.name, w.ord FROM wanted w
          JOIN auditeventtypes t ON t.eventtypename = w.name
          JOIN f ON f.functionalityid = t.functionalityid
        ),
        ins AS (
          INSERT INTO auditeventtypes (functionalityid, eventtypename)
          SELECT f.functionalityid, w.name FROM f, wanted w
          WHERE NOT EXISTS (SELECT 1 FROM taken)
          ORDER BY w.ord
          RETURNING eventtypeid, eventtypename
        )
        SELECT (SELECT functionalityid FROM f) AS functionality_id,
               (SELECT coalesce(json_agg(name ORDER BY ord), '[]'::json) FROM taken) AS taken,
               (SELECT coalesce(json_agg(json_build_object('EventTypeID', eventtypeid, 'EventTypeName', eventtypename)
                                         ORDER BY eventtypeid), '[]'::json) FROM ins) AS created`,
  );
  if (!row || row.functionality_id === null) return { kind: 'unknown_functionality' };
  if (row.taken.length > 0) return { kind: 'exist', names: row.taken };
  return { kind: 'added', eventTypes: row.created };
}

/** Inserts or renames a company; `created` tells which. */
export async function upsertCompany(
  db: Database,
  companyId: number,
  name: string,
): Promise<{ CompanyID: number; CompanyName: string; created: boolean }> {
  const [row] = await queryRows<{ companyid: string; companyname: string; created: boolean }>(
    db,
    sql`INSERT INTO companies (companyid, companyname) VALUES (${companyId}, ${name})
        ON CONFLICT (companyid) DO UPDATE SET companyname = EXCLUDED.companyname
        RETURNING companyid, companyname, (xmax = 0) AS created`,
  );
  if (!row) throw new Error('upsert returned no row');
  return { CompanyID: Number(row.companyid), CompanyName: row.companyname, created: row.created };
}

/** Inserts or renames a store of a company; null when the company is not in the directory. */
export async function upsertStore(
  db: Database,
  companyId: number,
  storeId: number,
  name: string,
): Promise<{ CompanyID: number; StoreLocationID: number; StoreName: string; created: boolean } | null> {
  const [row] = await queryRows<{ companyid: string; storelocationid: string; storename: string; created: boolean }>(
    db,
    sql`INSERT INTO storelocations (companyid, storelocationid, storename)
        SELECT companyid, ${storeId}::bigint, ${name}::text FROM companies WHERE companyid = ${companyId}
        ON CONFLICT (companyid, storelocationid) DO UPDATE SET storename = EXCLUDED.storename
        RETURNING companyid, storelocationid, storename, (xmax = 0) AS created`,
  );
  if (!row) return null;
  return {
    CompanyID: Number(row.companyid),
    StoreLocationID: Number(row.storelocationid),
    StoreName: row.storename,
    created: row.created,
  };
}
