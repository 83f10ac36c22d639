import { asc, type Column, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { PgSelect } from 'drizzle-orm/pg-core';
import { type Database, queryRows } from '../client';
import { auditEventTypes, auditFunctionalities, companies, storeLocations } from '../schema';

export function listFunctionalities(db: Database) {
  return db
    .select({
      FunctionalityID: auditFunctionalities.functionalityId,
      FunctionalityName: auditFunctionalities.functionalityName,
    })
    .from(auditFunctionalities)
    .orderBy(asc(auditFunctionalities.functionalityId));
}

export function listEventTypesOf(db: Database, functionalityName: string) {
  return db
    .select({ EventTypeID: auditEventTypes.eventTypeId, EventTypeName: auditEventTypes.eventTypeName })
    .from(auditEventTypes)
    .innerJoin(auditFunctionalities, eq(auditFunctionalities.functionalityId, auditEventTypes.functionalityId))
    .where(eq(auditFunctionalities.functionalityName, functionalityName))
    .orderBy(asc(auditEventTypes.eventTypeName), asc(auditEventTypes.eventTypeId));
}

export function listCompanies(db: Database, only: readonly number[] | null) {
  const query = db
    .select({ CompanyID: companies.companyId, CompanyName: companies.companyName })
    .from(companies)
    .$dynamic();
  return restrictTo(query, companies.companyId, only).orderBy(asc(companies.companyName), asc(companies.companyId));
}

export function listStoresOf(db: Database, companyId: number) {
  return db
    .select({
      CompanyID: storeLocations.companyId,
      StoreLocationID: storeLocations.storeLocationId,
      StoreName: storeLocations.storeName,
    })
    .from(storeLocations)
    .where(eq(storeLocations.companyId, companyId))
    .orderBy(asc(storeLocations.storeName), asc(storeLocations.storeLocationId));
}

/** Limits a query to a key's companies (null = every company). */
export function restrictTo<T extends PgSelect>(query: T, column: Column, only: readonly number[] | null): T {
  if (only === null) return query;
  return query.where(inArray(column, only.length > 0 ? [...only] : [-1]));
}

/** Whether a functionality of exactly this name exists. */
export const isFunctionalityName = (db: Database, name: string) =>
  exists(db, sql`SELECT 1 FROM auditfunctionalities WHERE functionalityname = ${name}`);

/** Whether an event type of exactly this name exists (under any functionality). */
export const isEventTypeName = (db: Database, name: string) =>
  exists(db, sql`SELECT 1 FROM auditeventtypes WHERE eventtypename = ${name}`);

const exists = async (db: Database, query: SQL) => (await queryRows(db, sql`${query} LIMIT 1`)).length > 0;

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
