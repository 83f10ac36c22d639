import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { measureCpu } from './cpu.mjs';
import { percentile } from './stats.mjs';

/**
 * The live tail (docs/live-tail.md) under load: N open streams (each watching one company, as
 * support staff watch a store's company) while creates run at a steady rate, paced here (an
 * open loop, unlike wrk). For every event created in the measured window it records the time
 * from the create's 201 to the event's frame on each stream watching its company (0 when the
 * frame came first), and checks that every such stream got it: a missing delivery is counted.
 *
 * As on Cloudflare, the creates are taken by the serving workerd processes and the one LiveTail
 * object, which holds every stream and hears every create, runs in a process of its own
 * (`startService({ liveProcess: true })`, docs/self-hosting.md); the streams are opened through
 * the serving processes too. When its last stream closes the object logs what it did since it
 * started ('live tail idle': fan-out reads, catch-up reads, key checks, seconds): its database
 * work with 1 and with N streams, read from the log here.
 */
const API = '/pyaudit/api/audit-events';
/** How long after the window every delivery should have arrived; then how much longer to wait for late ones. */
const DRAIN_MS = 10_000;
const LATE_MS = 30_000;
const COMPANIES = Array.from({ length: 50 }, (_, i) => 5001 + i);

/** The streams' connections: one each, held open (node:http, for the reason given at `post`). */
const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

/** One SSE connection; calls onAudit(eventId, nowMs) for each audit frame. */
async function openStream(url, apiKey, onAudit) {
  let buffer = '';
  let ended = null;
  let closing = false;
  /** How the connection went away without an `end` frame (not by close()): the stream was lost. */
  let lost = null;
  const ids = new Set();
  let request;
  let finished;
  const done = new Promise((resolve) => {
    finished = resolve;
  });
  const onData = (value) => {
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (frame.includes('\nevent: audit\n')) {
        const id = /"Id":(\d+)/.exec(frame);
        if (id) {
          ids.add(Number(id[1]));
          onAudit(Number(id[1]), performance.now());
        }
      } else if (frame.includes('event: end')) ended = frame;
      end = buffer.indexOf('\n\n');
    }
  };
  await new Promise((resolve, reject) => {
    request = http.get(url, { agent: streamAgent, headers: { 'CSIQ-APIKEY': apiKey } }, (response) => {
      response.setEncoding('utf8');
      if (response.statusCode !== 200) {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => reject(new Error(`stream: HTTP ${response.statusCode} ${text}`)));
        return;
      }
      response.on('data', onData);
      response.on('end', () => {
        if (!closing && !ended) lost = 'closed';
        finished();
      });
      response.on('error', (error) => {
        // destroyed by close(); anything else is a lost connection
        if (!closing) lost = String(error?.code ?? error?.name ?? error);
        finished();
      });
      response.on('close', () => finished());
      resolve();
    });
    request.on('error', (error) => {
      if (!closing) lost = String(error?.code ?? error?.name ?? error);
      finished();
      reject(error);
    });
  });
  return {
    ids,
    get ended() {
      return ended;
    },
    get lost() {
      return lost;
    },
    close: async () => {
      closing = true;
      request.destroy();
      await done;
    },
  };
}

/**
 * The creates' connections: kept alive, at most as many as may be in flight. node:http, not
 * fetch: the load generator shares the 2 cores with the service, and fetch (undici's web
 * streams) cost it 1.0-1.4 ms of CPU per create, a quarter of a core at 260 creates/s (measured
 * 2026-12-02, docs/live-tail.md); what it spends the service cannot.
 */
const createAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function post(url, apiKey, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: createAgent,
        headers: {
          'CSIQ-APIKEY': apiKey,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Creates at `rate` per second until stop(); each 201's time is reported with the event id. */
function startCreates({ baseUrl, apiKey, rate, eventFor, on201 }) {
  const TICK_MS = 10;
  const MAX_IN_FLIGHT = 32;
  let n = 0;
  let inFlight = 0;
  let errors = 0;
  let skipped = 0;
  const started = performance.now();
  const send = async (i) => {
    inFlight++;
    const body = eventFor(i);
    try {
      const { status, text } = await post(`${baseUrl}${API}/create`, apiKey, JSON.stringify(body));
      if (status !== 201) errors++;
      else on201(JSON.parse(text).id, body.company_id, performance.now());
    } catch {
      errors++;
    } finally {
      inFlight--;
    }
  };
  const timer = setInterval(() => {
    // As many as the rate asks for by now, on at most MAX_IN_FLIGHT connections (as many as the
    // create scenario's wrk); past that the service is saturated and the rest are skipped.
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (n < due) {
      if (inFlight >= MAX_IN_FLIGHT) {
        skipped += due - n;
        n = due;
        break;
      }
      send(n++);
    }
  }, TICK_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
      return { sent: n - skipped, errors, skipped };
    },
  };
}

/** The object's 'live tail idle' log lines after byte `from` of the workerd log. */
function idleLines(logFile, from) {
  const text = readFileSync(logFile, 'utf8').slice(from);
  return text
    .split('\n')
    .filter((line) => line.includes('"live tail idle"'))
    .map((line) => JSON.parse(line));
}

/**
 * Samples, every 200 ms, how long the oldest open write transaction of the whole PostgreSQL
 * server has been running (any database: the commit horizon is the server's). An event waits
 * for every transaction that began writing before its own, so this is the floor of the latency.
 */
function sampleOldestWriter(serverUrl) {
  const client = new pg.Client({ connectionString: serverUrl });
  const ages = [];
  let others = 0;
  let running = true;
  const done = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query(
        `SELECT extract(epoch FROM now() - xact_start) * 1000 AS ms, datname <> current_database() AS other
           FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
          ORDER BY xact_start LIMIT 1`,
      );
      ages.push(rows.length ? Number(rows[0].ms) : 0);
      if (rows[0]?.other) others++;
      await new Promise((r) => setTimeout(r, 200));
    }
    await client.end();
  })();
  return {
    stop: async () => {
      running = false;
      await done.catch(() => {});
      const sorted = ages.sort((a, b) => a - b);
      return {
        samples: sorted.length,
        p50_ms: percentile(sorted, 50),
        p99_ms: percentile(sorted, 99),
        max_ms: sorted.at(-1) ?? null,
        other_database_share: sorted.length ? Math.round((others / sorted.length) * 100) / 100 : null,
      };
    },
  };
}

/**
 * Which in-window events some stream did not get, and why it might be: the stream (ended, lost),
 * and the event's row (is it stored, its position) next to the rows the same streams did get.
 */
async function explainMissing({ created, companyOf, streams, watched, benchUrl }) {
  const missing = [];
  for (const [id, c] of created) {
    if (!c.inWindow || c.delivered >= c.expected) continue;
    const company = companyOf.get(id);
    const missedBy = streams.flatMap((s, i) =>
      watched[i] === company && !s.ids.has(id) ? [{ stream: i, ended: s.ended, lost: s.lost, got: s.ids.size }] : [],
    );
    missing.push({ id, company, expected: c.expected, delivered: c.delivered, missedBy });
  }
  if (missing.length === 0) return null;
  let rows = [];
  if (benchUrl) {
    const client = new pg.Client({ connectionString: benchUrl });
    await client.connect();
    try {
      ({ rows } = await client.query(
        `SELECT 'live' AS t, id, writexid::text, createdat, companyid, auditevents_commit_horizon()::text AS horizon
           FROM auditevents WHERE id = ANY($1::bigint[])
         UNION ALL
         SELECT 'archival', id, writexid::text, createdat, companyid, auditevents_commit_horizon()::text
           FROM auditevents_archival WHERE id = ANY($1::bigint[])
         ORDER BY 3, 2`,
        [missing.map((m) => m.id)],
      ));
    } finally {
      await client.end();
    }
  }
  return { events: missing.length, sample: missing.slice(0, 20), rows: rows.slice(0, 50), rows_found: rows.length };
}

