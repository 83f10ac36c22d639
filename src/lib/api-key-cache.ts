import type { ApiKeyRecord } from '../db/queries/admin-keys';

/**
 * Outlives requests: a small per-isolate cache of database keys by hash, so a busy key costs one
 * lookup per TTL instead of one per request. It is bounded (oldest entries leave first) and an
 * entry lives at most API_KEY_CACHE_TTL_SECONDS (at most 60): a key revoked elsewhere is refused
 * by every isolate within that time. A revoke through this isolate drops the entry at once.
 * Unknown hashes are remembered too, for API_KEY_MISS_CACHE_SECONDS, so a fake key sent again
 * and again costs one lookup (issue 13.9). That delays no real key: a key's text exists only
 * once its row does, so a hash that missed cannot start matching later.
 */
const MAX_ENTRIES = 1000;
const entries = new Map<string, { record: ApiKeyRecord; expiresAt: number }>();

export function cachedKey(hash: string, nowMs: number): ApiKeyRecord | undefined {
  const entry = entries.get(hash);
  if (!entry) return undefined;
  if (entry.expiresAt <= nowMs) {
    entries.delete(hash);
    return undefined;
  }
  return entry.record;
}

export function cacheKey(hash: string, record: ApiKeyRecord, ttlMs: number, nowMs: number): void {
  if (ttlMs <= 0) return;
  entries.delete(hash);
  if (entries.size >= MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(hash, { record, expiresAt: nowMs + ttlMs });
}

// Outlives requests: hashes that matched no key, and until when that answer stands (bounded).
const misses = new Map<string, number>();

export function isKnownMiss(hash: string, nowMs: number): boolean {
  const expiresAt = misses.get(hash);
  if (expiresAt === undefined) return false;
  if (expiresAt > nowMs) return true;
  misses.delete(hash);
  return false;
}

export function cacheMiss(hash: string, ttlMs: number, nowMs: number): void {
  if (ttlMs <= 0) return;
  misses.delete(hash);
  if (misses.size >= MAX_ENTRIES) {
    const oldest = misses.keys().next().value;
    if (oldest !== undefined) misses.delete(oldest);
  }
  misses.set(hash, nowMs + ttlMs);
}

export function forgetKey(id: number): void {
  for (const [hash, entry] of entries) {
    if (entry.record.id === id) entries.delete(hash);
  }
}

// Outlives requests: when this isolate last wrote a key's last_used_at (bounded like the cache).
const touchedAt = new Map<number, number>();
const TOUCH_EVERY_MS = 60_000;

/** True at most once a minute per key and isolate; the UPDATE itself also skips recent ones. */
export function dueForTouch(record: ApiKeyRecord, nowMs: number): boolean {
  const last = touchedAt.get(record.id) ?? (record.lastUsedAt ? Date.parse(record.lastUsedAt) : 0);
  if (nowMs - last < TOUCH_EVERY_MS) return false;
  touchedAt.delete(record.id);
  if (touchedAt.size >= MAX_ENTRIES) {
    const oldest = touchedAt.keys().next().value;
    if (oldest !== undefined) touchedAt.delete(oldest);
  }
  touchedAt.set(record.id, nowMs);
  return true;
}
