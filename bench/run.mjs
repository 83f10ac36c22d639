// npm run bench: the service's speed, measured the same way every time (docs/benchmark.md).
//
//   npm run bench                  1,000,000 events, every scenario, 3 rounds each
//   npm run bench -- --quick       100,000 events, every scenario briefly (CI)
//   npm run bench -- --rows 10000000 [--only search_company,recent] [--fresh] [--skip-archive]
//                     [--workers N] [--profile] [--seconds S] [--warmup S] [--rounds N] [--pool-size N]
//                     [--no-build] [--driver pg|postgres|neon]
//
// Starts what it needs (pgbouncer, the built bundle under workerd serve), loads or reuses the
// data in a database of its own on DATABASE_URL's server (default the local PostgreSQL), runs
// the scenarios with wrk, times the same SQL with pgbench, and writes bench/results/.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildBundle } from '../scripts/serve/build.mjs';
import { findPgbouncer, startPgbouncer } from '../scripts/serve/pgbouncer.mjs';
import { startService, workerdBinary } from '../scripts/serve/service.mjs';
import { archivalScenario } from './lib/archival.mjs';
import { runBareSql, runBareSqlSequential, toPgbenchScript, typeNamesFor } from './lib/bare-sql.mjs';
import { startCaptureProxy } from './lib/capture-proxy.mjs';
import { onCleanup, stopAll } from './lib/cleanup.mjs';
import { machineCpuSeconds, measureCpu } from './lib/cpu.mjs';
import { createDatabase, databaseUrl, dropDatabase, migrateDatabase, serverUrl, withClient } from './lib/database.mjs';
import { ensureDataset, restoreDataset } from './lib/dataset.mjs';
import { prepareDriver } from './lib/drivers.mjs';
import { timeExport } from './lib/export.mjs';
import { integrityScenario } from './lib/integrity.mjs';
import { liveTailScenario } from './lib/live-tail.mjs';
import { freePort } from './lib/ports.mjs';
import { startCpuProfile } from './lib/profile.mjs';
import { queuedIngestScenario } from './lib/queued.mjs';
import { evaluateTargets, renderMarkdown } from './lib/report.mjs';
import {
  datasetFacts,
  exportRequestPath,
  readScenarios,
  resolveCursor,
  syntheticEvent,
  writeScenarios,
} from './lib/scenarios.mjs';
import { median } from './lib/stats.mjs';
import { ensureTools } from './lib/tools.mjs';
import { runWrk, writeRequestList } from './lib/wrk.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench', '.work');
const RESULTS = join(ROOT, 'bench', 'results');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rows: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'skip-archive': { type: 'boolean', default: false },
    'pool-size': { type: 'string', default: '20' },
    workers: { type: 'string', default: String(availableParallelism()) },
    profile: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    // The Worker's database driver (docs/benchmark.md, "Drivers"): pg (node-postgres), postgres
    // (postgres.js) or neon (Neon's serverless driver through a local WebSocket proxy).
    driver: { type: 'string', default: process.env.BENCH_DRIVER ?? 'pg' },
    'log-level': { type: 'string', default: process.env.LOG_LEVEL ?? 'INFO' },
  },
});

const quick = args.quick;
const settings = {
  rows: Number(args.rows ?? (quick ? 100_000 : 1_000_000)),
  seconds: Number(args.seconds ?? (quick ? 3 : 10)),
  warmup: Number(args.warmup ?? (quick ? 1 : 5)),
  rounds: Number(args.rounds ?? (quick ? 1 : 3)),
  variants: quick ? 5 : 20,
  archiveRows: quick ? 100_000 : 1_000_000,
  exportRounds: quick ? 1 : 3,
  poolSize: Number(args['pool-size']),
  workers: Number(args.workers),
};
if (!Number.isInteger(settings.rows) || settings.rows < 10_000) throw new Error('--rows must be an integer >= 10000');
const only = args.only ? new Set(args.only.split(',').map((s) => s.trim())) : null;
const wanted = (name) => !only || only.has(name);

