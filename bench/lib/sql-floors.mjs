// What the least SQL a request could run costs PostgreSQL, measured on the benchmark database in
// the same run: the floors the report sets beside issue 18's PostgreSQL targets, so a missed
// target says how much of its cost any query of that kind pays (bench/lib/reasons.mjs).
import pg from 'pg';
import { processCpuSeconds } from './cpu.mjs';

const EVENT_COLUMNS =
  'id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username, message, status, additionaldata';
const INSERTED_COLUMNS =
  'eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username, message, status, additionaldata';

/**
 * Backend CPU in ms per run of `work` on one connection of its own: CPU ticks of the backend
 * process (10 ms each) over `times` runs after a few warm-up runs, so the catalogue caches are warm
 * as they are for pgbouncer's long-lived server connections. CPU, not wall time: other work on the
 * machine does not count.
 */
async function backendCpuMs(pid, times, work) {
  for (let i = 0; i < 3; i++) await work();
  const before = processCpuSeconds(pid);
  for (let i = 0; i < times; i++) await work();
  const after = processCpuSeconds(pid);
  if (before === null || after === null) return null;
  return Math.round(((after - before) * 1000 * 1000) / times) / 1000;
}

/**
 * The floors, each with what it is:
 * - newest_501: the 501 newest events' columns, plainly (recent reads 500 and one more to know
 *   whether the page ended), without names, size budget or window;
 * - company_page_501: the same for one company (search by company's page);
 * - company_count: the exact total of that company (search's second statement);
 * - copy_1000_select / insert_1000: reading 1,000 events, and inserting copies of them (no hash,
 *   no catalogue look-ups, no JSON) in a transaction that is rolled back, less the reading: the
 *   table's own cost of storing 1,000 events, its indexes included.
 */
export async function measureSqlFloors(databaseUrl, { companyId, times = 200 }) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const {
      rows: [{ pid }],
    } = await client.query('SELECT pg_backend_pid() AS pid');
    const newest = `SELECT ${EVENT_COLUMNS} FROM auditevents ORDER BY eventtimestamp DESC, id DESC LIMIT 501`;
    const companyPage = `SELECT ${EVENT_COLUMNS} FROM auditevents WHERE companyid = $1 ORDER BY eventtimestamp DESC, id DESC LIMIT 501`;
    const count = 'SELECT count(*) FROM auditevents WHERE companyid = $1';
    const newest1000 = `SELECT ${INSERTED_COLUMNS} FROM auditevents ORDER BY eventtimestamp DESC, id DESC LIMIT $1`;
    // Named, so its plan is kept as the ingest function's plans are (PL/pgSQL caches them).
    const rolledBack = async (name, text, values) => {
      await client.query('BEGIN');
      await client.query({ name, text, values });
      await client.query('ROLLBACK');
    };
    const insertCopies = `INSERT INTO auditevents (${INSERTED_COLUMNS}) ${newest1000}`;
    const empty = async () => {
      await client.query('BEGIN');
      await client.query('ROLLBACK');
    };
    const batchTimes = Math.max(10, Math.round(times / 10));
    const transactionMs = await backendCpuMs(pid, times, empty);
    const selectMs = await backendCpuMs(pid, batchTimes, () =>
      client.query({ name: 'floor_select', text: newest1000, values: [1000] }),
    );
    const insertMs = await backendCpuMs(pid, batchTimes, () => rolledBack('floor_insert', insertCopies, [1000]));
    return {
      newest_501_ms: await backendCpuMs(pid, times, () => client.query(newest)),
      company_page_501_ms: await backendCpuMs(pid, times, () => client.query(companyPage, [companyId])),
      company_count_ms: await backendCpuMs(pid, times, () => client.query(count, [companyId])),
      copy_1000_select_ms: selectMs,
      // The insert's share: the copy less reading its rows and an empty transaction.
      insert_1000_ms: round(insertMs - selectMs - transactionMs),
      company_id: companyId,
    };
  } finally {
    await client.end();
  }
}

const round = (ms) => Math.round(ms * 1000) / 1000;
