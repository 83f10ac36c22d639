import { z } from 'zod';

/**
 * The Worker's configuration, checked once per Env object at the entry. The Env type itself
 * comes from `wrangler types` (worker-configuration.d.ts); this schema adds parsing and
 * defaults so the rest of the code reads typed values.
 */
const intFrom = (fallback: number, min: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : Number(v)))
    .pipe(z.number().int().min(min));

const optionalIntFrom = (min: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? null : Number(v)))
    .pipe(z.number().int().min(min).nullable());

export const ConfigSchema = z.object({
  DB_DRIVER: z.enum(['hyperdrive', 'postgres-js', 'neon']).default('hyperdrive'),
  NEON_DATABASE_URL: z.string().optional(),
  /** Test-only: a local WebSocket-to-TCP proxy (host:port) for the Neon driver. */
  NEON_LOCAL_WS_PROXY: z.string().optional(),
  API_KEYS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k.length > 0),
    ),
  LOG_LEVEL: z
    .string()
    .default('INFO')
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(['DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR'])),
  MAX_BODY_BYTES: intFrom(1_048_576, 1024),
  MAX_FUTURE_SKEW_SECONDS: intFrom(86_400, 0),
  QUERY_TIMEOUT_MS: intFrom(5_000, 100),
  EXPORT_QUERY_TIMEOUT_MS: intFrom(60_000, 100),
  HEALTHCHECK_TIMEOUT_MS: intFrom(2_000, 100),
  RETENTION_MONTHS: intFrom(12, 1),
  ARCHIVE_RETENTION_MONTHS: optionalIntFrom(1),
  /** Monthly partitions kept ready after the current month (daily cron and maintenance). */
  PARTITION_MONTHS_AHEAD: intFrom(5, 0).pipe(z.number().max(120)),
  /** Seconds a database API key's record may be cached per isolate; revocation waits at most this. */
  API_KEY_CACHE_TTL_SECONDS: intFrom(60, 0).pipe(z.number().max(60)),
  /**
   * Search and recent pages stop once their rows hold this many bytes of message and additional
   * data as text, and say so (`truncated`; issue 13.2). 8 MB keeps an answer's JSON and its
   * copies well inside a Worker's 128 MB; ordinary pages of 5000 rows hold ~1 MB.
   */
  PAGE_MAX_BYTES: intFrom(8_000_000, 1_000),
  /**
   * The oldest event accepted, in Central Time months before the current one (issue 13.5): an
   * older one is a 422, so no key can make partitions for every month back to 1970. When
   * ARCHIVE_RETENTION_MONTHS is set the bound is at most that (older months are hard-deleted).
   */
  MAX_EVENT_AGE_MONTHS: intFrom(120, 1).pipe(z.number().max(1200)),
  /** Seconds a hash that matched no database key is remembered per isolate (0-300; issue 13.9). */
  API_KEY_MISS_CACHE_SECONDS: intFrom(60, 0).pipe(z.number().max(300)),
  /** Wrong keys one client address may send per window before 429 (per isolate; issue 13.9). */
  AUTH_FAILURE_LIMIT: intFrom(20, 1),
  AUTH_FAILURE_WINDOW_SECONDS: intFrom(60, 1),
  /** How long the healthcheck's database answer is reused (ms; 0 = probe on every request). */
  HEALTHCHECK_CACHE_MS: intFrom(2_000, 0).pipe(z.number().max(60_000)),
  /** Record reads of the trail and admin actions as `Audit Service` events (docs/security-keys.md). */
  SELF_AUDIT: z
    .enum(['true', 'false', ''])
    .optional()
    .transform((v) => v !== 'false'),
  /** The period of the KEY_RATE_LIMITER binding (10 or 60 s), sent as Retry-After with a 429. */
  RATE_LIMIT_PERIOD_SECONDS: intFrom(60, 1),
  /** Live tail: a comment line this often keeps proxies from closing an idle stream (milliseconds). */
  LIVE_TAIL_HEARTBEAT_MS: intFrom(15_000, 100),
  /** Live tail: open streams one key may hold at once (429 past it). */
  LIVE_TAIL_MAX_STREAMS_PER_KEY: intFrom(10, 1),
  /** Live tail: the fan-out's slow poll while streams are open, so a lost notification is still delivered. */
  LIVE_TAIL_POLL_MS: intFrom(1_000, 50),
  /**
   * Live tail: the name of the fan-out object streams and notifications meet in. One per
   * deployment; workers given another name have a fan-out of their own (the tests use one to
   * restart it without touching the others' streams).
   */
  LIVE_TAIL_OBJECT: z.string().min(1).max(100).default('live-tail'),
  /** Queued ingest: direct (create/batch write and answer 201) or queue (they enqueue, 202). docs/queued-ingest.md */
  INGEST_MODE: z
    .enum(['direct', 'queue', ''])
    .default('direct')
    .transform((v) => (v === '' ? 'direct' : v)),
  /** Queued ingest: the consumer's first retry delay while the database is down (seconds), doubling per attempt. */
  INGEST_RETRY_BASE_SECONDS: intFrom(2, 0),
  /** Queued ingest: the longest retry delay (seconds; Queues allows 43,200). */
  INGEST_RETRY_MAX_SECONDS: intFrom(600, 0).pipe(z.number().max(43_200)),
  /** Queued ingest: how long enqueue waits for the catalogue check before leaving it to the consumer (ms). */
  INGEST_CATALOGUE_CHECK_MS: intFrom(1_000, 0),
  /** Ed25519 private key that signs integrity blocks (a secret; docs/integrity.md). Unset: no sealing. */
  INTEGRITY_SIGNING_KEY: z.string().optional(),
  /** Earlier public keys verification still accepts after a key rotation (comma-separated). */
  INTEGRITY_PUBLIC_KEYS: z.string().default(''),
  /** Most events one integrity block holds; a seal makes several blocks when more are waiting. */
  INTEGRITY_BLOCK_MAX_EVENTS: intFrom(10_000, 1).pipe(z.number().max(100_000)),
  /**
   * Group commit (docs/group-commit.md): most single creates (and, separately, self-audit rows)
   * one shared INSERT takes in an isolate; 1 turns grouping off (every create its own statement).
   */
  GROUP_COMMIT_MAX_EVENTS: intFrom(100, 1).pipe(z.number().max(1000)),
  /** Group commit: groups written at once per isolate; more wait, and keep taking members meanwhile. */
  GROUP_COMMIT_MAX_IN_FLIGHT: intFrom(2, 1).pipe(z.number().max(64)),
  /**
   * Seconds a search's count may be reused per isolate for the same filter and key scope (0 =
   * count every time); a page that is the last one needs no count (src/db/search-total.ts).
   */
  SEARCH_COUNT_REUSE_SECONDS: intFrom(5, 0).pipe(z.number().max(300)),
  /** Test-only: rows per sheet before an export continues on the next sheet. */
  EXPORT_ROWS_PER_SHEET: intFrom(1_048_575, 1),
});

