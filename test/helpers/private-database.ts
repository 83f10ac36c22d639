import { env } from 'cloudflare:workers';
import { migrate } from '../../src/db/migrator';
import { withClient } from '../helpers/sql';

/**
 * A migrated database of one test file's own, beside the shared test database on the same
 * server, for tests that lock whole tables or run maintenance and must not disturb the files
 * running in parallel. Only on a real PostgreSQL server (the embedded one has one database).
 */
export interface PrivateDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createPrivateDatabase(label: string): Promise<PrivateDatabase> {
  const admin = new URL(env.TEST_DATABASE_URL);
  admin.pathname = '/postgres';
  const name = `pyaudit_${label}_${crypto.randomUUID().replace(/-/g, '').slice(0, 10)}`;
  // CREATE DATABASE copies template1 and fails while another session copies it: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await withClient((c) => c.query(`CREATE DATABASE ${name}`), admin.toString());
      break;
    } catch (error) {
      if (attempt >= 10 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
  const url = new URL(env.TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  await withClient((c) => migrate(c, JSON.parse(env.TEST_MIGRATIONS)), url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      await withClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`), admin.toString());
    },
  };
}

/** The same database reached through the fault proxy (same server, so only the port changes). */
export function throughFaultProxy(url: string): string {
  const proxied = new URL(url);
  proxied.port = new URL(env.TEST_FAULT_PROXY_URL).port;
  return proxied.toString();
}

export const hyperdriveAt = (connectionString: string) => ({ HYPERDRIVE: { connectionString } as Hyperdrive });

/** The fault proxy's control port (test/helpers/fault-proxy.mjs). */
export async function faultProxy(
  action: 'up' | 'down' | 'hang' | 'state' | 'arm',
  params: Record<string, string> = {},
): Promise<{ mode: string; open: number; accepted: number; fired: number; armed: boolean; killedPorts: number[] }> {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${env.TEST_FAULT_PROXY_CONTROL}/${action}${query ? `?${query}` : ''}`, {
    method: 'POST',
  });
  if (!response.ok) throw new Error(`fault proxy ${action}: ${response.status}`);
  return response.json();
}
