import { env } from 'cloudflare:workers';
import pg from 'pg';

/** Direct SQL for assertions and fixtures, beside the service (never instead of it). */
export async function withClient<T>(fn: (client: pg.Client) => Promise<T>, url = env.TEST_DATABASE_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function query<T extends Record<string, unknown>>(
  text: string,
  params: unknown[] = [],
  url = env.TEST_DATABASE_URL,
): Promise<T[]> {
  return withClient(async (c) => (await c.query(text, params)).rows as T[], url);
}

export async function countEventsOf(companyId: number): Promise<number> {
  const [row] = await query<{ n: string }>('SELECT count(*) AS n FROM auditevents_all WHERE companyid = $1', [
    companyId,
  ]);
  return Number(row?.n ?? 0);
}

/**
 * One event stored through auditevents_ingest (the statement create and batch run) on the
 * caller's connection, so the caller decides when its transaction commits. Returns its id.
 */
export async function ingestOnConnection(
  client: pg.Client,
  company: number,
  message: string,
  username: string,
): Promise<number> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM auditevents_ingest(jsonb_build_array(jsonb_build_object(
       'idx', 0, 'ts', now(), 'functionality', 'Authenticate', 'event_type', 'Login',
       'store_id', 1, 'company_id', $1::bigint, 'username', $3::text, 'message', $2::text,
       'status', 'Success')))`,
    [company, message, username],
  );
  return Number(rows[0]?.id);
}
