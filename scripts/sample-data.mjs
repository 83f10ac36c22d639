// Sample data for a first look: a few companies and stores in the directory and some thousands
// of events over the last three weeks (logins, price updates, ~8% failures), stored through the
// service's own ingest function (sql/functions/ingest.sql), so partitions and event hashes are
// made exactly as for real events. Deterministic (a seeded generator), times relative to now.
//
//   npm run sample-data                 load into DATABASE_URL (or PG_HOST...)
//   npm run dev -- --sample             load into the dev database, then start
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { configuredDatabaseUrl, withPassword } from './lib/database-url.mjs';

export const SAMPLE_COMPANIES = [
  { id: 5001, name: 'Acme Retail', stores: ['Downtown', 'Airport', 'Riverside'] },
  { id: 5002, name: 'Bayside Grocers', stores: ['Harbor', 'Market Street'] },
  { id: 5003, name: 'Corner Hardware', stores: ['Main Street', 'Eastgate', 'Lakeview'] },
];
const USERS = ['ann.smith', 'bob.jones', 'carla.diaz', 'dev.patel', 'eve.chen', 'frank.ode', 'gina.rossi', 'hal.kim'];
const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Edge'];
const DAY_MS = 86_400_000;

/** mulberry32: small, seeded, good enough to make varied but repeatable sample rows. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sampleEvent(rnd, idx, now, days) {
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const company = pick(SAMPLE_COMPANIES);
  const storeIndex = Math.floor(rnd() * company.stores.length);
  const user = pick(USERS);
  // Busier in the daytime (Central): skew the hour of day towards 8-20.
  const dayAgo = Math.floor(rnd() * days);
  const hour = rnd() < 0.8 ? 8 + Math.floor(rnd() * 12) : Math.floor(rnd() * 24);
  // Central midnight, near enough (UTC-6), of the day `dayAgo` days back; a time in the past.
  const midnight = Math.floor((now - 6 * 3_600_000) / DAY_MS) * DAY_MS + 6 * 3_600_000 - dayAgo * DAY_MS;
  let ts = midnight + hour * 3_600_000 + Math.floor(rnd() * 3_600_000);
  if (ts > now - 60_000) ts -= DAY_MS;
  const failed = rnd() < 0.08;
  const base = {
    idx,
    ts: new Date(ts).toISOString(),
    store_id: 100 + storeIndex + 1,
    company_id: company.id,
    username: user,
    status: failed ? 'Failed' : 'Success',
    event_id: null,
  };
  const kind = rnd();
  if (kind < 0.45) {
    const ip = `10.${company.id % 100}.${storeIndex}.${Math.floor(rnd() * 250) + 2}`;
    const login = rnd() < 0.8;
    return {
      ...base,
      functionality: 'Authenticate',
      event_type: login ? 'Login' : pick(['Logout', 'Reset Password', 'Sign up']),
      message: failed
        ? `User ${user} failed to log in: invalid password`
        : login
          ? `User ${user} logged in successfully`
          : `User ${user} session event`,
      additional_data: { ip, browser: pick(BROWSERS), session: Math.floor(rnd() * 1e9).toString(36) },
    };
  }
  const item = 100000 + Math.floor(rnd() * 900000);
  const before = (1 + rnd() * 20).toFixed(2);
  const after = (Number(before) * (0.9 + rnd() * 0.25)).toFixed(2);
  const type = pick([
    'Item updated',
    'Item updated',
    'Item updates picked up by publisher',
    'Item updates pushed to rabbit MQ',
    'Item updates acknowledgement received',
  ]);
  return {
    ...base,
    functionality: 'Price Management',
    event_type: type,
    message: failed
      ? `Item ${item} price update failed: publisher timeout`
      : `Item ${item} price updated from ${before} to ${after}`,
    additional_data: {
      item,
      old_price: Number(before),
      new_price: Number(after),
      batch: `B${Math.floor(rnd() * 500)}`,
    },
  };
}

/** Loads the directory and `events` events over the last `days` days; returns how many were stored. */
export async function loadSampleData(client, { events = 4000, days = 21, now = Date.now(), seed = 16 } = {}) {
  for (const company of SAMPLE_COMPANIES) {
    await client.query(
      'INSERT INTO companies (companyid, companyname) VALUES ($1, $2) ON CONFLICT (companyid) DO NOTHING',
      [company.id, company.name],
    );
    for (const [i, store] of company.stores.entries()) {
      await client.query(
        'INSERT INTO storelocations (companyid, storelocationid, storename) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [company.id, 100 + i + 1, store],
      );
    }
  }
  const rnd = random(seed);
  let stored = 0;
  for (let start = 0; start < events; start += 1000) {
    const rows = [];
    for (let i = start; i < Math.min(events, start + 1000); i++) rows.push(sampleEvent(rnd, i, now, days));
    const result = await client.query('SELECT id FROM auditevents_ingest($1::jsonb) WHERE id IS NOT NULL', [
      JSON.stringify(rows),
    ]);
    stored += result.rowCount ?? 0;
  }
  return stored;
}

/** True when the database holds no events yet (a first run). */
export async function isEmpty(client) {
  const { rows } = await client.query('SELECT NOT EXISTS (SELECT 1 FROM auditevents) AS empty');
  return rows[0].empty;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = configuredDatabaseUrl();
  if (!url) {
    console.error('Set DATABASE_URL (or PG_HOST...), or use `npm run dev -- --sample` for the embedded database.');
    process.exit(1);
  }
  const client = new pg.Client({ connectionString: withPassword(url) });
  await client.connect();
  try {
    const stored = await loadSampleData(client);
    console.log(`sample data: ${SAMPLE_COMPANIES.length} companies, ${stored} events over the last 21 days`);
  } finally {
    await client.end();
  }
}
