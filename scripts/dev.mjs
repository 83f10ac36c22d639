// npm run dev: the service on http://127.0.0.1:8787 with `wrangler dev`.
// Database: DATABASE_URL (or PG_HOST...) when set, otherwise an embedded PostgreSQL (PGlite)
// whose data is kept under .data/pglite between runs. Migrates it, then starts wrangler dev
// with Hyperdrive's local connection string pointed at it.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { migrate } from '../src/db/migrator.ts';
import { buildConsole } from './build-console.mjs';
import { configuredDatabaseUrl, withPassword } from './lib/database-url.mjs';
import { readMigrations } from './lib/migrations.mjs';
import { spawnReady } from './lib/spawn-ready.mjs';
import { spawnWranglerDev } from './lib/wrangler-dev.mjs';
import { isEmpty, loadSampleData } from './sample-data.mjs';

const PORT = Number(process.env.PORT ?? 8787);
// --sample: load the sample data (companies, stores, ~4,000 events over three weeks) first.
const SAMPLE = process.argv.includes('--sample');
const children = [];

function ensureDevVars() {
  if (!existsSync('.dev.vars')) {
    copyFileSync('.dev.vars.example', '.dev.vars');
    const key = `dev-${randomBytes(12).toString('hex')}`;
    writeFileSync('.dev.vars', readFileSync('.dev.vars', 'utf8').replace(/^API_KEYS=.*$/m, `API_KEYS=${key}`));
  }
  const match = /^API_KEYS=(.*)$/m.exec(readFileSync('.dev.vars', 'utf8'));
  return (match?.[1] ?? '').split(',')[0]?.trim();
}

async function database() {
  const configured = configuredDatabaseUrl();
  if (configured) return { url: withPassword(configured), label: 'configured PostgreSQL' };
  const embedded = await spawnReady(new URL('./embedded-postgres.mjs', import.meta.url).pathname, [
    '--port',
    process.env.EMBEDDED_PG_PORT ?? '0',
    '--data',
    '.data/pglite',
  ]);
  children.push(embedded.child);
  return {
    url: `postgres://postgres:local@127.0.0.1:${embedded.port}/postgres`,
    label: `embedded PostgreSQL (PGlite, data in .data/pglite, port ${embedded.port})`,
  };
}

async function seedDemoDirectory(client) {
  // A demo company and store so the dashboard shows names on a fresh install.
  await client.query(
    `INSERT INTO companies (companyid, companyname) VALUES (5001, 'Acme Retail') ON CONFLICT DO NOTHING`,
  );
  await client.query(
    `INSERT INTO storelocations (companyid, storelocationid, storename) VALUES (5001, 101, 'Downtown') ON CONFLICT DO NOTHING`,
  );
}

function shutdown(code = 0) {
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  const key = ensureDevVars();
  // wrangler dev serves public/ through the [assets] binding: console, Swagger UI, ReDoc.
  await buildConsole();
  const db = await database();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const applied = await migrate(client, readMigrations());
  if (!configuredDatabaseUrl()) await seedDemoDirectory(client);
  let sampleLine = '';
  if (SAMPLE) {
    const stored = await loadSampleData(client);
    sampleLine = `  Sample:    ${stored} events loaded (3 companies, last 21 days)\n`;
  } else if (await isEmpty(client)) {
    sampleLine = '  Sample:    no events yet: `npm run dev -- --sample` loads a few thousand to look at\n';
  }
  await client.end();

  const child = spawnWranglerDev({
    port: PORT,
    databaseUrl: db.url,
    args: ['--test-scheduled'],
    options: { stdio: 'inherit' },
  });
  children.push(child);
  child.on('exit', (code) => shutdown(code ?? 0));
  console.log(`
  Database:  ${db.label}${applied.length ? ` (${applied.length} migrations applied)` : ''}
  Console:   http://127.0.0.1:${PORT}/pyaudit/console   (sign in with the API key below)
${sampleLine}  Docs:      http://127.0.0.1:${PORT}/pyaudit/docs   (ReDoc: /pyaudit/redoc)
  Health:    http://127.0.0.1:${PORT}/pyaudit/api/healthcheck
  API key:   ${key}   (header CSIQ-APIKEY; set in .dev.vars)
  Cron:      curl "http://127.0.0.1:${PORT}/__scheduled?cron=0+8+1+*+*"
`);
} catch (error) {
  console.error(`npm run dev failed: ${error.message}`);
  shutdown(1);
}
