import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntilServing } from '../../scripts/lib/wait-until-serving.mjs';
import { spawnWranglerDev } from '../../scripts/lib/wrangler-dev.mjs';
import { onCleanup } from './cleanup.mjs';
import { withClient } from './database.mjs';
import { freePort } from './ports.mjs';
import { percentile } from './stats.mjs';

/**
 * Queued ingest end to end (issue 17, docs/capacity.md). workerd serve has no Queues broker, so
 * this scenario runs the Worker under `wrangler dev`, whose miniflare simulates the queue, the
 * consumer and its batching as on Cloudflare, against the benchmark database. It measures:
 *  - enqueue: batches of events sent with a few connections; events per second accepted (202)
 *    and stored (end to end: first request sent -> last event committed), and per request the
 *    time from its 202 to all of its events being searchable (committed; polled every 50 ms);
 *  - the same load through POST /batch on the same server, so the queue's own cost shows;
 *  - single events through enqueue and through create, same server.
 * wrangler dev adds its development proxies (docs/benchmark.md): compare the rows of this table
 * with each other, not with the workerd serve scenarios.
 */
export async function queuedIngestScenario({ root, workDir, benchUrl, quick, log }) {
  const key = `bench-${randomBytes(8).toString('hex')}`;
  const port = await freePort();
  const state = join(workDir, 'wrangler-state');
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  const url = new URL(benchUrl);
  if (!url.password) url.password = 'bench'; // Hyperdrive's local string needs one
  const child = spawnWranglerDev({
    port,
    databaseUrl: url.toString(),
    args: ['--persist-to', state, '--var', `API_KEYS:${key}`, '--var', 'LOG_LEVEL:ERROR', '--var', 'SELF_AUDIT:false'],
    options: { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 1500));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  };
  onCleanup('wrangler dev (queued ingest)', stop);
  const base = `http://127.0.0.1:${port}/pyaudit/api`;
  const headers = { 'CSIQ-APIKEY': key, 'Content-Type': 'application/json' };
  await waitUntilServing({
    url: `http://127.0.0.1:${port}`,
    child,
    timeoutMs: 120_000,
    name: 'wrangler dev',
    healthy: true,
    exitDetail: () => `: ${stderr.slice(-500)}`,
  });

  const company = 900_000_000 + Math.floor(Math.random() * 1_000_000);
  const count = () =>
    withClient(benchUrl, async (c) =>
      Number((await c.query('SELECT count(*) AS n FROM auditevents WHERE companyid = $1', [company])).rows[0].n),
    );
  const batchSize = quick ? 500 : 1000;
  const requests = quick ? 12 : 40;
  const connections = 4;
  const body = (tag, n) => ({
    events: Array.from({ length: n }, (_, i) => ({
      event_timestamp: new Date(Date.now() - 60_000).toISOString(),
      functionality: 'Authenticate',
      event_type: 'Login',
      store_id: 101,
      company_id: company,
      user: 'bench',
      message: `${tag} item ${i} queued ingest benchmark`,
      additional_data: { i, tag },
    })),
  });
  const post = (path, payload) =>
    fetch(`${base}/audit-events/${path}`, { method: 'POST', headers, body: JSON.stringify(payload) });

  /** `total` requests over `connections` loops; returns per-request {tag, sentMs, answeredMs}. */
  async function load(path, total, perRequest, expect) {
    const done = [];
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const index = next++;
        const tag = `${path}-${index}-${randomBytes(3).toString('hex')}`;
        const sentMs = performance.now();
        const response = await post(path, perRequest === 1 ? body(tag, 1).events[0] : body(tag, perRequest));
        if (response.status !== expect) throw new Error(`${path}: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
        done.push({ tag, sentMs, answeredMs: performance.now() });
      }
    };
    await Promise.all(Array.from({ length: connections }, worker));
    return done;
  }

  /** Polls until every request's events are committed; returns when each request's became visible. */
  async function waitStored(requestsDone, perRequest, startCount) {
    const visible = new Map();
    const expected = startCount + requestsDone.length * perRequest;
    const limit = Date.now() + 300_000;
    await withClient(benchUrl, async (c) => {
      for (;;) {
        const { rows } = await c.query(
          `SELECT split_part(message, ' ', 1) AS tag, count(*)::int AS n FROM auditevents
            WHERE companyid = $1 GROUP BY 1`,
          [company],
        );
        const now = performance.now();
        let total = 0;
        for (const r of rows) {
          total += r.n;
          if (r.n >= perRequest && !visible.has(r.tag)) visible.set(r.tag, now);
        }
        if (total >= expected) break;
        if (Date.now() > limit) throw new Error(`only ${total} of ${expected} events stored after 300 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    return visible;
  }

  const result = {
    title: 'queued ingest (wrangler dev: miniflare queue)',
    batch_size: batchSize,
    requests,
    connections,
  };
  try {
    // Queued batches: accepted rate, end-to-end rate, 202 -> searchable.
    log(`  enqueue: ${requests} x ${batchSize} events, ${connections} connections...`);
    let before = await count();
    let started = performance.now();
    const queued = await load('enqueue', requests, batchSize, 202);
    const acceptedSeconds = (Math.max(...queued.map((r) => r.answeredMs)) - started) / 1000;
    const visible = await waitStored(queued, batchSize, before);
    const storedSeconds = (Math.max(...visible.values()) - started) / 1000;
    const lags = queued.map((r) => (visible.get(r.tag) ?? Number.NaN) - r.answeredMs).sort((a, b) => a - b);
    result.enqueue_batch = {
      events: requests * batchSize,
      accepted_events_per_s: (requests * batchSize) / acceptedSeconds,
      stored_events_per_s: (requests * batchSize) / storedSeconds,
      accepted_to_searchable_p50_ms: percentile(lags, 50),
      accepted_to_searchable_p99_ms: percentile(lags, 99),
    };

    log(`  batch (direct), same load...`);
    before = await count();
    started = performance.now();
    const direct = await load('batch', requests, batchSize, 201);
    const directSeconds = (Math.max(...direct.map((r) => r.answeredMs)) - started) / 1000;
    result.direct_batch = { events: requests * batchSize, stored_events_per_s: (requests * batchSize) / directSeconds };

    const singles = quick ? 200 : 1000;
    log(`  single events: ${singles} through enqueue, ${singles} through create...`);
    before = await count();
    started = performance.now();
    const single = await load('enqueue', singles, 1, 202);
    const singleAccepted = (Math.max(...single.map((r) => r.answeredMs)) - started) / 1000;
    const singleVisible = await waitStored(single, 1, before);
    const singleStored = (Math.max(...singleVisible.values()) - started) / 1000;
    const singleLags = single.map((r) => (singleVisible.get(r.tag) ?? Number.NaN) - r.answeredMs).sort((a, b) => a - b);
    result.enqueue_single = {
      events: singles,
      accepted_events_per_s: singles / singleAccepted,
      stored_events_per_s: singles / singleStored,
      accepted_to_searchable_p50_ms: percentile(singleLags, 50),
      accepted_to_searchable_p99_ms: percentile(singleLags, 99),
    };
    started = performance.now();
    const created = await load('create', singles, 1, 201);
    result.direct_single = {
      events: singles,
      stored_events_per_s: singles / ((Math.max(...created.map((r) => r.answeredMs)) - started) / 1000),
    };
  } finally {
    await withClient(benchUrl, (c) => c.query('DELETE FROM auditevents WHERE companyid = $1', [company]));
    await withClient(benchUrl, (c) =>
      c.query('DELETE FROM auditevent_idempotency WHERE companyid = $1', [company]).catch(() => undefined),
    );
    await stop();
  }
  return result;
}
