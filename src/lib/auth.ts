import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { openDatabase } from '../db/client';
import { findKeyByHash, queryClientOf, touchKey } from '../db/queries/api-keys';
import { afterResponse, closeAfterResponse } from './after-response';
import { cachedKey, cacheKey, dueForTouch } from './api-key-cache';
import { grantableCompanies, hashApiKey, LEGACY_NAME_PREFIX, prefixOf, SCOPES, type Scope } from './api-keys';
import { HttpError, unauthorized } from './errors';

export { SCOPES, type Scope } from './api-keys';

export const API_KEY_HEADER = 'CSIQ-APIKEY';

/** Who is calling: a key's name, what it may do and which companies it may see (null = all). */
export interface Principal {
  name: string;
  scopes: readonly Scope[];
  companies: readonly number[] | null;
  /** legacy = a key of the API_KEYS secret (full access); database = a row of api_keys. */
  source: 'legacy' | 'database';
  /** api_keys.id and prefix of a database key; null for legacy keys. */
  keyId: number | null;
  prefix: string | null;
}

const encoder = new TextEncoder();
const sha256 = async (text: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));

/**
 * Constant-time check against every configured key: both sides are hashed to equal length and
 * compared with timingSafeEqual, and every key is compared, so timing says nothing.
 * Returns the index of the matching key, or -1.
 */
export async function matchingKeyIndex(presented: string, keys: readonly string[]): Promise<number> {
  const presentedHash = await sha256(presented);
  let matched = -1;
  for (const [index, key] of keys.entries()) {
    const keyHash = await sha256(key);
    if (crypto.subtle.timingSafeEqual(presentedHash, keyHash) && matched === -1) matched = index;
  }
  return matched;
}

export async function matchesAnyKey(presented: string, keys: readonly string[]): Promise<boolean> {
  return (await matchingKeyIndex(presented, keys)) >= 0;
}

/** Query parameter names under which callers have tried to pass a key; refused, never used. */
const KEY_QUERY_NAMES = ['csiq-apikey', 'api_key', 'apikey', 'api-key', 'key'];

/**
 * The presented key -> who is calling, or null (401). Keys of the API_KEYS secret first (full
 * access, named legacy-key-<n> by position); otherwise a well-formed `pak_` key is looked up by
 * its SHA-256 (the hash is the index, so no plaintext is ever compared), through the per-isolate
 * cache. Anything else never reaches the database.
 */
async function identify(c: Context<AppEnv>, presented: string): Promise<Principal | null> {
  const { config } = c.var;
  const legacy = await matchingKeyIndex(presented, config.API_KEYS);
  if (legacy >= 0) {
    return {
      name: `${LEGACY_NAME_PREFIX}${legacy + 1}`,
      scopes: SCOPES,
      companies: null,
      source: 'legacy',
      keyId: null,
      prefix: null,
    };
  }
  if (prefixOf(presented) === null) return null;
  const hash = await hashApiKey(presented);
  const nowMs = Date.now();
  const ttlMs = config.API_KEY_CACHE_TTL_SECONDS * 1000;
  let record = ttlMs > 0 ? cachedKey(hash, nowMs) : undefined;
  if (!record) {
    // A connection of its own, not the request's: a route may still open that one with its own
    // settings (the export's longer statement timeout).
    const handle = openDatabase(config, { statementTimeoutMs: config.QUERY_TIMEOUT_MS });
    let found: Awaited<ReturnType<typeof findKeyByHash>>;
    try {
      found = await findKeyByHash(queryClientOf(handle.db), hash);
    } finally {
      closeAfterResponse(c, handle);
    }
    if (!found) return null;
    record = found;
    cacheKey(hash, record, ttlMs, nowMs);
  }
  if (record.revokedAt !== null) return null;
  if (dueForTouch(record, nowMs)) {
    const id = record.id;
    afterResponse(c, 'last_used_at update', (db) => touchKey(queryClientOf(db), id));
  }
  return {
    name: record.name,
    scopes: record.scopes,
    // A key granted company 0 before it was refused must not read the service's own rows.
    companies: grantableCompanies(record.companies),
    source: 'database',
    keyId: record.id,
    prefix: record.prefix,
  };
}

export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  for (const name of url.searchParams.keys()) {
    if (KEY_QUERY_NAMES.includes(name.toLowerCase())) {
      throw new HttpError(400, `API keys are not accepted in the query string; send the ${API_KEY_HEADER} header`);
    }
  }
  const presented = c.req.header(API_KEY_HEADER);
  if (presented === undefined || presented === '') throw unauthorized('API Key is missing');
  const principal = await identify(c, presented);
  if (!principal) throw unauthorized('Invalid API Key');
  c.set('principal', principal);
  await next();
};
