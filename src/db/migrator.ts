/**
 * The migration runner's core, shared by `npm run db:migrate` (Node), `npm run dev` and the
 * tests (workerd). It takes any client with pg's query() and the migrations in name order.
 * Self-contained (no imports) so Node can load it with type stripping.
 *
 * Idempotent: applied files are recorded in schema_migrations with a checksum.
 * Concurrent-safe: a session advisory lock makes a second runner wait, then find nothing to do.
 */
export interface Migration {
  name: string;
  sql: string;
}

export interface QueryClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

const MIGRATION_LOCK = 7262000;

async function checksum(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function migrate(client: QueryClient, migrations: Migration[], log: (line: string) => void = () => {}) {
  const applied: string[] = [];
  await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query('SELECT name, checksum FROM schema_migrations');
    const done = new Map(rows.map((r) => [String(r.name), String(r.checksum)]));
    for (const migration of [...migrations].sort((a, b) => a.name.localeCompare(b.name))) {
      const sum = await checksum(migration.sql);
      const previous = done.get(migration.name);
      if (previous !== undefined) {
        if (previous !== sum) {
          throw new Error(
            `Migration ${migration.name} was changed after it was applied; add a new migration file instead`,
          );
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [migration.name, sum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`);
      }
      applied.push(migration.name);
      log(`applied ${migration.name}`);
    }
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
  }
  return applied;
}
