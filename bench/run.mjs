// npm run bench: the service's speed, measured the same way every time (docs/benchmark.md).
//
//   npm run bench                  1,000,000 events, every scenario, 3 rounds each
//   npm run bench -- --quick       100,000 events, every scenario briefly (CI)
//   npm run bench -- --rows 10000000 [--only search_company,recent] [--fresh] [--skip-archive]
//                     [--workers N] [--profile] [--seconds S] [--warmup S] [--rounds N] [--pool-size N]
//                     [--no-build] [--driver pg|postgres|neon] [--help]
//
// Starts what it needs (pgbouncer, the built bundle under workerd serve), loads or reuses the
// data in a database of its own on DATABASE_URL's server (default the local PostgreSQL), runs
// the scenarios with wrk, times the same SQL with pgbench, and writes bench/results/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPgbouncer } from '../scripts/serve/pgbouncer.mjs';
import { startService, workerdBinary } from '../scripts/serve/service.mjs';
import { archivalScenario } from './lib/archival.mjs';
import { runBareSql, runBareSqlSequential, toPgbenchScript, typeNamesFor } from './lib/bare-sql.mjs';
import { onCleanup, stopAll } from './lib/cleanup.mjs';
import { machineCpuSeconds, measureCpu } from './lib/cpu.mjs';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  indexClosedMonths,
  migrateDatabase,
  serverUrl,
  withClient,
} from './lib/database.mjs';
import { ensureDataset, restoreDataset } from './lib/dataset.mjs';
import { timeExport } from './lib/export.mjs';
import {
  COMPANY_EXPORT_ROWS,
  companyExportRounds,
  EXPORT_COMPANY,
  ensureCompanyDatabase,
} from './lib/export-company.mjs';
import { integrityScenario } from './lib/integrity.mjs';
import { liveTailScenario } from './lib/live-tail.mjs';
import { parseOptions, USAGE } from './lib/options.mjs';
import { freePort } from './lib/ports.mjs';
import { startCpuProfile } from './lib/profile.mjs';
import { queuedIngestScenario } from './lib/queued.mjs';
import { evaluateTargets, renderMarkdown } from './lib/report.mjs';
import {
  datasetFacts,
  exportRequestPath,
  readScenarios,
  resolveCursor,
  SEARCH_COMPANY,
  syntheticEvent,
  writeScenarios,
} from './lib/scenarios.mjs';
import { startServices } from './lib/services.mjs';
import { measureSqlFloors } from './lib/sql-floors.mjs';
import { median } from './lib/stats.mjs';
import { ensureTools } from './lib/tools.mjs';
import { runWrk, writeRequestList } from './lib/wrk.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench', '.work');
const RESULTS = join(ROOT, 'bench', 'results');

const options = parseOptions();
const { args, quick, settings, only, wanted } = options;
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

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
    await indexClosedMonths(client, log);
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

/** One export download under measureCpu, with a CPU profile when `inspectorPort` is given. */
async function measureExportRun({ url, apiKey, pids, backends, inspectorPort }) {
  const loadAverage = loadavg()[0];
  const profiler = inspectorPort ? await startCpuProfile(inspectorPort) : null;
  const { result: run, cpu } = await measureCpu({ workerd: pids, postgres: backends }, () =>
    timeExport({ url, apiKey, pids }),
  );
  run.cpu = cpu;
  run.loadAverage = loadAverage;
  if (profiler) run.profile = await profiler.stop(join(WORK, 'dist', 'index.js'));
  return run;
}

/** What the export scenarios report from their rounds (medians; memory peaks over all rounds). */
function exportSummary(runs, rows) {
  const seconds = median(runs.map((r) => r.seconds));
  const firstHalf = Math.max(...runs.map((r) => r.rssPeakFirstHalfMiB ?? 0));
  const secondHalf = Math.max(...runs.map((r) => r.rssPeakSecondHalfMiB ?? 0));
  const profile = runs.find((r) => r.profile)?.profile;
  return {
    rows,
    seconds,
    cpu: {
      workerd_pct: median(runs.map((r) => r.cpu.workerd_pct)),
      postgres_pct: median(runs.map((r) => r.cpu.postgres_pct)),
      machine_busy_pct: median(runs.map((r) => r.cpu.machine_busy_pct)),
      workerd_ms_per_1000_rows: (median(runs.map((r) => r.cpu.workerd_pct)) * 10 * seconds) / (rows / 1000),
    },
    rows_per_s: rows / seconds,
    mib: runs[0].bytes / 1048576,
    rss_before_mib: runs[0].rssBeforeMiB,
    rss_peak_mib: Math.max(...runs.map((r) => r.rssPeakMiB ?? 0)),
    rss_peak_first_half_mib: firstHalf,
    rss_peak_second_half_mib: secondHalf,
    // Flat: the second half of the download needs no more memory than the first (16 MiB slack).
    memory_flat: secondHalf <= firstHalf + 16,
    rounds: runs.map((r) => ({ seconds: r.seconds, rss_peak_mib: r.rssPeakMiB, load_average: r.loadAverage })),
    ...(profile ? { workerd_profile: profile } : {}),
  };
}

