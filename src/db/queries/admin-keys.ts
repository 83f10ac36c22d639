/**
 * The api_keys table (sql/020_api_keys.sql), for the admin key routes, the auth middleware and
 * `npm run keys` (which runs it under Node with type stripping, over drizzle on a pg.Client).
 * Arrays go in as one parameter each (sql.param): a bare array in sql`` becomes a list.
 * The key's text never comes here: only its SHA-256 and its prefix.
 */
import { sql } from 'drizzle-orm';
import type { GeneratedKey, KeySpec, Scope } from '../../lib/api-keys';
import { type Database, queryRows } from '../client';
import { uniqueViolation } from './errors';

/** A key as listed and as the auth middleware sees it: never the hash, never the key. */
export interface ApiKeyRecord {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  companies: number[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const COLUMNS = sql.raw('id, name, prefix, scopes, companies, created_at, last_used_at, revoked_at');

const isoOrNull = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date).toISOString());

/** pg hands bigint and bigint[] back as strings; timestamps as Date. */
function toRecord(row: Record<string, unknown>): ApiKeyRecord {
  return {
    id: Number(row.id),
    name: String(row.name),
    prefix: String(row.prefix),
    scopes: row.scopes as Scope[],
    companies: row.companies === null ? null : (row.companies as (string | number)[]).map(Number),
    createdAt: new Date(row.created_at as string | Date).toISOString(),
    lastUsedAt: isoOrNull(row.last_used_at),
    revokedAt: isoOrNull(row.revoked_at),
  };
}

/**
 * Selected beside every read that decides whether a key may be used (issue 13.10). Hyperdrive
 * caches read queries (60 s by default, served stale 15 s more) unless they call a function
 * PostgreSQL marks volatile; clock_timestamp() is one. Without it a revoked key kept working
 * through the cached answer for up to about two minutes, whatever API_KEY_CACHE_TTL_SECONDS says.
 */
export const UNCACHEABLE = sql.raw('clock_timestamp() AS read_at');

type Row = Record<string, unknown>;

export async function findKeyByHash(db: Database, hash: string): Promise<ApiKeyRecord | null> {
  const [row] = await queryRows<Row>(db, sql`SELECT ${COLUMNS}, ${UNCACHEABLE} FROM api_keys WHERE hash = ${hash}`);
  return row ? toRecord(row) : null;
}

export async function listKeys(db: Database): Promise<ApiKeyRecord[]> {
  const rows = await queryRows<Row>(db, sql`SELECT ${COLUMNS} FROM api_keys ORDER BY name`);
  return rows.map(toRecord);
}

export class KeyNameTaken extends Error {
  // A plain field, not a parameter property: Node's type stripping (npm run keys) cannot run those.
  readonly keyName: string;
  constructor(keyName: string) {
    super(`An API key named ${keyName} already exists (names are never reused, even after revocation)`);
    this.keyName = keyName;
  }
}

/**
 * Stores a new key and returns it with its text (the only time the text exists outside the
 * caller). A prefix that happens to be taken is drawn again; a taken name is KeyNameTaken.
 */
export async function createKey(
  db: Database,
  spec: KeySpec,
  generate: () => Promise<GeneratedKey>,
): Promise<{ record: ApiKeyRecord; key: string }> {
  for (let attempt = 1; ; attempt++) {
    const generated = await generate();
    try {
      const [row] = await queryRows<Row>(
        db,
        sql`INSERT INTO api_keys (name, prefix, hash, scopes, companies)
            VALUES (${spec.name}, ${generated.prefix}, ${generated.hash}, ${sql.param(spec.scopes)}::text[], ${sql.param(spec.companies)}::bigint[])
            RETURNING ${COLUMNS}`,
      );
      if (!row) throw new Error('insert returned no row');
      return { record: toRecord(row), key: generated.key };
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === 'api_keys_name_key') throw new KeyNameTaken(spec.name);
      if (constraint !== null && attempt < 5) continue; // prefix or hash collision: draw again
      throw error;
    }
  }
}

export type KeySelector = { name: string } | { prefix: string };

/**
 * Marks a key revoked (idempotent: a second revoke keeps the first time). Null when no key
 * matches. The auth middleware refuses it at the latest when its cache entry expires.
 */
export async function revokeKey(
  db: Database,
  selector: KeySelector,
): Promise<{ record: ApiKeyRecord; alreadyRevoked: boolean } | null> {
  const [name, prefix] = 'name' in selector ? [selector.name, null] : [null, selector.prefix];
  const [row] = await queryRows<Row>(
    db,
    sql`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
        WHERE name = ${name} OR prefix = ${prefix}
        RETURNING ${COLUMNS}, revoked_at < now() AS already_revoked`,
  );
  return row ? { record: toRecord(row), alreadyRevoked: row.already_revoked === true } : null;
}

/** last_used_at, written at most once a minute per key whatever the number of isolates. */
export async function touchKey(db: Database, id: number): Promise<void> {
  await db.execute(
    sql`UPDATE api_keys SET last_used_at = now()
        WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
  );
}
