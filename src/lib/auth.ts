import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { openDatabase } from '../db/client';
import { findKeyByHash, touchKey } from '../db/queries/admin-keys';
import { afterResponse, closeAfterResponse } from './after-response';
import { cachedKey, cacheKey, cacheMiss, dueForTouch, isKnownMiss } from './api-key-cache';
import { grantableCompanies, hashApiKey, LEGACY_NAME_PREFIX, prefixOf, SCOPES, type Scope } from './api-keys';
import { blockedSeconds, clientAddress, recordFailure } from './auth-failures';
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
  const keyHashes = await hashesOf(keys);
  let matched = -1;
  for (const [index, keyHash] of keyHashes.entries()) {
    if (crypto.subtle.timingSafeEqual(presentedHash, keyHash) && matched === -1) matched = index;
  }
  return matched;
}

// Outlives requests: the configured keys' hashes, per list. The config (with its API_KEYS list)
// is parsed once per env object (src/env.ts), so the keys are hashed once per isolate instead of
// on every request: one digest per request, the presented key's.
const keyHashesByList = new WeakMap<readonly string[], Promise<Uint8Array[]>>();

function hashesOf(keys: readonly string[]): Promise<Uint8Array[]> {
  let hashes = keyHashesByList.get(keys);
  if (!hashes) {
    hashes = Promise.all(keys.map(sha256));
    keyHashesByList.set(keys, hashes);
  }
  return hashes;
}

/** Query parameter names under which callers have tried to pass a key; refused, never used. */
const KEY_QUERY_NAMES = ['csiq-apikey', 'api_key', 'apikey', 'api-key', 'key'];

/**
 * The presented key -> who is calling, or null (401). Keys of the API_KEYS secret first (full
 * access, named legacy-key-<n> by position); otherwise a well-formed `pak_` key is looked up by
 * its SHA-256 (the hash is the index, so no plaintext is ever compared), through the per-isolate
 * cache, which remembers misses too. Anything else never reaches the database, and neither does
 * anything when `mayQuery` is false (the address failed too often): then 'blocked'.
 */
async function identify(
  c: Context<AppEnv>,
  presented: string,
  mayQuery: boolean,
): Promise<Principal | null | 'blocked'> {
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
    if (isKnownMiss(hash, nowMs)) return null;
    if (!mayQuery) return 'blocked';
    // A connection of its own, not the request's: a route may still open that one with its own
    // settings (the export's longer statement timeout).
    const handle = openDatabase(config, { statementTimeoutMs: config.QUERY_TIMEOUT_MS });
    let found: Awaited<ReturnType<typeof findKeyByHash>>;
    try {
      found = await findKeyByHash(handle.db, hash);
    } finally {
      closeAfterResponse(c, handle);
    }
    if (!found) {
      cacheMiss(hash, config.API_KEY_MISS_CACHE_SECONDS * 1000, nowMs);
      return null;
    }
    record = found;
    cacheKey(hash, record, ttlMs, nowMs);
  }
  if (record.revokedAt !== null) return null;
  if (dueForTouch(record, nowMs)) {
    const id = record.id;
    afterResponse(c, 'last_used_at update', (db) => touchKey(db, id));
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
  // An address past AUTH_FAILURE_LIMIT wrong keys in its window may still use a key known without
  // the database (API_KEYS, or cached), but nothing else: 429 until the window ends (issue 13.9).
  const { config } = c.var;
  const address = clientAddress(c.req.header('CF-Connecting-IP'));
  const nowMs = Date.now();
  const retryAfter = blockedSeconds(address, config.AUTH_FAILURE_LIMIT, nowMs);
  const principal = await identify(c, presented, retryAfter === 0);
  if (principal === 'blocked' || (principal === null && retryAfter > 0)) {
    throw new HttpError(
      429,
      `Too many failed authentications from this address; retry after ${retryAfter} seconds`,
      {},
      { 'Retry-After': String(retryAfter) },
    );
  }
  if (!principal) {
    recordFailure(address, config.AUTH_FAILURE_WINDOW_SECONDS * 1000, nowMs);
    throw unauthorized('Invalid API Key');
  }
  c.set('principal', principal);
  await next();
};
