// npm run db:migrate: applies sql/*.sql and sql/functions/*.sql to DATABASE_URL (or PG_HOST...), idempotently.
import pg from 'pg';
import { migrate } from '../src/db/migrator.ts';
import { requireDatabaseUrl } from './lib/database-url.mjs';
import { readMigrations } from './lib/migrations.mjs';

const url = requireDatabaseUrl(process.argv[2]);
const client = new pg.Client({ connectionString: url });
try {
  await client.connect();
  const applied = await migrate(client, readMigrations(), (line) => console.log(line));
  console.log(applied.length ? `migrations: ${applied.length} applied` : 'migrations: up to date');
} catch (error) {
  console.error(`migration failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => {});
}
