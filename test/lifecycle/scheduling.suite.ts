import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatCentral } from '../../src/lib/central-time';
import { DAILY_CRON, MONTHLY_CRON } from '../../src/maintenance/scheduled';
import { uniqueCompanyId } from '../helpers/app';
import { eventsAt, ingest, lc, partitionNames, resetLifecycle, rowsByTable, runCron } from '../helpers/lifecycle';

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
