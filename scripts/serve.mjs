// npm run serve: the production bundle under `workerd serve`, without Cloudflare (self-hosting,
// benchmarks). Builds with `wrangler deploy --dry-run`, writes a workerd config from
// wrangler.toml and the environment, and serves on HOST:PORT. See docs/self-hosting.md.
//
//   DATABASE_URL=postgres://user:pass@db:5432/pyaudit API_KEYS=... npm run serve -- [options]
//     --port N        listen port (default $PORT or 8787)
//     --host ADDR     listen address (default $HOST or 127.0.0.1)
//     --workers N     workerd processes sharing the port (default $WORKERS or 1; one per core);
//                     with N > 1 the live tail's object runs in one more process of its own
//     --no-build      serve the bundle already in --outdir
//     --build-only    build the bundle into --outdir and exit
//     --outdir DIR    where the bundle and config go (default dist)
//     --migrate       apply the migrations (sql/) to DATABASE_URL first
//     --pgbouncer     start a local pgbouncer (transaction pool) in front of DATABASE_URL
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate } from '../src/db/migrator.ts';
import { buildConsole } from './build-console.mjs';
import { configuredDatabaseUrl, withPassword } from './lib/database-url.mjs';
import { readMigrations } from './lib/migrations.mjs';
import { buildBundle } from './serve/build.mjs';
import { startPgbouncer, throughPool } from './serve/pgbouncer.mjs';
import { startService } from './serve/service.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8787' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    outdir: { type: 'string', default: 'dist' },
    workers: { type: 'string', default: process.env.WORKERS ?? '1' },
    'no-build': { type: 'boolean', default: false },
    'build-only': { type: 'boolean', default: false },
    migrate: { type: 'boolean', default: false },
    pgbouncer: { type: 'boolean', default: false },
    'pgbouncer-port': { type: 'string', default: process.env.PGBOUNCER_PORT ?? '6432' },
  },
});

/** API_KEYS from the environment, or (for local use) from .dev.vars. */
function apiKeys() {
  if (process.env.API_KEYS) return process.env.API_KEYS;
  const devVars = join(ROOT, '.dev.vars');
  const match = existsSync(devVars) ? /^API_KEYS=(.*)$/m.exec(readFileSync(devVars, 'utf8')) : null;
  return match?.[1]?.trim() || null;
}

const running = [];
let shuttingDown = false;
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  // Newest first: the service stops before the pool it uses.
  while (running.length > 0) await running.pop().stop();
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  if (options['build-only']) {
    await buildConsole();
    await buildBundle(ROOT, resolve(ROOT, options.outdir));
    console.log(`built the bundle into ${options.outdir}/`);
    process.exit(0);
  }
  const configured = configuredDatabaseUrl();
  if (!configured) throw new Error('Set DATABASE_URL (or PG_HOST, PG_PORT, PG_DATABASE, PG_USER, PG_PASSWORD).');
  const databaseUrl = withPassword(configured);
  const keys = apiKeys();
  if (!keys) throw new Error('Set API_KEYS (comma-separated keys accepted in the CSIQ-APIKEY header).');

  if (options.migrate) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const applied = await migrate(client, readMigrations(), (line) => console.log(line));
      console.log(applied.length ? `migrations: ${applied.length} applied` : 'migrations: up to date');
    } finally {
      await client.end();
    }
  }

  // What the Worker's Hyperdrive binding connects to: HYPERDRIVE_URL (e.g. an existing pool),
  // a pgbouncer started here, or the database itself.
  let hyperdriveUrl = process.env.HYPERDRIVE_URL ? withPassword(process.env.HYPERDRIVE_URL) : databaseUrl;
  if (options.pgbouncer) {
    const pool = await startPgbouncer({
      serverUrl: databaseUrl,
      workDir: resolve(ROOT, options.outdir, 'pgbouncer'),
      listenPort: Number(options['pgbouncer-port']),
    });
    running.push(pool);
    hyperdriveUrl = throughPool(databaseUrl, pool);
    console.log(`pgbouncer (transaction pool) on ${pool.host}:${pool.port} -> ${new URL(databaseUrl).host}`);
  }

  const service = await startService({
    root: ROOT,
    outDir: resolve(ROOT, options.outdir),
    databaseUrl: hyperdriveUrl,
    host: options.host,
    port: Number(options.port),
    workers: Number(options.workers),
    build: !options['no-build'],
    env: { ...process.env, API_KEYS: keys },
    onBuilt: () => console.log(`built the bundle into ${options.outdir}/`),
  });
  running.push(service);
  for (const child of service.children) child.on('exit', (code) => shutdown(code ?? 1));
  const target = new URL(hyperdriveUrl);
  console.log(`
  pyaudit on workerd ${service.url}   (${service.pids.length > 1 ? `${service.pids.length} processes, pids ${service.pids.join(' ')}` : `pid ${service.pid}`}${service.livePid ? `; the live tail's object in pid ${service.livePid}` : ''})
  Database:  ${target.hostname}:${target.port || 5432}/${target.pathname.slice(1)} via the HYPERDRIVE binding
  Docs:      ${service.url}/pyaudit/docs
  Health:    ${service.url}/pyaudit/api/healthcheck
`);
} catch (error) {
  console.error(`npm run serve failed: ${error.message}`);
  await shutdown(1);
}
