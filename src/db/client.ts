import type { Duplex } from 'node:stream';
import { Pool as NeonPool, neonConfig } from '@neondatabase/serverless';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzleNeon } from 'drizzle-orm/neon-serverless';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Config } from '../env';
import { CoalescingSocket } from './coalescing-socket';
import { useRowParser } from './pg-data-rows';
import { openPostgresJs } from './postgres-js';

export type Database = PgDatabase<PgQueryResultHKT>;

/** One request's connection: drizzle on top, and how to close it. */
export interface DatabaseHandle {
  db: Database;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** statement_timeout for this connection, in milliseconds. */
  statementTimeoutMs: number;
}

const swallow = () => {
  // After end(), workerd may report "This socket has been closed."; the request is done.
};

/**
 * Opens a connection for one request, over Hyperdrive (node-postgres, or postgres.js with
 * DB_DRIVER=postgres-js) or the Neon serverless driver, as configured. The same drizzle query
 * code runs on each (docs/benchmark.md, "Drivers", compares them).
 */
export function openDatabase(config: Config, options: OpenOptions): DatabaseHandle {
  if (config.DB_DRIVER === 'neon') return openNeon(config, options);
  if (config.DB_DRIVER === 'postgres-js') return openPostgresJs(hyperdriveOf(config).connectionString, options);
  return openHyperdrive(config, options);
}

function hyperdriveOf(config: Config): Hyperdrive {
  if (!config.hyperdrive) throw new Error('HYPERDRIVE binding missing');
  return config.hyperdrive;
}

function openHyperdrive(config: Config, options: OpenOptions): DatabaseHandle {
  const hyperdrive = hyperdriveOf(config);
  const client = new pg.Client({
    connectionString: hyperdrive.connectionString,
    statement_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: 5_000,
    // One socket write per turn of the event loop instead of one per protocol message. pg calls
    // this with its connection config, as it calls its own socket factory (TLS when `ssl`).
    stream: ((connection: { ssl?: unknown }) =>
      new CoalescingSocket(Boolean(connection.ssl))) as unknown as () => Duplex,
  });
  // Rows decoded one text per row instead of one per field (src/db/pg-data-rows.ts).
  useRowParser(client.connection);
  client.on('error', swallow);
  const connected = client.connect();
  connected.catch(swallow);
  // pg queues a query sent before the connection is up and, when connecting fails, never answers
  // it: the request would hang until the platform kills it. Queries wait for the connection and
  // fail with its error instead (a 503 upstream). drizzle only uses the promise form.
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.query = ((...args: unknown[]) => connected.then(() => query(...args))) as typeof client.query;
  return closeOnce(databaseOver(client), async () => {
    try {
      await connected;
    } catch {
      return; // never connected: nothing to end
    }
    await client.end().catch(swallow);
  });
}

// Outlives requests: whether neonConfig was pointed at the local test proxy already.
let neonLocalProxyConfigured = false;

function openNeon(config: Config, options: OpenOptions): DatabaseHandle {
  if (config.NEON_LOCAL_WS_PROXY && !neonLocalProxyConfigured) {
    // neonConfig is global: only a local proxy (tests, dev) ever gets these settings.
    const proxy = config.NEON_LOCAL_WS_PROXY;
    neonConfig.wsProxy = (host, port) => neonLocalProxyAddress(proxy, host, port);
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
    neonLocalProxyConfigured = true;
  }
  const pool = new NeonPool({
    connectionString: config.NEON_DATABASE_URL,
    max: 1,
    statement_timeout: options.statementTimeoutMs,
  } as ConstructorParameters<typeof NeonPool>[0]);
  pool.on('error', swallow);
  return closeOnce(drizzleNeon(pool) as unknown as Database, () => pool.end().catch(swallow));
}

/**
 * What neonConfig.wsProxy answers for the local proxy: host:port/v1?address=..., no scheme (the
 * driver puts ws:// in front). A proxy given as ws://host:port is taken too: passed on as it was,
 * the driver dialled ws://ws://host:port/..., a host named "ws", and workerd failed with "failed
 * to lookup address information" (the bench's first Neon attempt, docs/benchmark.md).
 */
export const neonLocalProxyAddress = (proxy: string, host: string, port: number | string): string =>
  `${proxy.replace(/^wss?:\/\//i, '').replace(/\/+$/, '')}/v1?address=${host}:${port}`;

/** The queries' client over a pg.Client someone else connected and will end (npm run keys, tests). */
export const databaseOver = (client: pg.Client): Database => drizzlePg(client) as unknown as Database;

/** A handle whose close() ends the connection once, however many owners call it. */
function closeOnce(db: Database, end: () => Promise<void>): DatabaseHandle {
  let closing: Promise<void> | undefined;
  return { db, close: () => (closing ??= end()) };
}

/**
 * Rows of a raw statement: node-postgres and Neon answer db.execute with pg's `{ rows }` result,
 * postgres.js with the array of rows itself.
 */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] } | T[];
  return Array.isArray(result) ? result : result.rows;
}
