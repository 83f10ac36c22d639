import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import worker from '../../src/index';
import { BASE, call, type EventBody, event, isEmbedded, KEY, postJson } from './app';
import { createPrivateDatabase, type PrivateDatabase } from './private-database';
import { query, withClient } from './sql';

/**
 * The lifecycle database (env.TEST_LIFECYCLE_DATABASE_URL): archival changes global state, so
 * these tests own a database of their own and reset it between tests. Only test/lifecycle*.ts
 * use it, one file, sequentially. The admin-lifecycle route tests (test/routes/admin-lifecycle/)
 * make the same helpers over a private database of their own (lifecycleDatabase(url)).
 */
export const LIFECYCLE_URL = env.TEST_LIFECYCLE_DATABASE_URL;

/** The lifecycle helpers bound to one database: SQL, the Worker's env, admin calls, ingest. */
export function lifecycleDatabase(url: string) {
  const lifecycleEnv = (extra: Partial<Env> = {}): Partial<Env> => ({
    HYPERDRIVE: { connectionString: url } as Hyperdrive,
    ...extra,
  });
  const lc = <T extends Record<string, unknown>>(text: string, params: unknown[] = []) => query<T>(text, params, url);
  return {
    lifecycleEnv,
    lc,
    withLifecycleClient: <T>(fn: Parameters<typeof withClient<T>>[0]) => withClient(fn, url),

    /** No partitions, no archive horizon, no runs, no idempotency keys. */
    async resetLifecycle(): Promise<void> {
      await lc(`DO $$
        DECLARE p record;
        BEGIN
          FOR p IN SELECT partition FROM auditevents_partitions LOOP
            EXECUTE format('DROP TABLE %I', p.partition);
          END LOOP;
        END $$`);
      await lc('UPDATE auditevents_lifecycle SET archived_before = NULL');
      await lc('TRUNCATE auditevent_idempotency, auditevents_maintenance_runs');
    },

    /** Partitions with their ranges as UTC ISO strings, by parent and month. */
    partitions: () =>
      lc<PartitionRow>(
        `SELECT parent, partition,
                to_char(range_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS range_from,
                to_char(range_to AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS range_to
         FROM auditevents_partitions ORDER BY parent, auditevents_partitions.range_from`,
      ),

    /** auditevents_maintain straight from SQL, as an operator would (through psql). */
    async maintainSql(
      monthsToKeep: number,
      refDate: string,
      archiveMonthsToKeep: number | null = null,
    ): Promise<RunRow> {
      const [run] = await lc<RunRow>('SELECT * FROM auditevents_maintain($1, $2::date, $3)', [
        monthsToKeep,
        refDate,
        archiveMonthsToKeep,
      ]);
      if (!run) throw new Error('no run');
      return run;
    },

    /** Rows per partition (tableoid), for one company. */
    async rowsByTable(companyId: number): Promise<Record<string, number>> {
      const rows = await lc<{ t: string; n: string }>(
        `SELECT t, count(*) AS n FROM (
           SELECT tableoid::regclass::text AS t FROM auditevents WHERE companyid = $1
           UNION ALL
           SELECT tableoid::regclass::text FROM auditevents_archival WHERE companyid = $1) x GROUP BY t`,
        [companyId],
      );
      return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
    },

    /** Stores events through the Worker (the batch route), as clients do; returns their ids. */
    async ingest(events: EventBody[]): Promise<number[]> {
      const response = await postJson(`${BASE}/batch`, { events }, lifecycleEnv());
      const body = (await response.json()) as { results: { id: number | null }[] };
      if (response.status !== 201) throw new Error(`batch failed: ${response.status} ${JSON.stringify(body)}`);
      return body.results.map((r) => r.id as number);
    },

    adminGet: (path: string, extra: Partial<Env> = {}) =>
      call(path, { headers: { 'CSIQ-APIKEY': KEY } }, lifecycleEnv(extra)),

    adminPost: (path: string, body: unknown, extra: Partial<Env> = {}) =>
      call(
        path,
        {
          method: 'POST',
          headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        },
        lifecycleEnv(extra),
      ),

    /** The Worker's scheduled handler, as the runtime calls it for a Cron Trigger. */
    async runCron(cron: string, extra: Partial<Env> = {}): Promise<void> {
      const controller = createScheduledController({ cron, scheduledTime: Date.now() });
      const ctx = createExecutionContext();
      await worker.scheduled(controller, { ...env, ...lifecycleEnv(extra) } as Env, ctx);
      await waitOnExecutionContext(ctx);
    },
  };
}

/**
 * A private database with the lifecycle helpers over it, made before the file's tests, dropped
 * after, and reset before each test: for the admin-lifecycle route tests, whose maintenance
 * changes the whole database (partitions, the archive horizon, the runs). Not on the embedded
 * PostgreSQL, which has one database (test/lifecycle covers the SQL there): the tests skip there.
 */
export function usePrivateLifecycleDatabase(label: string): ReturnType<typeof lifecycleDatabase> {
  let db: PrivateDatabase | undefined;
  let current: ReturnType<typeof lifecycleDatabase> | undefined;
  beforeAll(async () => {
    if (isEmbedded) return;
    db = await createPrivateDatabase(label);
    current = lifecycleDatabase(db.url);
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await current?.resetLifecycle();
  });
  return new Proxy({} as ReturnType<typeof lifecycleDatabase>, {
    get(_, field) {
      if (!current) throw new Error(`the lifecycle database ${label} is used before its file started`);
      return Reflect.get(current, field);
    },
  });
}

export const {
  lifecycleEnv,
  lc,
  withLifecycleClient,
  resetLifecycle,
  partitions,
  maintainSql,
  rowsByTable,
  ingest,
  adminGet,
  adminPost,
  runCron,
} = lifecycleDatabase(LIFECYCLE_URL);

export interface PartitionRow {
  parent: string;
  partition: string;
  range_from: string;
  range_to: string;
  [key: string]: unknown;
}

export interface RunRow {
  id: string;
  status: 'ok' | 'failed' | 'skipped';
  months_archived: number;
  rows_archived: string;
  archive_partitions_dropped: number;
  partitions_created: number;
  details: Record<string, unknown> | null;
  error: string | null;
  [key: string]: unknown;
}

export const partitionNames = async (parent: 'auditevents' | 'auditevents_archival') =>
  (await partitions()).filter((p) => p.parent === parent).map((p) => p.partition);

/** n events of one company at the given instants (cycled). */
export const eventsAt = (companyId: number, instants: string[], n = instants.length, message = 'lifecycle') =>
  Array.from({ length: n }, (_, i) =>
    event({
      company_id: companyId,
      event_timestamp: instants[i % instants.length] as string,
      message: `${message} ${i}`,
    }),
  );