const log = (line) => console.error(line);
/** The live tail scenario (docs/benchmark.md): creates per second, and the stream counts compared. */
const LIVE_TAIL_RATE = 500;
const LIVE_TAIL_STREAMS = [1, 200];
const ms = (n) => (n === null || n === undefined ? '–' : n.toFixed(1));

function versionOf(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '?';
}

function gitCommit() {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'sql'], { cwd: ROOT, encoding: 'utf8' });
  return `${r.stdout.trim() || '?'}${dirty.stdout.trim() ? '+changes' : ''}`;
}

/** The benchmark database: created, migrated and loaded (or reused). */
async function prepareDatabase(server, name) {
  const url = databaseUrl(server, name);
  if (args.fresh) await dropDatabase(server, name);
  await createDatabase(server, name);
  try {
    await migrateDatabase(url);
  } catch (error) {
    if (!/was changed after it was applied/.test(error.message)) throw error;
    log(`${error.message.split(' (')[0]}: rebuilding ${name}`);
    await dropDatabase(server, name);
    await createDatabase(server, name);
    await migrateDatabase(url);
  }
  const dataset = await withClient(url, async (client) => {
    const result = await ensureDataset(client, { rows: settings.rows, log });
    const removed = await restoreDataset(client, result.state);
    if (removed > 0) log(`removed ${removed} events left by an earlier run`);
    return result;
  });
  return { url, dataset };
}

/** One HTTP scenario: a check request, warm-up, then `rounds` measured wrk runs (medians). */
async function measureHttp(scenario, ctx) {
  const listFile = join(WORK, `${scenario.name}.requests`);
  writeRequestList(listFile, scenario.requests);
  const first = scenario.requests[0];
  const check = await fetch(`${ctx.service.url}${first.path}`, {
    method: first.method,
    headers: { 'CSIQ-APIKEY': ctx.apiKey, 'content-type': 'application/json' },
    body: first.body === undefined ? undefined : JSON.stringify(first.body),
  });
  const checkBody = await check.text();
  if (check.status >= 300) {
    return { skipped: `HTTP ${check.status}: ${checkBody.slice(0, 120)}`, title: scenario.title };
  }
  const wrk = (seconds) =>
    runWrk({
      baseUrl: ctx.service.url,
      listFile,
      apiKey: ctx.apiKey,
      connections: scenario.connections,
      seconds,
    });
  await wrk(settings.warmup);
  const rounds = [];
  let profile = null;
  for (let i = 0; i < settings.rounds; i++) {
    const idle = machineCpuSeconds();
    await new Promise((r) => setTimeout(r, 500));
    const idleAfter = machineCpuSeconds();
    const background = Math.round(((idleAfter.busy - idle.busy) / (idleAfter.total - idle.total)) * 100);
    const backends = await databaseBackendPids(ctx);
    const profiler = args.profile && i === 0 ? await startCpuProfile(ctx.inspectorPort) : null;
    const { result, cpu } = await measureCpu(
      { workerd: ctx.service.pids, pgbouncer: [ctx.pool.pid], postgres: backends },
      () => wrk(settings.seconds),
    );
    if (profiler) profile = await profiler.stop(join(WORK, 'dist', 'index.js'));
    rounds.push({ ...result, cpu: { ...cpu, wrk_pct: result.wrk_cpu_pct, background_busy_pct_before: background } });
  }
  const pick = (key) => median(rounds.map((r) => r[key]));
  const rps = pick('rps');
  const cpuPick = (key) => median(rounds.map((r) => r.cpu[key]));
  return {
    title: scenario.title,
    connections: scenario.connections,
    rps,
    ...(scenario.eventsPerRequest ? { events_per_s: rps * scenario.eventsPerRequest } : {}),
    p50_ms: pick('p50_ms'),
    p99_ms: pick('p99_ms'),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    bytes_per_response: rounds[0].bytes_per_request,
    cpu: cpuBudget(
      {
        workerd_pct: cpuPick('workerd_pct'),
        pgbouncer_pct: cpuPick('pgbouncer_pct'),
        postgres_pct: cpuPick('postgres_pct'),
        wrk_pct: cpuPick('wrk_pct'),
        machine_busy_pct: cpuPick('machine_busy_pct'),
        background_busy_pct_before: cpuPick('background_busy_pct_before'),
      },
      rps,
    ),
    rounds: rounds.map(({ rps: r, p50_ms, p99_ms, errors, cpu }) => ({ rps: r, p50_ms, p99_ms, errors, cpu })),
    ...(profile ? { workerd_profile: profile } : {}),
  };
}

