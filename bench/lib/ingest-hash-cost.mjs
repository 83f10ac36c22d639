import { ingestStatementArguments } from '../../src/integrity/ingest-canonical.ts';
import { processCpuNanoseconds } from './cpu.mjs';
import { withClient } from './database.mjs';

/**
 * What hashing costs ingest (issue 14, "within 10% of without"): the ingest statement
 * (`auditevents_ingest`, sql/functions/ingest.sql) for one event and for a batch of 1,000,
 * against a copy of the same function with the hash expression replaced by NULL, in the
 * integrity scenario's scratch database.
 *
 * The figure is PostgreSQL's CPU per statement: the backend's time on a CPU from
 * /proc/<pid>/schedstat (nanoseconds), read around every call. Wall times on this shared machine
 * varied 2x between identical rounds; the 10 ms ticks of /proc/<pid>/stat read the same code
 * +7% and +12% minutes apart. The two variants alternate call by call (which goes first switches
 * every pair), so a change in load hits both alike, and each figure is the mean of the middle
 * half of its calls (a call that shared its core with a burst of other work falls outside it).
 *
 * Each measure is taken in ROUNDS rounds, each on a new connection (a backend of its own), and
 * the overhead is the median round's: one backend, measured alone, read the same code anywhere
 * from +5.6% to +10.6% (2026-12-03, docs/benchmark.md), whatever the number of its calls, so the
 * spread is between backends, not between calls. Every round's figure is in the result.
 *
 * The statement with the hash gets what the Worker sends it: the events and each one's encoding
 * after the id (src/integrity/ingest-canonical.ts), which the statement hashes instead of building
 * the text; building those texts is the Worker's share of the hash, measured here in this process
 * (the same JavaScript) and reported beside the database's.
 */
const ROUNDS = 5;
/** Calls of each variant in a round (ROUNDS times this in all: 2,000 single creates, 200 batches). */
const RUNS = { single: { events: 1, times: 400 }, batch: { events: 1000, times: 40 } };

/** The ingest function as installed, renamed, with its per-row hash expression replaced by NULL. */
export async function installIngestWithoutHash(client) {
  const { rows } = await client.query(
    `SELECT pg_get_functiondef('auditevents_ingest(jsonb, text)'::regprocedure) AS def`,
  );
  const def = rows[0].def;
  const without = def
    .replace(/FUNCTION public\.auditevents_ingest\(/, 'FUNCTION public.auditevents_ingest_unhashed(')
    .replace(/auditevent_(?:ingest_)?hash(?:_with_json_names)?\([^)]*\)/g, 'NULL::bytea');
  if (
    without === def ||
    /auditevent_(?:ingest_)?hash/.test(without) ||
    !without.includes('auditevents_ingest_unhashed(')
  )
    throw new Error('could not derive auditevents_ingest without its hash');
  await client.query(without);
}

/** The mean of the middle half of the values. */
function middleMean(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.slice(Math.floor(sorted.length / 4), Math.ceil((sorted.length * 3) / 4));
  return middle.reduce((a, b) => a + b, 0) / middle.length;
}

/**
 * This process's CPU milliseconds for one call of build, over enough calls to be read, after as
 * many unmeasured ones (a Worker serving batches runs this code hot).
 */
function workerMs(build, events) {
  const repeats = Math.max(200, Math.ceil(200_000 / events));
  for (let i = 0; i < repeats; i++) build();
  const before = process.cpuUsage();
  for (let i = 0; i < repeats; i++) build();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / repeats;
}

/** One round on a new connection: the middle-half mean PostgreSQL CPU of each variant's calls. */
async function measureRound(url, variants, args, times) {
  return withClient(url, async (client) => {
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const cpuNs = { with: [], without: [] };
    const call = async (variant) => {
      const before = processCpuNanoseconds(pid);
      await client.query(`SELECT * FROM ${variants[variant].fn}($1::jsonb, $2::text)`, args[variant]);
      cpuNs[variant].push(processCpuNanoseconds(pid) - before);
    };
    // A few calls of each first: the calls measure the statement, not its first plannings.
    for (let i = 0; i < 6; i++) for (const v of ['with', 'without']) await call(v);
    cpuNs.with.length = 0;
    cpuNs.without.length = 0;
    for (let i = 0; i < times; i++) for (const v of i % 2 ? ['without', 'with'] : ['with', 'without']) await call(v);
    const withMs = middleMean(cpuNs.with) / 1e6;
    const withoutMs = middleMean(cpuNs.without) / 1e6;
    return { with_hash_ms: withMs, without_hash_ms: withoutMs, overhead_pct: (withMs / withoutMs - 1) * 100 };
  });
}

/** The round whose overhead is the median of the rounds' (an odd number of them). */
function medianRound(rounds) {
  return [...rounds].sort((a, b) => a.overhead_pct - b.overhead_pct)[Math.floor(rounds.length / 2)];
}

export async function measureIngestHashCost({ url }) {
  const { f, t } = await withClient(url, async (client) => {
    await installIngestWithoutHash(client);
    const { rows } = await client.query(
      `SELECT f.functionalityname AS f, t.eventtypename AS t FROM auditeventtypes t
       JOIN auditfunctionalities f ON f.functionalityid = t.functionalityid ORDER BY t.eventtypeid LIMIT 1`,
    );
    return rows[0];
  });
  const ts = new Date(Date.now() - 3_600_000).toISOString();
  const rowsOf = (n) =>
    Array.from({ length: n }, (_, i) => ({
      idx: i,
      ts,
      functionality: f,
      event_type: t,
      store_id: 101 + (i % 50),
      company_id: 5001 + (i % 20),
      username: `user${i % 1000}`,
      message: `User logged in successfully ${i}`,
      status: 'Success',
      additional_data: { ip: `10.0.0.${i % 250}`, browser: 'Chrome', n: i },
      event_id: null,
    }));
  // What src/db/queries/events/ingest.ts sends: the events and, for the statement with the hash,
  // their canonical texts.
  const variants = {
    with: {
      fn: 'auditevents_ingest',
      args: (rows) => {
        const { events, canonical } = ingestStatementArguments(rows);
        return [events, canonical];
      },
    },
    without: { fn: 'auditevents_ingest_unhashed', args: (rows) => [JSON.stringify(rows), null] },
  };
  const result = {};
  for (const [name, run] of Object.entries(RUNS)) {
    const events = rowsOf(run.events);
    const args = { with: variants.with.args(events), without: variants.without.args(events) };
    const started = performance.now();
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await measureRound(url, variants, args, run.times));
    const seconds = (performance.now() - started) / 1000;
    const median = medianRound(rounds);
    const worker = {
      with: workerMs(() => variants.with.args(events), run.events),
      without: workerMs(() => variants.without.args(events), run.events),
    };
    result[name] = {
      events: run.events,
      calls: run.times * ROUNDS,
      seconds,
      // The median round's figures; every round's overhead beside them.
      with_hash_ms: median.with_hash_ms,
      without_hash_ms: median.without_hash_ms,
      overhead_pct: median.overhead_pct,
      rounds_overhead_pct: rounds.map((r) => r.overhead_pct),
      // The Worker's arguments for the statement, with and without the texts for the hash, and
      // what building the texts adds per event (the Worker's whole batch request is ~26 us an
      // event: the create_batch scenario's workerd ms).
      worker_with_ms: worker.with,
      worker_without_ms: worker.without,
      worker_added_us_per_event: ((worker.with - worker.without) * 1000) / run.events,
    };
  }
  return result;
}