const badExport = (run) =>
  run.status !== 200
    ? `HTTP ${run.status}: ${run.detail}`
    : !run.isZip
      ? `not an xlsx (content-type ${run.contentType})`
      : null;

async function exportScenario(ctx, facts) {
  const url = `${ctx.service.url}${exportRequestPath(facts)}`;
  const runs = [];
  for (let i = 0; i < settings.exportRounds; i++) {
    const run = await measureExportRun({
      url,
      apiKey: ctx.apiKey,
      pids: ctx.service.pids,
      backends: await databaseBackendPids(ctx),
      inspectorPort: args.profile && i === 0 ? ctx.inspectorPort : undefined,
    });
    if (badExport(run)) return { skipped: badExport(run) };
    runs.push(run);
  }
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
  return { ...exportSummary(runs, facts.exportRows), bare_sql: bareSql };
}

/**
 * Issue 18's export: 200,000 rows of one company (a scratch database of its own), each round by
 * a workerd process started for it, so the export runs in a fresh isolate (export-company.mjs).
 * The process reaches PostgreSQL directly: it holds the export's one connection.
 */
async function exportCompanyScenario({ ctx, outDir, onDriver }, server) {
  const rows = quick ? 20_000 : COMPANY_EXPORT_ROWS;
  const db = await ensureCompanyDatabase({ serverUrl: server, rows, log, fresh: args.fresh });
  const runs = await companyExportRounds({
    root: ROOT,
    outDir,
    work: WORK,
    dbUrl: db.url,
    lastId: db.lastId,
    onDriver,
    apiKey: ctx.apiKey,
    rounds: settings.exportRounds,
    measure: {
      inspect: (i) => args.profile && i === 0,
      // PostgreSQL CPU is not measured here: the export's backend opens during the round.
      round: ({ service, url, apiKey, inspectorPort }) =>
        measureExportRun({ url, apiKey, pids: service.pids, backends: [], inspectorPort }),
    },
  });
  const bad = runs.map(badExport).find(Boolean);
  if (bad) return { skipped: bad };
  return { ...exportSummary(runs, rows), company: EXPORT_COMPANY, fresh_isolate: true };
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
  const databaseName = `pyaudit_bench_${settings.rows}`;
  log(`database ${databaseName} on ${new URL(server).host}`);
  const { url: benchUrl, dataset } = await prepareDatabase(server, databaseName);
  log(
    dataset.loadedNow
      ? `loaded ${settings.rows.toLocaleString('en-US')} events in ${dataset.seconds.toFixed(0)} s`
      : `reusing ${settings.rows.toLocaleString('en-US')} events loaded ${dataset.state.span_end.toISOString().slice(0, 10)}`,
  );
  const services = await startServices({ root: ROOT, work: WORK, server, databaseName, benchUrl, args, settings, log });
  const facts = await withClient(benchUrl, (c) =>
    datasetFacts(c, { rows: settings.rows, variants: settings.variants }),
  );

  const scenarios = {};
  await runReadScenarios(scenarios, services.ctx, facts);
  if (['recent', 'search_company', 'create_single', 'create_batch'].some(wanted)) {
    log('sql_floors: the least SQL of each kind, PostgreSQL CPU alone...');
    await guarded(
      scenarios,
      'sql_floors',
      () => measureSqlFloors(benchUrl, { companyId: SEARCH_COMPANY }),
      (f) =>
        `  newest 501 ${f.newest_501_ms} ms, company count ${f.company_count_ms} ms, insert 1,000 ${f.insert_1000_ms} ms`,
    );
  }
  if (wanted('export_xlsx')) await runExport(scenarios, services.ctx, facts);
  if (wanted('export_xlsx_company')) await runExportCompany(scenarios, services, server);
  try {
    await runWriteScenarios(scenarios, services.ctx, facts);
    if (wanted('live_tail')) await runLiveTail(scenarios, services, facts, server, benchUrl);
  } finally {
    const removed = await withClient(benchUrl, (c) => restoreDataset(c, dataset.state));
    if (removed > 0) log(`removed the ${removed.toLocaleString('en-US')} events the write scenarios created`);
  }
  await stopAll();
  await runStandaloneScenarios(scenarios, server, benchUrl);

  writeResults(await resultOf({ started, benchUrl, dataset, scenarios }));
}