/**
 * CPU per request of each process group, and the request rate those costs would allow if every
 * core of this machine were the benchmark's (the measured rate also pays for whatever else
 * the shared machine runs). Less sensitive to noise than latency.
 */
function cpuBudget(cpu, rps) {
  if (!rps) return cpu;
  const perRequest = (pct) => (pct === null || pct === undefined ? null : Math.round((pct * 10 * 100) / rps) / 100);
  const budget = {
    workerd_ms_per_request: perRequest(cpu.workerd_pct),
    postgres_ms_per_request: perRequest(cpu.postgres_pct),
    pgbouncer_ms_per_request: perRequest(cpu.pgbouncer_pct),
  };
  const total = Object.values(budget).reduce((a, b) => a + (b ?? 0), 0);
  const cores = cpus().length;
  // One workerd process runs JavaScript on one core, whatever the machine has.
  const workerdLimit = budget.workerd_ms_per_request
    ? (1000 * settings.workers) / budget.workerd_ms_per_request
    : Infinity;
  return {
    ...cpu,
    ...budget,
    cpu_ms_per_request: Math.round(total * 100) / 100,
    capacity_rps_if_idle: Math.round(Math.min((1000 * cores) / total, workerdLimit)),
  };
}

/**
 * The PostgreSQL backends serving the benchmark database now: after the warm-up these are
 * pgbouncer's server connections, which stay for the whole measurement.
 */
async function databaseBackendPids(ctx) {
  const { rows } = await ctx.admin.query(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [ctx.databaseName],
  );
  return rows.map((r) => r.pid);
}

/** The statements one request runs, recorded by the capture proxy in front of the pool. */
/**
 * The statements one request runs, recorded by the capture proxy in front of the pool. A read
 * also records itself as an audit event (auditevents_ingest) after the response, on its own
 * connection (src/lib/self-audit.ts): that statement is not on the response's path, so it is
 * returned apart and left out of the bare-SQL latency.
 */
