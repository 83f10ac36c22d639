/**
 * The api_keys table (sql/020_api_keys.sql), for the Worker and for `npm run keys`. It takes any
 * client with pg's query(text, values) (pg.Client, the Neon Pool, drizzle's `$client`), and has
 * only type imports, so Node loads it with type stripping like src/db/migrator.ts.
 * The key's text never comes here: only its SHA-256 and its prefix.
 */
import type { GeneratedKey, KeySpec, Scope } from '../../lib/api-keys';
import type { Database } from '../client';

export interface QueryClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** The driver client under a request's drizzle handle: pg.Client or the Neon Pool, both pg-shaped. */
export const queryClientOf = (db: Database): QueryClient => (db as unknown as { $client: QueryClient }).$client;

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

const COLUMNS = 'id, name, prefix, scopes, companies, created_at, last_used_at, revoked_at';

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
export const UNCACHEABLE = 'clock_timestamp() AS read_at';

export async function findKeyByHash(client: QueryClient, hash: string): Promise<ApiKeyRecord | null> {
  const { rows } = await client.query(`SELECT ${COLUMNS}, ${UNCACHEABLE} FROM api_keys WHERE hash = $1`, [hash]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function listKeys(client: QueryClient): Promise<ApiKeyRecord[]> {
  const { rows } = await client.query(`SELECT ${COLUMNS} FROM api_keys ORDER BY name`);
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

const uniqueViolationOf = (error: unknown): string | null =>
  (error as { code?: string }).code === '23505' ? ((error as { constraint?: string }).constraint ?? '') : null;

/**
 * Stores a new key and returns it with its text (the only time the text exists outside the
 * caller). A prefix that happens to be taken is drawn again; a taken name is KeyNameTaken.
 */
export async function createKey(
  client: QueryClient,
  spec: KeySpec,
  generate: () => Promise<GeneratedKey>,
): Promise<{ record: ApiKeyRecord; key: string }> {
  for (let attempt = 1; ; attempt++) {
    const generated = await generate();
    try {
      const { rows } = await client.query(
        `INSERT INTO api_keys (name, prefix, hash, scopes, companies)
         VALUES ($1, $2, $3, $4::text[], $5::bigint[])
         RETURNING ${COLUMNS}`,
        [spec.name, generated.prefix, generated.hash, spec.scopes, spec.companies],
      );
      const row = rows[0];
      if (!row) throw new Error('insert returned no row');
      return { record: toRecord(row), key: generated.key };
    } catch (error) {
      const constraint = uniqueViolationOf(error);
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
  client: QueryClient,
  selector: KeySelector,
): Promise<{ record: ApiKeyRecord; alreadyRevoked: boolean } | null> {
  const [name, prefix] = 'name' in selector ? [selector.name, null] : [null, selector.prefix];
  const { rows } = await client.query(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
     WHERE name = $1 OR prefix = $2
     RETURNING ${COLUMNS}, revoked_at < now() AS already_revoked`,
    [name, prefix],
  );
  const row = rows[0];
  return row ? { record: toRecord(row), alreadyRevoked: row.already_revoked === true } : null;
}

/** last_used_at, written at most once a minute per key whatever the number of isolates. */
export async function touchKey(client: QueryClient, id: number): Promise<void> {
  await client.query(
    `UPDATE api_keys SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
  );
}
