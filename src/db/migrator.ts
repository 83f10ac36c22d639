/**
 * The migration runner's core, shared by `npm run db:migrate` (Node), `npm run dev`, the
 * benchmark and the tests (workerd). It takes any client with pg's query() and the files of
 * sql/ as { name, sql }, names relative to sql/ (scripts/lib/migrations.mjs reads them).
 * Self-contained (no imports) so Node can load it with type stripping.
 *
 * Two kinds of file (docs/migrations.md has the rules):
 * - numbered, `NNN_name.sql`: schema changes, applied once in name order and never edited
 *   (the checksum recorded in schema_migrations must keep matching). One whose first line is
 *   `-- superseded-by: NNN` is not applied to a database that has not run it yet: it is
 *   recorded as skipped, and the later migration it names does what is needed instead. That
 *   line is left out of the checksum, so marking a migration does not "change" it for the
 *   databases that did apply it.
 * - repeatable, `functions/name.sql`: CREATE OR REPLACE of functions and procedures, re-applied
 *   whenever the file's checksum differs from the one recorded, and all of them after any
 *   numbered migration was applied (a schema change may have dropped or replaced one).
 *
 * Order: pending numbered files first, then function files, each in name order, each file in
 * its own transaction. Concurrent-safe: a session advisory lock makes a second runner wait,
 * then find nothing to do.
 */
export interface Migration {
  name: string;
  sql: string;
}

export interface QueryClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

const MIGRATION_LOCK = 7262000;
const FUNCTIONS_FOLDER = 'functions/';
const SUPERSEDED_MARK = /^-- superseded-by: (\d{3})[ \t]*(?:\r?\n|$)/;

interface Recorded {
  checksum: string;
}

interface Numbered extends Migration {
  checksum: string;
  /** The full name of the migration that replaces this one, when it is marked superseded. */
  supersededBy?: string;
}

export const isFunctionFile = (name: string) => name.startsWith(FUNCTIONS_FOLDER);

async function checksum(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const byName = (a: Migration, b: Migration) => a.name.localeCompare(b.name);

/** Numbered files in order, each with its checksum and (if marked) the migration that supersedes it. */
async function describeNumbered(migrations: Migration[]): Promise<Numbered[]> {
  const numbered = migrations.filter((m) => !isFunctionFile(m.name)).sort(byName);
  return Promise.all(
    numbered.map(async (migration) => {
      const mark = SUPERSEDED_MARK.exec(migration.sql);
      if (!mark) return { ...migration, checksum: await checksum(migration.sql) };
      const successor = numbered.find((m) => m.name.startsWith(`${mark[1]}_`));
      if (!successor || successor.name <= migration.name) {
        throw new Error(`Migration ${migration.name} is superseded by ${mark[1]}, which is not a later migration`);
      }
      return {
        ...migration,
        checksum: await checksum(migration.sql.slice(mark[0].length)),
        supersededBy: successor.name,
      };
    }),
  );
}

async function readHistory(client: QueryClient): Promise<Map<string, Recorded>> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
  // Set when a superseded migration was skipped rather than run.
  await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS superseded_by text');
  const { rows } = await client.query('SELECT name, checksum FROM schema_migrations');
  return new Map(rows.map((r) => [String(r.name), { checksum: String(r.checksum) }]));
}

/** Runs one file and records it, in one transaction. */
async function applyFile(client: QueryClient, name: string, sql: string, sum: string) {
  await client.query('BEGIN');
  try {
    await client.query(sql);
    await client.query(
      `INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()`,
      [name, sum],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
  }
}

/** Applies what is pending; returns the names of the files it ran (skipped ones are not included). */
export async function migrate(
  client: QueryClient,
  migrations: Migration[],
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const numbered = await describeNumbered(migrations);
  const functions = migrations.filter((m) => isFunctionFile(m.name)).sort(byName);
  const applied: string[] = [];
  await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    const history = await readHistory(client);

    for (const migration of numbered) {
      const previous = history.get(migration.name);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new Error(
            `Migration ${migration.name} was changed after it was applied; add a new migration file instead`,
          );
        }
        continue;
      }
      if (migration.supersededBy) {
        await client.query('INSERT INTO schema_migrations (name, checksum, superseded_by) VALUES ($1, $2, $3)', [
          migration.name,
          migration.checksum,
          migration.supersededBy,
        ]);
        log(`skipped ${migration.name} (superseded by ${migration.supersededBy})`);
        continue;
      }
      await applyFile(client, migration.name, migration.sql, migration.checksum);
      applied.push(migration.name);
      log(`applied ${migration.name}`);
    }

    const schemaChanged = applied.length > 0;
    for (const file of functions) {
      const sum = await checksum(file.sql);
      if (!schemaChanged && history.get(file.name)?.checksum === sum) continue;
      await applyFile(client, file.name, file.sql, sum);
      applied.push(file.name);
      log(`applied ${file.name}`);
    }
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
  }
  return applied;
}
