import pg from 'pg';
import { configuredDatabaseUrl } from '../../scripts/lib/database-url.mjs';
import { readMigrations } from '../../scripts/lib/migrations.mjs';
import { migrate } from '../../src/db/migrator.ts';

/** The PostgreSQL server to use: DATABASE_URL (or PG_*), else the local one. */
export function serverUrl() {
  return configuredDatabaseUrl() ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The same server, another database. */
export function databaseUrl(base, name) {
  const u = new URL(base);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

export async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const ident = (name) => `"${name.replace(/"/g, '""')}"`;

export async function databaseExists(adminUrl, name) {
  return withClient(
    adminUrl,
    async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount > 0,
  );
}

export async function dropDatabase(adminUrl, name) {
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

/** Creates the database unless it exists; `template` copies another database file by file. */
export async function createDatabase(adminUrl, name, { template } = {}) {
  if (await databaseExists(adminUrl, name)) return false;
  const from = template ? ` TEMPLATE ${ident(template)} STRATEGY = FILE_COPY` : '';
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${ident(name)}${from}`));
  return true;
}

/** Applies the migrations (sql/, sql/functions/); a changed, already-applied migration means the database must be rebuilt. */
export async function migrateDatabase(url) {
  return withClient(url, async (client) => {
    try {
      return await migrate(client, readMigrations());
    } catch (error) {
      if (/was changed after it was applied/.test(error.message)) {
        error.message += ' (benchmark databases: rerun with --fresh to rebuild them)';
      }
      throw error;
    }
  });
}

/**
 * What the service's daily cron does to a database (sql/functions/message-index.sql): each closed
 * month gets its message trigram index, so searches meet the indexes a deployed service has.
 * Nothing to do on later runs.
 */
export async function indexClosedMonths(client, log) {
  const { rows: steps } = await client.query('SELECT statement FROM auditevents_message_index_statements()');
  if (steps.length > 0)
    log(`message index: ${steps.length} statement(s) for the closed months, as the daily cron runs them...`);
  for (const step of steps) await client.query(step.statement);
}