/** Runs one scenario; a failure is recorded as skipped and the benchmark goes on. */
async function guarded(scenarios, name, run, summary) {
  try {
    const result = await run();
    scenarios[name] = result;
    if (result.skipped) log(`  skipped: ${result.skipped}`);
    else if (summary) log(summary(result));
  } catch (error) {
    scenarios[name] = { skipped: `failed: ${error.message.slice(0, 200)}` };
    log(`  failed: ${error.message}`);
  }
}

/** The read scenarios (scenarios.mjs): wrk against the service, then the same SQL under pgbench. */
async function runReadScenarios(scenarios, ctx, facts) {
  for (const scenario of readScenarios(facts, settings)) {
    if (!wanted(scenario.name)) continue;
    log(`${scenario.name}: ${scenario.title}, ${scenario.connections} connections...`);
    try {
      if (scenario.cursorFor) await resolveCursor(scenario, ctx.service.url, ctx.apiKey);
      const measured = await measureHttp(scenario, ctx);
      if (!measured.skipped && !scenario.noSql) {
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
}

async function runExportCompany(scenarios, services, server) {
  log(`export_xlsx_company: ${quick ? '20,000' : '200,000'} rows of one company as xlsx, fresh isolate each round...`);
  await guarded(
    scenarios,
    'export_xlsx_company',
    () => exportCompanyScenario(services, server),
    (e) =>
      `  ${e.rows_per_s.toFixed(0)} rows/s, workerd ${e.cpu.workerd_ms_per_1000_rows.toFixed(1)} ms CPU per 1,000 rows, peak RSS ${e.rss_peak_mib.toFixed(0)} MiB (load average ${e.rounds.map((r) => r.load_average.toFixed(1)).join(', ')})`,
  );
}

async function runExport(scenarios, ctx, facts) {
  log(`export_xlsx: ${facts.exportRows.toLocaleString('en-US')} rows as xlsx...`);
  await guarded(
    scenarios,
    'export_xlsx',
    () => exportScenario(ctx, facts),
    (e) => `  ${e.rows_per_s.toFixed(0)} rows/s, peak RSS ${e.rss_peak_mib.toFixed(0)} MiB`,
  );
}

/** The write scenarios: their events are removed again by main (restoreDataset). */
async function runWriteScenarios(scenarios, ctx, facts) {
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
}

/**
 * The live tail: latency from a create's 201 to its frame on the streams. As on Cloudflare, the
 * creates run on the serving processes (--workers), the one LiveTail object and its streams in a
 * process of its own, notified over its socket (docs/self-hosting.md); its log reports the
 * object's database reads per session.
 */
async function runLiveTail(scenarios, { ctx, poolUrl, outDir, env, onDriver }, facts, server, benchUrl) {
  log(
    `live_tail: latency from a create's 201 to its frame on the streams, ${LIVE_TAIL_STREAMS.join(' and ')} streams...`,
  );
  await guarded(
    scenarios,
    'live_tail',
    async () => {
      const logFile = join(WORK, 'workerd-live-tail.log');
      const tailService = await startService({
        root: ROOT,
        outDir,
        ...onDriver(poolUrl.toString(), { ...env, LOG_LEVEL: 'INFO', LIVE_TAIL_HEARTBEAT_MS: '2000' }),
        port: await freePort(),
        workers: settings.workers,
        liveProcess: true,
        liveInspectorPort: args.profile ? await freePort() : undefined,
        inspectorPort: args.profile ? await freePort() : undefined,
        build: false,
        configName: 'workerd-live-tail.capnp',
        stdio: openSync(logFile, 'w'),
      });
      onCleanup('workerd (live tail)', tailService.stop);
      return liveTailScenario({
        baseUrl: tailService.url,
        apiKey: ctx.apiKey,
        facts,
        syntheticEvent,
        rate: LIVE_TAIL_RATE,
        streamCounts: LIVE_TAIL_STREAMS,
        seconds: settings.seconds,
        warmup: Math.max(2, settings.warmup / 2),
        logFile,
        serverUrl: server,
        benchUrl,
        // --profile: the object's process, in the run with the most streams.
        profileObject: tailService.liveInspectorPort ? () => startCpuProfile(tailService.liveInspectorPort) : null,
        // --profile: the first serving process too (creates, stream relays, notifications).
        profileServing: tailService.inspectorPort ? () => startCpuProfile(tailService.inspectorPort) : null,
        bundlePath: join(WORK, 'dist', 'index.js'),
        // Taken again for each measured run: pgbouncer opens server connections as the load grows.
        pids: async () => ({
          workerd: tailService.pids.filter((pid) => pid !== tailService.livePid),
          live_tail_object: [tailService.livePid],
          postgres: await databaseBackendPids(ctx),
          pgbouncer: [ctx.pool.pid],
          // This process: the creates' load generator and the 200 streams' reader share the cores.
          bench_client: [process.pid],
        }),
        log,
      });
    },
    null,
  );
}

/** The scenarios that start what they need themselves, after the HTTP services are stopped. */
async function runStandaloneScenarios(scenarios, server, benchUrl) {
  if (wanted('queued_ingest')) {
    log('queued_ingest: enqueue -> queue -> consumer under wrangler dev (miniflare simulates Queues)...');
    await guarded(
      scenarios,
      'queued_ingest',
      () => queuedIngestScenario({ root: ROOT, workDir: WORK, benchUrl, quick, log }),
      (q) =>
        `  enqueue: ${q.enqueue_batch.accepted_events_per_s.toFixed(0)} events/s accepted, ${q.enqueue_batch.stored_events_per_s.toFixed(0)} stored; 202 -> searchable p50 ${ms(q.enqueue_batch.accepted_to_searchable_p50_ms)} ms, p99 ${ms(q.enqueue_batch.accepted_to_searchable_p99_ms)} ms; direct batch ${q.direct_batch.stored_events_per_s.toFixed(0)} events/s`,
    );
    await stopAll();
  }
  if (wanted('archive_month') && !args['skip-archive']) {
    log(`archive_month: archiving a ${settings.archiveRows.toLocaleString('en-US')}-row month...`);
    await guarded(
      scenarios,
      'archive_month',
      () => archivalScenario({ serverUrl: server, rows: settings.archiveRows, log, fresh: args.fresh }),
      (a) => `  maintain ${a.maintain_seconds.toFixed(2)} s; copy-and-delete ${a.copy_and_delete_seconds.toFixed(1)} s`,
    );
  }
  if (wanted('integrity')) {
    log(`integrity: sealing and verifying ${settings.archiveRows.toLocaleString('en-US')} events...`);
    await guarded(
      scenarios,
      'integrity',
      () => integrityScenario({ root: ROOT, serverUrl: server, rows: settings.archiveRows, log }),
      (i) =>
        `  seal ${i.seal_ms_per_1000.toFixed(1)} ms per 1,000 events (${i.seal_events_per_s.toFixed(0)} events/s); verify ${i.verify_seconds.toFixed(2)} s (${i.verify_events_per_s.toFixed(0)} events/s; CPU PostgreSQL ${i.verify_cpu.postgres_seconds.toFixed(1)} s, Node ${i.verify_cpu.node_seconds.toFixed(1)} s; load average ${i.verify_cpu.load_average_before.toFixed(1)})\n` +
        `  ingest hashing: single +${i.ingest_hash.single.overhead_pct.toFixed(1)}%, batch of 1,000 +${i.ingest_hash.batch.overhead_pct.toFixed(1)}% PostgreSQL CPU; the Worker's texts ${i.ingest_hash.batch.worker_added_us_per_event.toFixed(2)} us an event`,
    );
  }
}

/** The result file's content: how it was measured (meta), the dataset, scenarios and targets. */
async function resultOf({ started, benchUrl, dataset, scenarios }) {
  const postgres = await withClient(
    benchUrl,
    async (c) => (await c.query('SHOW server_version')).rows[0].server_version,
  );
  return {
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
}

try {
  await main();
} catch (error) {
  console.error(`benchmark failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