async function measureWith(streamCount, ctx) {
  const { baseUrl, apiKey, facts, syntheticEvent, rate, seconds, warmup, logFile, pids } = ctx;
  const logFrom = statSync(logFile).size;
  const watched = Array.from({ length: streamCount }, (_, i) => COMPANIES[i % COMPANIES.length]);
  const watchers = new Map();
  for (const c of watched) watchers.set(c, (watchers.get(c) ?? 0) + 1);
  const targets = [...watchers.keys()];

  // Event id -> { t201, inWindow, expected, delivered }; frames that beat their 201 wait in early.
  const created = new Map();
  const companyOf = new Map();
  const early = new Map();
  const latencies = [];
  let measuring = false;
  const onAudit = (id, now) => {
    const c = created.get(id);
    if (!c) {
      early.set(id, (early.get(id) ?? 0) + 1);
      return;
    }
    c.delivered++;
    if (c.inWindow) latencies.push(Math.max(0, now - c.t201));
  };
  const on201 = (id, company, now) => {
    const c = { t201: now, inWindow: measuring, expected: watchers.get(company) ?? 0, delivered: 0 };
    created.set(id, c);
    companyOf.set(id, company);
    const before = early.get(id);
    if (before) {
      early.delete(id);
      c.delivered += before;
      if (c.inWindow) for (let i = 0; i < before; i++) latencies.push(0);
    }
  };

  const streams = [];
  const url = (company) => `${baseUrl}${API}/stream?company_id=${company}`;
  for (let i = 0; i < watched.length; i += 20) {
    streams.push(...(await Promise.all(watched.slice(i, i + 20).map((c) => openStream(url(c), apiKey, onAudit)))));
  }
  const eventFor = (n) => ({
    ...syntheticEvent(facts, n, new Date().toISOString()),
    company_id: targets[n % targets.length],
  });
  const load = startCreates({ baseUrl, apiKey, rate, eventFor, on201 });
  await new Promise((r) => setTimeout(r, warmup * 1000));
  measuring = true;
  const writers = sampleOldestWriter(ctx.serverUrl);
  // This process reads the streams and sends the creates: its own delays are part of what it measures.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const profiler = ctx.profile ? await ctx.profileObject() : null;
  const servingProfiler = ctx.profile && ctx.profileServing ? await ctx.profileServing() : null;
  const loadBefore = loadavg()[0];
  const { cpu } = await measureCpu(await pids(), () => new Promise((r) => setTimeout(r, seconds * 1000)));
  const profile = profiler ? await profiler.stop(ctx.bundlePath) : null;
  const servingProfile = servingProfiler ? await servingProfiler.stop(ctx.bundlePath) : null;
  const loadAfter = loadavg()[0];
  const oldestWriter = await writers.stop();
  loopDelay.disable();
  measuring = false;
  const sent = await load.stop();
  // Deliveries still under way: wait (bounded) until every stream has every window event.
  const inWindow = [...created.values()].filter((c) => c.inWindow);
  const stillMissing = () => inWindow.reduce((a, c) => a + Math.max(0, c.expected - c.delivered), 0);
  // The horizon can hold the window's last events after it too: the drain is sampled apart.
  const drainWriters = sampleOldestWriter(ctx.serverUrl);
  const drainStart = performance.now();
  const waitUntil = async (ms) => {
    while (performance.now() < drainStart + ms && stillMissing() > 0) await new Promise((r) => setTimeout(r, 100));
  };
  await waitUntil(DRAIN_MS);
  // Missing after the drain is not yet lost: on a starved machine a delivery can take longer. Keep
  // listening (bounded) and report what came late apart from what never came.
  const missingAtDrain = stillMissing();
  if (missingAtDrain > 0) await waitUntil(DRAIN_MS + LATE_MS);
  const drainSeconds = Math.round(performance.now() - drainStart) / 1000;
  const oldestWriterInDrain = await drainWriters.stop();
  const ended = streams.filter((s) => s.ended).length;
  const lost = streams.filter((s) => s.lost).length;
  const gaps = await explainMissing({ created, companyOf, streams, watched, benchUrl: ctx.benchUrl });
  await Promise.all(streams.map((s) => s.close()));
  // The object goes idle once every stream is dropped, and logs its session.
  const idleBy = performance.now() + 15_000;
  let session = idleLines(logFile, logFrom).at(-1);
  while (!session && performance.now() < idleBy) {
    await new Promise((r) => setTimeout(r, 200));
    session = idleLines(logFile, logFrom).at(-1);
  }

  const sorted = latencies.sort((a, b) => a - b);
  const perSecond = (n, wall) => Math.round((n / wall) * 10) / 10;
  return {
    streams: streamCount,
    creates_per_s: perSecond(inWindow.length, seconds),
    create_errors: sent.errors,
    creates_skipped_saturated: sent.skipped,
    deliveries: sorted.length,
    // Never arrived, DRAIN_MS + LATE_MS after the window: lost (or a stream that was).
    missing_deliveries: stillMissing(),
    // Not there DRAIN_MS after the window, there later: slow, not lost.
    late_after_drain: missingAtDrain - stillMissing(),
    drain_seconds: drainSeconds,
    duplicate_deliveries: inWindow.reduce((a, c) => a + Math.max(0, c.delivered - c.expected), 0),
    streams_ended_by_server: ended,
    streams_lost_without_end: lost,
    ...(gaps ? { missing_detail: gaps } : {}),
    p50_ms: percentile(sorted, 50),
    p99_ms: percentile(sorted, 99),
    max_ms: sorted.at(-1) ?? null,
    // The object's reads while these streams were open (warm-up, window and drain).
    db: session
      ? {
          seconds: session.seconds,
          notifications_per_s: perSecond(session.notifications ?? 0, session.seconds),
          fan_out_reads_per_s: perSecond(session.fan_out_reads, session.seconds),
          // Each read's round trip as the object saw it: the query, pgbouncer's queue, the isolate's.
          fan_out_read_ms: session.fan_out_read_ms ?? null,
          catch_up_reads: session.catch_up_reads,
          key_checks_per_s: perSecond(session.key_checks, session.seconds),
          peak_streams: session.peak_streams,
        }
      : null,
    cpu,
    // CPU per taken create of each group (ms): comparable across runs whose rates the machine's
    // other work decided; what 500 creates/s would need is 500 times their sum.
    cpu_ms_per_create: Object.fromEntries(
      Object.entries(cpu)
        .filter(([name, pct]) => name !== 'machine_busy_pct' && typeof pct === 'number')
        .map(([name, pct]) => [
          name.replace(/_pct$/, ''),
          inWindow.length ? Math.round(((pct * 10 * seconds) / inWindow.length) * 100) / 100 : null,
        ]),
    ),
    // The machine's 1-minute load average before and after the window (2 cores; others' work too).
    load_average: [loadBefore, loadAfter].map((l) => Math.round(l * 10) / 10),
    ...(profile ? { object_profile: profile } : {}),
    ...(servingProfile ? { serving_profile: servingProfile } : {}),
    oldest_open_writer: oldestWriter,
    oldest_open_writer_in_drain: oldestWriterInDrain,
    client_event_loop_delay_ms: {
      p50: Math.round(loopDelay.percentile(50) / 1e4) / 100,
      p99: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    },
  };
}

