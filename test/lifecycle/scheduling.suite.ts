import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { centralToday, formatCentral } from '../../src/lib/central-time';
import { DAILY_CRON, MONTHLY_CRON } from '../../src/maintenance/scheduled';
import { call, uniqueCompanyId } from '../helpers/app';
import {
  adminGet,
  adminPost,
  eventsAt,
  ingest,
  lc,
  lifecycleEnv,
  maintainSql,
  partitionNames,
  resetLifecycle,
  rowsByTable,
  runCron,
} from '../helpers/lifecycle';

/** The Central Time month `offset` months from today: partition suffix and an instant inside it. */
function centralMonth(offset: number): { suffix: string; instant: string } {
  const [month, , year] = formatCentral(Date.now()).slice(0, 10).split('-').map(Number) as [number, number, number];
  const mid = new Date(Date.UTC(year, month - 1 + offset, 15, 12));
  const suffix = `y${mid.getUTCFullYear()}m${String(mid.getUTCMonth() + 1).padStart(2, '0')}`;
  // This month's 15th may still be ahead; a minute ago is in this month and never in the future.
  return { suffix, instant: offset === 0 ? new Date(Date.now() - 60_000).toISOString() : mid.toISOString() };
}

/** Structured log lines written from now on, parsed (restored by vi.restoreAllMocks). */
function captureLogs(): () => Record<string, unknown>[] {
  const lines: unknown[] = [];
  for (const level of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((line: unknown) => {
      lines.push(line);
    });
  }
  return () =>
    lines.flatMap((line) => {
      try {
        return [JSON.parse(String(line)) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

const latestRun = async () =>
  (await lc<Record<string, unknown>>('SELECT * FROM auditevents_maintenance_runs ORDER BY id DESC LIMIT 1'))[0];

/** The Cron Triggers through the Worker's scheduled handler (createScheduledController). */
export function scheduledSuite() {
  describe('scheduled handler', () => {
    beforeEach(resetLifecycle);
    afterEach(() => vi.restoreAllMocks());

    it('the daily cron makes the current Central month and PARTITION_MONTHS_AHEAD after it', async () => {
      const logs = captureLogs();
      await runCron(DAILY_CRON, { LOG_LEVEL: 'INFO', PARTITION_MONTHS_AHEAD: '2' });
      expect(await partitionNames('auditevents')).toEqual(
        [0, 1, 2].map((o) => `auditevents_${centralMonth(o).suffix}`),
      );
      expect(await latestRun()).toMatchObject({
        job: 'partitions',
        run_trigger: 'cron',
        status: 'ok',
        partitions_created: 3,
      });
      expect(logs().find((l) => l.msg === 'scheduled job finished')).toMatchObject({
        level: 'INFO',
        cron: DAILY_CRON,
        job: 'partitions',
        trigger: 'cron',
        status: 'ok',
        partitions_created: 3,
      });

      await runCron(DAILY_CRON, { PARTITION_MONTHS_AHEAD: '2' });
      expect(await latestRun()).toMatchObject({ job: 'partitions', status: 'ok', partitions_created: 0 });
    });

    it('the monthly cron archives every month past RETENTION_MONTHS and hard-deletes past ARCHIVE_RETENTION_MONTHS', async () => {
      const company = uniqueCompanyId();
      const [now, m13, m14, m20, m40] = [0, -13, -14, -20, -40].map(centralMonth) as ReturnType<typeof centralMonth>[];
      await ingest(
        eventsAt(
          company,
          [now, m13, m14, m20, m40].map((m) => (m as { instant: string }).instant),
        ),
      );

      const logs = captureLogs();
      await runCron(MONTHLY_CRON, { LOG_LEVEL: 'INFO', RETENTION_MONTHS: '12', ARCHIVE_RETENTION_MONTHS: '36' });
      expect(await rowsByTable(company)).toEqual({
        [`auditevents_${now?.suffix}`]: 1,
        [`auditevents_archival_${m13?.suffix}`]: 1,
        [`auditevents_archival_${m14?.suffix}`]: 1,
        [`auditevents_archival_${m20?.suffix}`]: 1,
      });
      expect(await latestRun()).toMatchObject({
        job: 'maintain',
        run_trigger: 'cron',
        status: 'ok',
        months_archived: 4,
        archive_partitions_dropped: 1,
      });
      const summary = logs().find((l) => l.msg === 'scheduled job finished');
      expect(summary).toMatchObject({
        cron: MONTHLY_CRON,
        job: 'maintain',
        status: 'ok',
        months_archived: 4,
        rows_archived: 4,
        archive_partitions_dropped: 1,
      });
      expect(summary?.locked_ms).toEqual(expect.any(Number));
    });

    it('fails the invocation when the run fails, after recording it and logging an error', async () => {
      const logs = captureLogs();
      await expect(runCron(MONTHLY_CRON, { RETENTION_MONTHS: '24', ARCHIVE_RETENTION_MONTHS: '12' })).rejects.toThrow(
        /maintain run \d+ failed/,
      );
      const run = await latestRun();
      expect(run).toMatchObject({ job: 'maintain', run_trigger: 'cron', status: 'failed' });
      expect(String(run?.error)).toMatch(/must not be less than months_to_keep/);
      expect(logs().find((l) => l.msg === 'scheduled job failed')).toMatchObject({
        level: 'ERROR',
        job: 'maintain',
        status: 'failed',
        run_id: Number(run?.id),
      });
    });
  });
}

interface PartitionsBody {
  archived_before: string | null;
  archived_before_central: string | null;
  live: { partitions: number; rows: number; rows_exact: boolean; total_bytes: number };
  archive: { partitions: number; rows: number; rows_exact: boolean; total_bytes: number };
  partitions: Record<string, unknown>[];
  last_maintenance: Record<string, unknown> | null;
  last_partitions_job: Record<string, unknown> | null;
}

/** GET partitions, GET runs, POST run (the admin key check and scope map are tested elsewhere). */
export function adminRoutesSuite() {
  describe('lifecycle admin routes', () => {
    beforeEach(resetLifecycle);

    it('GET /admin/partitions shows ranges (UTC and Central), rows, archive size, horizon and the last run', async () => {
      const company = uniqueCompanyId();
      await ingest(eventsAt(company, ['2025-01-20T12:00:00Z', '2025-03-20T12:00:00Z', '2025-03-21T12:00:00Z'], 5));
      await maintainSql(2, '2025-03-20');

      const response = await adminGet('/pyaudit/api/admin/partitions');
      expect(response.status).toBe(200);
      const body = (await response.json()) as PartitionsBody;
      expect(body.archived_before).toBe('2025-02-01T06:00:00.000Z');
      expect(body.archived_before_central).toBe('02-01-2025 00:00:00');
      expect(body.partitions.find((p) => p.partition === 'auditevents_y2025m03')).toEqual({
        parent: 'auditevents',
        partition: 'auditevents_y2025m03',
        month: '2025-03',
        archived: false,
        range_from: '2025-03-01T06:00:00.000Z',
        range_to: '2025-04-01T05:00:00.000Z',
        range_from_central: '03-01-2025 00:00:00',
        range_to_central: '04-01-2025 00:00:00',
        rows: 3,
        rows_exact: true,
        total_bytes: expect.any(Number),
      });
      expect(body.partitions.find((p) => p.partition === 'auditevents_archival_y2025m01')).toMatchObject({
        parent: 'auditevents_archival',
        month: '2025-01',
        archived: true,
        rows: 2,
      });
      expect(body.live).toMatchObject({ partitions: 6, rows: 3, rows_exact: true });
      expect(body.archive).toMatchObject({ partitions: 1, rows: 2, rows_exact: true });
      expect(body.archive.total_bytes).toBeGreaterThan(0);
      expect(body.last_maintenance).toMatchObject({
        job: 'maintain',
        trigger: 'sql',
        status: 'ok',
        months_archived: 1,
      });
      expect(body.last_partitions_job).toBeNull();

      const exact = (await (await adminGet('/pyaudit/api/admin/partitions?exact=true')).json()) as PartitionsBody;
      const rowsOf = (name: string) => exact.partitions.find((p) => p.partition === name)?.rows;
      expect([rowsOf('auditevents_y2025m03'), rowsOf('auditevents_archival_y2025m01')]).toEqual([3, 2]);
      expect(exact.partitions.every((p) => p.rows_exact)).toBe(true);
      expect((await adminGet('/pyaudit/api/admin/partitions?exact=maybe')).status).toBe(422);
      expect((await call('/pyaudit/api/admin/partitions', {}, lifecycleEnv())).status).toBe(401);
    });

    it('GET /admin/maintenance/runs lists runs newest first, by job, with a limit', async () => {
      await maintainSql(12, '2024-01-10');
      await lc(`SELECT auditevents_daily_partitions('2024-01-10')`);
      await maintainSql(12, '2024-02-10');
      const runs = async (qs: string) => {
        const response = await adminGet(`/pyaudit/api/admin/maintenance/runs${qs}`);
        expect(response.status).toBe(200);
        return (await response.json()) as { count: number; runs: { id: number; job: string; status: string }[] };
      };
      const all = await runs('');
      expect(all.runs.map((r) => r.job)).toEqual(['maintain', 'partitions', 'maintain']);
      expect(all.runs.map((r) => r.id)).toEqual([...all.runs.map((r) => r.id)].sort((a, b) => b - a));
      expect((await runs('?limit=1')).runs).toEqual([all.runs[0]]);
      expect((await runs('?job=partitions')).runs.map((r) => r.job)).toEqual(['partitions']);
      expect((await adminGet('/pyaudit/api/admin/maintenance/runs?limit=0')).status).toBe(422);
    });

    it('POST /admin/maintenance/run archives on demand and returns the run it recorded', async () => {
      const company = uniqueCompanyId();
      await ingest(eventsAt(company, ['2024-01-20T12:00:00Z'], 2));
      const response = await adminPost('/pyaudit/api/admin/maintenance/run', {
        months_to_keep: 3,
        ref_date: '2024-05-10',
      });
      expect(response.status).toBe(200);
      const run = (await response.json()) as Record<string, unknown>;
      expect(run).toMatchObject({
        job: 'maintain',
        trigger: 'admin',
        status: 'ok',
        months_archived: 1,
        rows_archived: 2,
        error: null,
      });
      expect(run.details).toMatchObject({
        months_to_keep: 3,
        ref_date: '2024-05-10',
        cutoff: '2024-03-01T06:00:00+00:00',
      });
      expect(await rowsByTable(company)).toEqual({ auditevents_archival_y2024m01: 2 });

      const again = await adminPost('/pyaudit/api/admin/maintenance/run', {
        months_to_keep: 3,
        ref_date: '2024-05-10',
      });
      expect(((await again.json()) as { months_archived: number }).months_archived).toBe(0);

      // Without a body: RETENTION_MONTHS and today.
      for (const body of [undefined, '', '{}']) {
        const defaults = await adminPost('/pyaudit/api/admin/maintenance/run', body);
        expect(defaults.status).toBe(200);
        expect(((await defaults.json()) as { details: Record<string, unknown> }).details).toMatchObject({
          months_to_keep: 12,
          ref_date: centralToday(),
        });
      }
    });

    it('POST /admin/maintenance/run refuses bad input with a 422 naming the field', async () => {
      const problem = async (body: unknown, extra: Partial<Env> = {}) => {
        const response = await adminPost('/pyaudit/api/admin/maintenance/run', body, extra);
        expect(response.status).toBe(422);
        return ((await response.json()) as { detail: { loc: unknown[] }[] }).detail[0]?.loc;
      };
      expect(await problem({ ref_date: '2999-01-01' })).toEqual(['body', 'ref_date']);
      expect(await problem({ ref_date: '2024-02-30' })).toEqual(['body', 'ref_date']);
      expect(await problem({ ref_date: '01-10-2024' })).toEqual(['body', 'ref_date']);
      expect(await problem({ months_to_keep: 0 })).toEqual(['body', 'months_to_keep']);
      expect(await problem({ months_to_keep: 'twelve' })).toEqual(['body', 'months_to_keep']);
      expect(await problem({ archive_months_to_keep: 1 })).toEqual(['body', 'archive_months_to_keep']);
      expect(await problem({ months_to_keep: 24 }, { ARCHIVE_RETENTION_MONTHS: '12' })).toEqual([
        'body',
        'months_to_keep',
      ]);
      const runs = await lc('SELECT 1 FROM auditevents_maintenance_runs');
      expect(runs).toEqual([]);
    });

    it('declares the lifecycle admin routes and their responses in the OpenAPI document', async () => {
      const doc = (await (await call('/pyaudit/openapi.json')).json()) as {
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      };
      const codes = (path: string, method: string) => Object.keys(doc.paths[path]?.[method]?.responses ?? {});
      expect(codes('/pyaudit/api/admin/partitions', 'get')).toEqual(expect.arrayContaining(['200', '401', '422']));
      expect(codes('/pyaudit/api/admin/maintenance/runs', 'get')).toEqual(expect.arrayContaining(['200', '401']));
      expect(codes('/pyaudit/api/admin/maintenance/run', 'post')).toEqual(
        expect.arrayContaining(['200', '401', '409', '422', '500']),
      );
    });
  });
}