export type Config = z.infer<typeof ConfigSchema> & { hyperdrive?: Hyperdrive };

// Outlives requests: one parsed config per Env object (the runtime reuses it per isolate).
const parsed = new WeakMap<object, Config>();

/** Which database the config points at: per-isolate state (groups, reused counts) never mixes two. */
export const databaseTarget = (config: Config): string =>
  `${config.DB_DRIVER} ${config.DB_DRIVER === 'neon' ? config.NEON_DATABASE_URL : config.hyperdrive?.connectionString}`;

export class ConfigError extends Error {}

export function loadConfig(env: Env): Config {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new ConfigError(`Invalid Worker configuration: ${fields}`);
  }
  const config: Config = { ...result.data, hyperdrive: (env as { HYPERDRIVE?: Hyperdrive }).HYPERDRIVE };
  if (config.DB_DRIVER === 'neon' && !config.NEON_DATABASE_URL) {
    throw new ConfigError('DB_DRIVER=neon needs the NEON_DATABASE_URL secret');
  }
  if (config.DB_DRIVER !== 'neon' && !config.hyperdrive) {
    throw new ConfigError(`DB_DRIVER=${config.DB_DRIVER} needs the HYPERDRIVE binding`);
  }
  parsed.set(env, config);
  return config;
}
