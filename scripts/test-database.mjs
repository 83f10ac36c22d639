// A database for one test run: with DATABASE_URL, a fresh database created beside it (dropped
// on SIGTERM); without, an in-memory embedded PostgreSQL. Migrated. Prints `READY <url>`.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../src/db/migrator.ts';
import { configuredDatabaseUrl, withPassword } from './lib/database-url.mjs';
import { readMigrations } from './lib/migrations.mjs';
import { spawnReady } from './lib/spawn-ready.mjs';

const label = process.argv[2] ?? 'main';
const adminUrl = configuredDatabaseUrl();
let cleanup = async () => {};
let url;

if (adminUrl) {
  const name = `pyaudit_test_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(withPassword(adminUrl));
  u.pathname = `/${name}`;
  url = u.toString();
  cleanup = async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
} else {
  const embedded = await spawnReady(new URL('./embedded-postgres.mjs', import.meta.url).pathname, ['--port', '0']);
  url = `postgres://postgres:local@127.0.0.1:${embedded.port}/postgres`;
  cleanup = async () => {
    embedded.child.kill('SIGTERM');
  };
}

const client = new pg.Client({ connectionString: url });
await client.connect();
await migrate(client, readMigrations());
await client.end();
console.log(`READY ${url}`);

// Nothing else keeps this process alive on the DATABASE_URL path; it must live until SIGTERM
// so that it can drop its database.
const keepAlive = setInterval(() => {}, 1 << 30);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(keepAlive);
  await cleanup().catch((error) => console.error(`cleanup failed: ${error.message}`));
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