async function captureStatements(ctx, request) {
  await ctx.capture.proxy.take(0);
  const response = await fetch(`${ctx.capture.url}${request.path}`, {
    method: request.method,
    headers: { 'CSIQ-APIKEY': ctx.apiKey },
  });
  await response.arrayBuffer();
  const statements = await ctx.capture.proxy.take();
  if (statements.length === 0) throw new Error(`no SQL captured for ${request.path}`);
  const selfAudit = (s) => request.method === 'GET' && /\bauditevents_ingest\(/.test(s.query);
  return { onPath: statements.filter((s) => !selfAudit(s)), afterResponse: statements.filter(selfAudit) };
}

/** The same SQL as the scenario's requests, straight to PostgreSQL, same concurrency. */
async function measureBareSql(scenario, ctx) {
  const scripts = [];
  let sample = null;
  let afterResponse = null;
  for (const request of scenario.requests) {
    const { onPath, afterResponse: after } = await captureStatements(ctx, request);
    sample ??= onPath.map((s) => s.query);
    afterResponse ??= after.map((s) => s.query);
    const typeNames = await withClient(ctx.databaseUrl, (c) => typeNamesFor(c, onPath));
    scripts.push(toPgbenchScript(onPath, typeNames));
  }
  const result = await runBareSql({
    url: ctx.databaseUrl,
    scripts,
    clients: scenario.connections,
    seconds: settings.seconds,
    warmupSeconds: Math.min(settings.warmup, 3),
    workDir: join(WORK, 'pgbench', scenario.name),
  });
  return { ...result, statements: sample, after_response_statements: afterResponse };
}

async function exportScenario(ctx, facts) {
  const url = `${ctx.service.url}${exportRequestPath(facts)}`;
  const runs = [];
  let profile = null;
  for (let i = 0; i < settings.exportRounds; i++) {
    const profiler = args.profile && i === 0 ? await startCpuProfile(ctx.inspectorPort) : null;
    const backends = await databaseBackendPids(ctx);
    const { result: run, cpu } = await measureCpu({ workerd: ctx.service.pids, postgres: backends }, () =>
      timeExport({ url, apiKey: ctx.apiKey, pids: ctx.service.pids }),
    );
    run.cpu = cpu;
    if (profiler) profile = await profiler.stop(join(WORK, 'dist', 'index.js'));
    if (run.status !== 200) return { skipped: `HTTP ${run.status}: ${run.detail}` };
    if (!run.isZip) return { skipped: `not an xlsx (content-type ${run.contentType})` };
    runs.push(run);
  }
  const seconds = median(runs.map((r) => r.seconds));
  const firstHalf = Math.max(...runs.map((r) => r.rssPeakFirstHalfMiB ?? 0));
  const secondHalf = Math.max(...runs.map((r) => r.rssPeakSecondHalfMiB ?? 0));
  let bareSql = null;
  try {
    const { onPath: statements } = await captureStatements(ctx, { method: 'GET', path: exportRequestPath(facts) });
    const typeNames = await withClient(ctx.databaseUrl, (c) => typeNamesFor(c, statements));
    const timed = await runBareSqlSequential({
      url: ctx.databaseUrl,
      script: toPgbenchScript(statements, typeNames),
      times: 1,
      workDir: join(WORK, 'pgbench', 'export'),
    });
    bareSql = { seconds: timed.mean_ms / 1000, statements: statements.length };
  } catch (error) {
    bareSql = { error: error.message.slice(0, 300) };
  }
  return {
    rows: facts.exportRows,
    seconds,
    cpu: {
      workerd_pct: median(runs.map((r) => r.cpu.workerd_pct)),
      postgres_pct: median(runs.map((r) => r.cpu.postgres_pct)),
      machine_busy_pct: median(runs.map((r) => r.cpu.machine_busy_pct)),
      workerd_ms_per_1000_rows: (median(runs.map((r) => r.cpu.workerd_pct)) * 10 * seconds) / (facts.exportRows / 1000),
    },
    rows_per_s: facts.exportRows / seconds,
    mib: runs[0].bytes / 1048576,
    rss_before_mib: runs[0].rssBeforeMiB,
    rss_peak_mib: Math.max(...runs.map((r) => r.rssPeakMiB ?? 0)),
    rss_peak_first_half_mib: firstHalf,
    rss_peak_second_half_mib: secondHalf,
    // Flat: the second half of the download needs no more memory than the first (16 MiB slack).
    memory_flat: secondHalf <= firstHalf + 16,
    bare_sql: bareSql,
    rounds: runs.map((r) => ({ seconds: r.seconds, rss_peak_mib: r.rssPeakMiB })),
    ...(profile ? { workerd_profile: profile } : {}),
  };
}

function printTable(markdown) {
  console.log(`\n${markdown}`);
}

function writeResults(result) {
  mkdirSync(join(RESULTS, 'runs'), { recursive: true });
  // A partial run (--only) is kept in runs/ but never replaces the latest full result.
  const base = only
    ? 'partial'
    : quick
      ? 'latest-quick'
      : settings.rows === 1_000_000
        ? 'latest'
        : `latest-${settings.rows}`;
  const previousFile = join(RESULTS, `${only ? (quick ? 'latest-quick' : 'latest') : base}.json`);
  const previous = existsSync(previousFile) ? JSON.parse(readFileSync(previousFile, 'utf8')) : null;
  const markdown = renderMarkdown(result, previous);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const stamp = result.meta.date.replace(/[:.]/g, '-');
  if (!only) {
    writeFileSync(join(RESULTS, `${base}.json`), json);
    writeFileSync(join(RESULTS, `${base}.md`), markdown);
  }
  writeFileSync(join(RESULTS, 'runs', `${stamp}-${settings.rows}${quick ? '-quick' : ''}.json`), json);
  printTable(markdown);
  log(
    only
      ? `results (partial run): bench/results/runs/${stamp}-${settings.rows}${quick ? '-quick' : ''}.json`
      : `results: bench/results/${base}.json, bench/results/${base}.md (copy in bench/results/runs/)`,
  );
}

async function main() {
  const started = Date.now();
  mkdirSync(WORK, { recursive: true });
  ensureTools(['pgbouncer', 'wrk', 'pgbench'], log);

  const server = serverUrl();
  const dbName = `pyaudit_bench_${settings.rows}`;
  log(`database ${dbName} on ${new URL(server).host}`);
  const { url: benchUrl, dataset } = await prepareDatabase(server, dbName);
  log(
    dataset.loadedNow
      ? `loaded ${settings.rows.toLocaleString('en-US')} events in ${dataset.seconds.toFixed(0)} s`
      : `reusing ${settings.rows.toLocaleString('en-US')} events loaded ${dataset.state.span_end.toISOString().slice(0, 10)}`,
  );

  const pool = await startPgbouncer({
    serverUrl: benchUrl,
    workDir: join(WORK, 'pgbouncer'),
    listenPort: await freePort(),
    poolSize: settings.poolSize,
  });
  onCleanup('pgbouncer', pool.stop);
  const poolUrl = new URL(benchUrl);
  poolUrl.hostname = pool.host;
  poolUrl.port = String(pool.port);

  const apiKey = `bench-${randomBytes(12).toString('hex')}`;
  const outDir = join(WORK, 'dist');
  if (args['no-build']) log('serving the bundle already in bench/.work/dist (--no-build)');
  else {
    log('building the bundle (wrangler deploy --dry-run)...');
    await buildBundle(ROOT, outDir);
  }
  const driver = await prepareDriver({ driver: args.driver, root: ROOT });
  onCleanup('driver', driver.stop);
  log(`driver: ${args.driver}`);
  // The live tail scenario opens 200 streams with the one benchmark key.
  const baseEnv = {
    ...process.env,
    API_KEYS: apiKey,
    LOG_LEVEL: args['log-level'],
    LIVE_TAIL_MAX_STREAMS_PER_KEY: '1000',
  };
  /** startService's options for a service whose database is `url`, on the chosen driver. */
  const onDriver = (url, env = baseEnv) => {
    const { env: driverEnv, ...rest } = driver.serviceOptions(url);
    return { databaseUrl: url, env: { ...env, ...driverEnv }, ...rest };
  };
  const inspectorPort = args.profile ? await freePort() : undefined;
  const service = await startService({
    root: ROOT,
    outDir,
    ...onDriver(poolUrl.toString()),
    port: await freePort(),
    workers: settings.workers,
    inspectorPort,
    build: false,
    stdio: openSync(join(WORK, 'workerd.log'), 'w'),
  });
  onCleanup('workerd', service.stop);

  // A second workerd, the same bundle, whose database traffic goes through the capture proxy.
  const proxy = await startCaptureProxy({ targetHost: pool.host, targetPort: pool.port });
  onCleanup('capture proxy', proxy.stop);
  const captureUrl = new URL(benchUrl);
  captureUrl.hostname = proxy.host;
  captureUrl.port = String(proxy.port);
  const captureService = await startService({
    root: ROOT,
    outDir,
    ...onDriver(captureUrl.toString()),
    port: await freePort(),
    build: false,
    configName: 'workerd-capture.capnp',
    stdio: openSync(join(WORK, 'workerd-capture.log'), 'w'),
  });
  onCleanup('workerd (capture)', captureService.stop);

  // One connection for the benchmark's own look-ups (which backends serve the benchmark database).
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  onCleanup('admin connection', () => admin.end());
  const ctx = {
    apiKey,
    service,
    pool,
    admin,
    inspectorPort,
    databaseName: dbName,
    databaseUrl: benchUrl,
    capture: { url: captureService.url, proxy },
  };
  log(
    `service ${service.url} (workerd pid ${service.pids.join(' ')}), pgbouncer ${pool.host}:${pool.port} (pid ${pool.pid})`,
  );

  const facts = await withClient(benchUrl, (c) =>
    datasetFacts(c, { rows: settings.rows, variants: settings.variants }),
  );
  const scenarios = {};

  for (const scenario of readScenarios(facts, settings)) {
    if (!wanted(scenario.name)) continue;
    log(`${scenario.name}: ${scenario.title}, ${scenario.connections} connections...`);
    try {
      if (scenario.cursorFor) await resolveCursor(scenario, service.url, apiKey);
      const measured = await measureHttp(scenario, ctx);
      if (!measured.skipped) {
        try {
          measured.bare_sql = await measureBareSql(scenario, ctx);
          measured.overhead_p50 = measured.p50_ms / measured.bare_sql.p50_ms;
        } catch (error) {
          measured.bare_sql = { error: error.message.slice(0, 300) };
        }
      }
      scenarios[scenario.name] = measured;
      log(
        measured.skipped
          ? `  skipped: ${measured.skipped}`
          : `  ${measured.rps.toFixed(0)} req/s, p50 ${ms(measured.p50_ms)} ms, p99 ${ms(measured.p99_ms)} ms, errors ${measured.errors}; bare SQL p50 ${ms(measured.bare_sql?.p50_ms)} ms`,
      );
    } catch (error) {
      scenarios[scenario.name] = { title: scenario.title, skipped: `failed: ${error.message.slice(0, 200)}` };
      log(`  failed: ${error.message}`);
    }
  }

  if (wanted('export_xlsx')) {
    log(`export_xlsx: ${facts.exportRows.toLocaleString('en-US')} rows as xlsx...`);
    try {
      scenarios.export_xlsx = await exportScenario(ctx, facts);
    } catch (error) {
      scenarios.export_xlsx = { skipped: `failed: ${error.message.slice(0, 200)}` };
    }
    const e = scenarios.export_xlsx;
    log(
      e.skipped
        ? `  skipped: ${e.skipped}`
        : `  ${e.rows_per_s.toFixed(0)} rows/s, peak RSS ${e.rss_peak_mib.toFixed(0)} MiB`,
    );
  }

  try {
    for (const scenario of writeScenarios(facts)) {
      if (!wanted(scenario.name)) continue;
      log(`${scenario.name}: ${scenario.title}, ${scenario.connections} connections...`);
      const measured = await measureHttp(scenario, ctx);
      scenarios[scenario.name] = measured;
      log(
        measured.skipped
          ? `  skipped: ${measured.skipped}`
          : `  ${measured.rps.toFixed(0)} req/s${measured.events_per_s ? ` (${measured.events_per_s.toFixed(0)} events/s)` : ''}, p50 ${ms(measured.p50_ms)} ms, p99 ${ms(measured.p99_ms)} ms, errors ${measured.errors}`,
      );
    }
    if (wanted('live_tail')) {
      log(
        `live_tail: latency from a create's 201 to its frame on the streams, ${LIVE_TAIL_STREAMS.join(' and ')} streams...`,
      );
      try {
        // One workerd process, so one LiveTail object holds every stream and hears every create
        // (as on Cloudflare); its log reports the object's database reads per session.
        const logFile = join(WORK, 'workerd-live-tail.log');
        const tailService = await startService({
          root: ROOT,
          outDir,
          ...onDriver(poolUrl.toString(), { ...baseEnv, LOG_LEVEL: 'INFO', LIVE_TAIL_HEARTBEAT_MS: '2000' }),
          port: await freePort(),
          build: false,
          configName: 'workerd-live-tail.capnp',
          stdio: openSync(logFile, 'w'),
        });
        onCleanup('workerd (live tail)', tailService.stop);
        scenarios.live_tail = await liveTailScenario({
          baseUrl: tailService.url,
          apiKey,
          facts,
          syntheticEvent,
          rate: LIVE_TAIL_RATE,
          streamCounts: LIVE_TAIL_STREAMS,
          seconds: settings.seconds,
          warmup: Math.max(2, settings.warmup / 2),
          logFile,
          serverUrl: server,
          pids: { workerd: tailService.pids, postgres: await databaseBackendPids(ctx) },
          log,
        });
      } catch (error) {
        scenarios.live_tail = { skipped: `failed: ${error.message.slice(0, 200)}` };
        log(`  failed: ${error.message}`);
      }
    }
  } finally {
    const removed = await withClient(benchUrl, (c) => restoreDataset(c, dataset.state));
    if (removed > 0) log(`removed the ${removed.toLocaleString('en-US')} events the write scenarios created`);
  }

  await stopAll();

  if (wanted('queued_ingest')) {
    log('queued_ingest: enqueue -> queue -> consumer under wrangler dev (miniflare simulates Queues)...');
    try {
      const q = await queuedIngestScenario({ root: ROOT, workDir: WORK, benchUrl, quick, log });
      scenarios.queued_ingest = q;
      log(
        `  enqueue: ${q.enqueue_batch.accepted_events_per_s.toFixed(0)} events/s accepted, ${q.enqueue_batch.stored_events_per_s.toFixed(0)} stored; 202 -> searchable p50 ${ms(q.enqueue_batch.accepted_to_searchable_p50_ms)} ms, p99 ${ms(q.enqueue_batch.accepted_to_searchable_p99_ms)} ms; direct batch ${q.direct_batch.stored_events_per_s.toFixed(0)} events/s`,
      );
    } catch (error) {
      scenarios.queued_ingest = { skipped: `failed: ${error.message.slice(0, 200)}` };
      log(`  failed: ${error.message}`);
    } finally {
      await stopAll();
    }
  }

  if (wanted('archive_month') && !args['skip-archive']) {
    log(`archive_month: archiving a ${settings.archiveRows.toLocaleString('en-US')}-row month...`);
    try {
      scenarios.archive_month = await archivalScenario({
        serverUrl: server,
        rows: settings.archiveRows,
        log,
        fresh: args.fresh,
      });
      const a = scenarios.archive_month;
      log(`  maintain ${a.maintain_seconds.toFixed(2)} s; copy-and-delete ${a.copy_and_delete_seconds.toFixed(1)} s`);
    } catch (error) {
      scenarios.archive_month = { skipped: `failed: ${error.message.slice(0, 200)}` };
      log(`  failed: ${error.message}`);
    }
  }

  if (wanted('integrity')) {
    log(`integrity: sealing and verifying ${settings.archiveRows.toLocaleString('en-US')} events...`);
    try {
      scenarios.integrity = await integrityScenario({ root: ROOT, serverUrl: server, rows: settings.archiveRows, log });
      const i = scenarios.integrity;
      log(
        `  seal ${i.seal_ms_per_1000.toFixed(1)} ms per 1,000 events (${i.seal_events_per_s.toFixed(0)} events/s); verify ${i.verify_seconds.toFixed(2)} s (${i.verify_events_per_s.toFixed(0)} events/s)`,
      );
      log(
        `  ingest hashing: single +${i.ingest_hash.single.overhead_pct.toFixed(1)}%, batch of 1,000 +${i.ingest_hash.batch.overhead_pct.toFixed(1)}% PostgreSQL CPU`,
      );
    } catch (error) {
      scenarios.integrity = { skipped: `failed: ${error.message.slice(0, 200)}` };
      log(`  failed: ${error.message}`);
    }
  }

  const postgres = await withClient(
    benchUrl,
    async (c) => (await c.query('SHOW server_version')).rows[0].server_version,
  );
  const result = {
    meta: {
      date: new Date().toISOString(),
      git_commit: gitCommit(),
      rows: settings.rows,
      quick,
      seconds: settings.seconds,
      warmup: settings.warmup,
      rounds: settings.rounds,
      pool_size: settings.poolSize,
      driver: args.driver,
      workerd_processes: settings.workers,
      log_level: args['log-level'],
      machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model?.trim() ?? '?' },
      postgres: postgres.split(' ')[0],
      workerd: versionOf(workerdBinary(ROOT), ['--version']).replace(/^workerd\s*/, ''),
      pgbouncer: versionOf(findPgbouncer() ?? 'pgbouncer', ['--version']).replace(/^PgBouncer\s*/i, ''),
      wrk: versionOf('wrk', ['-v']).split(' ')[1] ?? '?',
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    dataset: { rows: settings.rows, loaded_now: dataset.loadedNow, load_seconds: dataset.seconds },
    scenarios,
    targets: evaluateTargets(scenarios),
  };
  writeResults(result);
}

try {
  await main();
} catch (error) {
  console.error(`benchmark failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