/**
 * Runs the scenario with each stream count (default 1 and 200). `pids`: resolves the process
 * groups whose CPU is measured ({ workerd: [...], postgres: [...] }), asked again for each run.
 */
export async function liveTailScenario(ctx) {
  // The first run must not pay for a cold service (JIT, pgbouncer's first connections, the
  // object's first start): the same load with one stream, unmeasured.
  ctx.log(`  warming up (${ctx.warmup} s, not measured)...`);
  await measureWith(1, { ...ctx, seconds: ctx.warmup });
  const runs = [];
  for (const count of ctx.streamCounts) {
    ctx.log(`  ${count} stream(s), ${ctx.rate} creates/s...`);
    const profile = ctx.profileObject !== null && count === Math.max(...ctx.streamCounts);
    const run = await measureWith(count, { ...ctx, profile });
    ctx.log(
      `    p50 ${run.p50_ms?.toFixed(1)} ms, p99 ${run.p99_ms?.toFixed(1)} ms over ${run.deliveries} deliveries; ${run.creates_per_s} creates/s; object reads ${run.db?.fan_out_reads_per_s ?? '?'}/s; missing ${run.missing_deliveries} (late after the drain ${run.late_after_drain})`,
    );
    if (run.streams_lost_without_end)
      ctx.log(`    ${run.streams_lost_without_end} stream(s) lost without an end frame`);
    if (run.missing_detail) ctx.log(`    missing: ${JSON.stringify(run.missing_detail)}`);
    ctx.log(`    CPU % of a core: ${JSON.stringify(run.cpu)}; load average ${run.load_average.join(' -> ')}`);
    ctx.log(`    CPU ms per create: ${JSON.stringify(run.cpu_ms_per_create)}`);
    for (const [which, profile] of [
      ['object process', run.object_profile],
      ['first serving process', run.serving_profile],
    ]) {
      if (!profile) continue;
      ctx.log(`    ${which} CPU profile (${profile.busy_ms} ms busy), top functions:`);
      for (const f of profile.by_function.slice(0, 12)) ctx.log(`      ${f.pct}% ${f.ms} ms ${f.name}`);
      ctx.log(`      by package: ${profile.by_package.map((p) => `${p.name} ${p.pct}%`).join(', ')}`);
    }
    runs.push(run);
  }
  return { title: 'live tail: 201 to frame', rate: ctx.rate, seconds: ctx.seconds, runs };
}
