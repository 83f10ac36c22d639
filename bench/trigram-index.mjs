// What the message trigram index costs batch ingest, and what its alternatives cost search (issue 18).
//
//   node_modules/.bin/node bench/trigram-index.mjs [--rows 100000] [--batches 5] [--rounds 3]
//
// Builds (or reuses) its own scratch database pyaudit_trgm_<rows> with the benchmark dataset
// (bench/sql/, six months), then for each variant of the index on `message` measures:
// - PostgreSQL CPU per 1,000-event batch: `auditevents_ingest` as the service calls it, events
//   shaped like the bench's create_batch (bench/lib/scenarios.mjs), the backend's user+system
//   time from /proc like bench/lib/ingest-hash-cost.mjs. For GIN with fastupdate the pending list
//   is flushed after each round (gin_clean_pending_list) and that CPU is reported beside it: it
//   is work the primary does anyway, in the inserting backend or in autovacuum.
// - Search wall ms (median of 5, warm) for message_pattern, rare and common, whole range and
//   one full month, the way the service filters (ILIKE '%p%', newest first, page of 500, count).
// Variants: gin on the parent (sql/003 before sql/060), gin fastupdate=off, gin with a 32 MB
// pending list, gist, none, and gin on closed months only (the current month without it), built
// the way maintenance builds it (auditevents_message_index_statements, sql/060): the schema's
// layout since issue 18, in which the script leaves the database.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ingestStatementArguments } from '../src/integrity/ingest-canonical.ts';
import { processCpuSeconds } from './lib/cpu.mjs';
import { createDatabase, databaseUrl, migrateDatabase, serverUrl, withClient } from './lib/database.mjs';
import { ensureDataset, restoreDataset } from './lib/dataset.mjs';
import { syntheticEvent } from './lib/scenarios.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    batches: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
const rows = Number(values.rows);
const BATCHES = Number(values.batches);
const ROUNDS = Number(values.rounds);
const EVENTS = 1000;

