import { drizzle as drizzlePostgresJs } from 'drizzle-orm/postgres-js';
import pg from 'pg';
import postgres from 'postgres';
import type { Database, DatabaseHandle, OpenOptions } from './client';
import { workerdSocket } from './workerd-socket';

/**
 * postgres.js (DB_DRIVER=postgres): the same Hyperdrive connection string as node-postgres, over
 * workerd's TCP sockets (postgres.js has a Workers build on `cloudflare:sockets`). Set up so the
 * queries get what they get from node-postgres:
 *
 * - `prepare: false`: unnamed statements only. Hyperdrive and pgbouncer in transaction mode share
 *   server connections between clients; a named statement may be gone (or another's) next time.
 * - `fetch_types: false`: postgres.js would otherwise read pg_type on every new connection, an
 *   extra round trip per request (the Worker opens one connection per request). The built-in array
 *   types the queries read (text[], bigint[], ...) get node-postgres's own parsers instead, so
 *   `scopes` and `companies` come back as arrays, not as '{...}' text.
 * - its socket is src/db/workerd-socket.ts (why there).
 * - parameters without a type of their own (strings, numbers, arrays, objects) are turned into
 *   text as node-postgres does: an array becomes an array literal (postgres.js would send
 *   `'' + [1, 2]`, "1,2"), an object its JSON.
 */
export function openPostgresJs(connectionString: string, options: OpenOptions): DatabaseHandle {
  const client = postgres(connectionString, {
    max: 1,
    prepare: false,
    fetch_types: false,
    connect_timeout: 5,
    idle_timeout: 0,
    // Sent in the startup packet, as node-postgres's statement_timeout option is.
    connection: { statement_timeout: options.statementTimeoutMs },
    onnotice: () => {},
    // The typings leave out the (documented) socket option.
    ...({ socket: connectSocket } as unknown as Record<string, never>),
    types: LIKE_NODE_POSTGRES,
  });
  let closing: Promise<void> | undefined;
  return {
    db: drizzlePostgresJs(client) as unknown as Database,
    // Graceful (Terminate after the last query), but never waits more than a few seconds.
    close: () => (closing ??= client.end({ timeout: 5 }).catch(() => {})),
  };
}

const connectSocket = ({ host, port }: { host: string[]; port: number[] }) =>
  workerdSocket(host[0] ?? 'localhost', port[0] ?? 5432);

// Array types whose elements node-postgres parses into JS values (numbers, booleans, JSON); the
// date and numeric arrays are left as text, as drizzle asks of both drivers.
const ARRAY_TYPES = {
  bool: 1000,
  int2: 1005,
  int4: 1007,
  int8: 1016,
  text: 1009,
  varchar: 1015,
  bpchar: 1014,
  float4: 1021,
  float8: 1022,
  oid: 1028,
  json: 199,
  jsonb: 3807,
  uuid: 2951,
} as const;

// @types/pg lists only the scalar type ids; getTypeParser knows the array ones too.
const parserOf = (oid: number) =>
  pg.types.getTypeParser(oid as Parameters<typeof pg.types.getTypeParser>[0], 'text') as (x: string) => unknown;

const LIKE_NODE_POSTGRES = {
  ...Object.fromEntries(
    Object.entries(ARRAY_TYPES).map(([name, oid]) => [
      `${name}_array`,
      { to: oid, from: [oid], serialize: toText, parse: parserOf(oid) },
    ]),
  ),
  // postgres.js gives strings, numbers, arrays and objects the type 0 ("server decides").
  untyped: { to: 0, from: [] as number[], serialize: toText, parse: (x: string) => x },
};

/** A parameter as text, the way node-postgres's prepareValue makes it. */
function toText(value: unknown): string {
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) return JSON.stringify(value);
  return String(value);
}

function arrayLiteral(values: unknown[]): string {
  const items = values.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return arrayLiteral(item);
    const text = item instanceof Date ? item.toISOString() : toText(item);
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}