const VARIANTS = {
  gin: 'CREATE INDEX auditevents_message_trgm_idx ON auditevents USING gin (message gin_trgm_ops)',
  gin_fastupdate_off:
    'CREATE INDEX auditevents_message_trgm_idx ON auditevents USING gin (message gin_trgm_ops) WITH (fastupdate = off)',
  gin_pending_32mb:
    'CREATE INDEX auditevents_message_trgm_idx ON auditevents USING gin (message gin_trgm_ops) WITH (fastupdate = on, gin_pending_list_limit = 32768)',
  gist: 'CREATE INDEX auditevents_message_trgm_idx ON auditevents USING gist (message gist_trgm_ops)',
  none: null,
  closed_months_only: 'closed',
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const name = `pyaudit_trgm_${rows}`;
const admin = serverUrl();
const url = databaseUrl(admin, name);
await createDatabase(admin, name);
await migrateDatabase(url);

await withClient(url, async (client) => {
  const { state } = await ensureDataset(client, { rows, log: console.log });
  const facts = await readFacts(client);
  const months = (
    await client.query(
      `SELECT partition, range_from, range_to, (SELECT count(*) FROM auditevents e
         WHERE e.eventtimestamp >= p.range_from AND e.eventtimestamp < p.range_to)::int AS n
       FROM auditevents_partitions p WHERE parent = 'auditevents' ORDER BY range_from`,
    )
  ).rows;
  const current = months.find((m) => m.range_from <= new Date() && new Date() < m.range_to);
  const lastFull = months[months.indexOf(current) - 1];
  console.log(
    `dataset ${rows} rows; current month ${current.partition} ${current.n} rows; last full month ${lastFull.partition} ${lastFull.n} rows`,
  );
  const results = {};
  for (const [variant, ddl] of Object.entries(VARIANTS)) {
    if (values.only && !values.only.split(',').includes(variant)) continue;
    await restoreDataset(client, state);
    await setIndex(client, ddl, months);
    await client.query('VACUUM (ANALYZE) auditevents');
    const ingest = await measureIngest(client, facts, variant, current);
    const search = await measureSearch(client, facts, lastFull);
    results[variant] = { ...ingest, search, loadavg: loadavg().map((x) => +x.toFixed(1)) };
    console.log(variant, JSON.stringify(results[variant]));
  }
  await restoreDataset(client, state);
  await setIndex(client, VARIANTS.closed_months_only, months);
  console.log(JSON.stringify({ rows, events_per_batch: EVENTS, batches: BATCHES, rounds: ROUNDS, results }, null, 2));
});

async function readFacts(client) {
  const kinds = (await client.query('SELECT functionality, event_type FROM bench_kinds ORDER BY k')).rows;
  const allUsers = (await client.query('SELECT username, companyid FROM bench_users ORDER BY u')).rows;
  const stores = (await client.query('SELECT companyid, storelocationid FROM storelocations ORDER BY 2')).rows;
  return { kinds, allUsers, stores };
}

/** One batch as the service passes it to auditevents_ingest (events, canonical texts), messages as the bench's create_batch. */
function batch(facts, offset) {
  const ts = new Date().toISOString();
  const { events, canonical } = ingestStatementArguments(
    Array.from({ length: EVENTS }, (_, i) => {
      const e = syntheticEvent(facts, offset + i, ts);
      return {
        idx: i,
        ts: e.event_timestamp,
        functionality: e.functionality,
        event_type: e.event_type,
        store_id: e.store_id,
        company_id: e.company_id,
        username: e.user,
        message: e.message,
        status: e.status,
        additional_data: e.additional_data,
        event_id: null,
      };
    }),
  );
  return [events, canonical];
}

async function setIndex(client, ddl, months) {
  await client.query('DROP INDEX IF EXISTS auditevents_message_trgm_idx');
  for (const m of months) await client.query(`DROP INDEX IF EXISTS "${m.partition}_message_trgm_idx"`);
  await client.query(`SET maintenance_work_mem = '256MB'`);
  if (ddl === 'closed') {
    // What maintenance runs once a month has closed, one statement at a time (CONCURRENTLY).
    const { rows: steps } = await client.query('SELECT statement FROM auditevents_message_index_statements()');
    for (const step of steps) await client.query(step.statement);
  } else if (ddl) {
    await client.query(ddl);
  }
}

/** Trigram indexes of the current month's partition (to flush their GIN pending lists). */
async function currentIndexes(client, current) {
  const { rows: found } = await client.query(
    `SELECT indexrelid::regclass::text AS ix FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     JOIN pg_am a ON a.oid = c.relam
     WHERE indrelid = $1::regclass AND a.amname = 'gin'`,
    [current.partition],
  );
  return found.map((r) => r.ix);
}

async function measureIngest(client, facts, variant, current) {
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const gins = await currentIndexes(client, current);
  const insertMs = [];
  const flushMs = [];
  const wallMs = [];
  // Distinct events for every batch of every round, like a stream of new events.
  const payloads = Array.from({ length: ROUNDS * BATCHES + 1 }, (_, b) => batch(facts, b * EVENTS));
  await client.query('SELECT * FROM auditevents_ingest($1::jsonb, $2::text)', payloads[0]); // planning, warm
  for (const ix of gins) await client.query('SELECT gin_clean_pending_list($1::regclass)', [ix]);
  for (let round = 0; round < ROUNDS; round++) {
    const cpu0 = processCpuSeconds(pid);
    const t0 = performance.now();
    for (let b = 1; b <= BATCHES; b++) {
      await client.query('SELECT * FROM auditevents_ingest($1::jsonb, $2::text)', payloads[round * BATCHES + b]);
    }
    wallMs.push((performance.now() - t0) / BATCHES);
    const cpu1 = processCpuSeconds(pid);
    for (const ix of gins) await client.query('SELECT gin_clean_pending_list($1::regclass)', [ix]);
    const cpu2 = processCpuSeconds(pid);
    insertMs.push(((cpu1 - cpu0) * 1000) / BATCHES);
    flushMs.push(((cpu2 - cpu1) * 1000) / BATCHES);
  }
  const sizes = (
    await client.query(
      `SELECT coalesce(sum(pg_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c
       WHERE c.relkind = 'i' AND pg_get_indexdef(c.oid) LIKE '%trgm_ops%'`,
    )
  ).rows[0].bytes;
  return {
    variant,
    pg_cpu_ms_per_1000: median(insertMs),
    pending_flush_cpu_ms_per_1000: median(flushMs),
    total_cpu_ms_per_1000: median(insertMs.map((x, i) => x + flushMs[i])),
    wall_ms_per_1000: median(wallMs),
    index_mb: Number(sizes) / 2 ** 20,
  };
}

/** Wall ms (median of 5 after one warm-up) of the page and the count the service would run. */
async function measureSearch(client, facts, month) {
  const user = facts.allUsers[8].username; // one user among 2,000: a rare substring
  const cases = {
    rare_all: { pattern: user, from: null, to: null, company: null },
    rare_month: { pattern: user, from: month.range_from, to: month.range_to, company: null },
    common_company: { pattern: 'rabbit', from: null, to: null, company: 5007 },
    rare_company_month: {
      pattern: user,
      from: month.range_from,
      to: month.range_to,
      company: Number(facts.allUsers[8].companyid),
    },
  };
  const out = {};
  for (const [label, c] of Object.entries(cases)) {
    const where = `message ILIKE $1 AND ($2::timestamptz IS NULL OR eventtimestamp >= $2) AND ($3::timestamptz IS NULL OR eventtimestamp < $3)
                   AND ($4::bigint IS NULL OR companyid = $4)`;
    const params = [`%${c.pattern}%`, c.from, c.to, c.company];
    const page = `SELECT id, eventtimestamp, message FROM auditevents WHERE ${where} ORDER BY eventtimestamp DESC, id DESC LIMIT 500`;
    const count = `SELECT count(*)::int AS n FROM auditevents WHERE ${where}`;
    const timed = async (sqlText) => {
      await client.query(sqlText, params);
      const ms = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await client.query(sqlText, params);
        ms.push(performance.now() - t0);
      }
      return median(ms);
    };
    const n = (await client.query(count, params)).rows[0].n;
    out[label] = { matches: n, page_ms: +(await timed(page)).toFixed(1), count_ms: +(await timed(count)).toFixed(1) };
  }
  return out;
}
