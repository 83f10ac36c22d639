import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { isEmbedded, uniqueCompanyId } from '../helpers/app';
import {
  adminPost,
  eventsAt,
  ingest,
  LIFECYCLE_URL,
  lc,
  maintainSql,
  resetLifecycle,
  rowsByTable,
  runCron,
} from '../helpers/lifecycle';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until check() is true (no timing assertion: the test timeout is the only bound). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(50);
}

/** A connection of its own, for holding locks and transactions open. */
async function session(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: LIFECYCLE_URL });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Maintenance racing with ingest, with a long query, and with another maintenance. */
export function concurrencySuite() {
  describe('concurrency', () => {
    beforeEach(resetLifecycle);

    it('loses and duplicates no event stored while maintenance moves its month', async () => {
      const company = uniqueCompanyId();
      await lc(`SELECT ensure_auditevents_partitions('2022-01-10', 3)`);
      // Enough rows in the month being archived that the run takes a while.
      await lc(
        `INSERT INTO auditevents (eventtimestamp, functionalityid, eventtypeid, companyid, message)
         SELECT timestamptz '2022-01-02 12:00Z' + g * interval '1 minute', 1, 1, $1, 'seeded'
         FROM generate_series(1, 20000) g`,
        [company],
      );

      // Writers keep storing events in the month being archived and in a live month, in batches,
      // until maintenance is over (and at least three batches each).
      const acknowledged: number[] = [];
      let maintenanceOver = false;
      const writer = async (w: number) => {
        for (let batch = 0; !maintenanceOver || batch < 3; batch++) {
          const ids = await ingest(
            eventsAt(company, ['2022-01-20T12:00:00Z', '2022-03-20T12:00:00Z'], 20, `writer ${w} batch ${batch}`),
          );
          acknowledged.push(...ids);
        }
      };
      const writers = [0, 1, 2, 3].map(writer);
      await until(async () => acknowledged.length > 0);
      const run = await maintainSql(2, '2022-04-15');
      maintenanceOver = true;
      await Promise.all(writers);

      expect(run).toMatchObject({ status: 'ok', months_archived: 2 });
      const stored = await lc<{ id: string }>('SELECT id FROM auditevents_all WHERE companyid = $1', [company]);
      const storedIds = new Set(stored.map((r) => Number(r.id)));
      expect(stored).toHaveLength(20000 + acknowledged.length);
      expect(storedIds.size).toBe(stored.length);
      expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
      // January moved whole, late writes included; March stayed live.
      expect(await rowsByTable(company)).toEqual({
        auditevents_archival_y2022m01: 20000 + acknowledged.length / 2,
        auditevents_y2022m03: acknowledged.length / 2,
      });
    });

    it.skipIf(isEmbedded)(
      'gives up its lock request after lock_timeout so ingest is not stuck behind a long query, then retries',
      async () => {
        // Embedded PGlite serves every connection from one backend: nothing ever waits for a lock.
        const company = uniqueCompanyId();
        await lc('SELECT ensure_auditevents_partitions()');
        await ingest(eventsAt(company, ['2022-06-15T12:00:00Z'], 3));
        const reader = await session();
        try {
          // A long query (an export, say) holds the live table...
          await reader.query('BEGIN');
          await reader.query('SELECT 1 FROM auditevents LIMIT 1');
          // ...so maintenance queues for its ACCESS EXCLUSIVE lock, and ingest would queue behind it.
          const maintenance = maintainSql(1, '2022-08-10');
          await until(
            async () =>
              (
                await lc(
                  `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%auditevents_maintain%'`,
                )
              ).length > 0,
          );
          // Stored while the long query still runs: maintenance stepped out of the queue.
          const [id] = await ingest(eventsAt(company, [new Date().toISOString()], 1));
          expect(id).toBeGreaterThan(0);
          await reader.query('COMMIT');
          const run = await maintenance;
          expect(run.status).toBe('ok');
          expect(run.details?.lock_attempts).toBeGreaterThan(1);
          expect(await rowsByTable(company)).toMatchObject({ auditevents_archival_y2022m06: 3 });
        } finally {
          await reader.end().catch(() => {});
        }
      },
    );

    it.skipIf(isEmbedded)('records a second, concurrent maintenance as skipped', async () => {
      // Embedded PGlite: one backend for every connection, so the advisory lock is re-entrant.
      // This month exists first: creating it would wait for the open run (self-audit stores an event).
      await lc('SELECT ensure_auditevents_partitions()');
      const first = await session();
      try {
        await first.query('BEGIN');
        const [held] = (await first.query(`SELECT status FROM auditevents_maintain(12, '2021-01-10')`)).rows;
        expect(held.status).toBe('ok');

        const response = await adminPost('/pyaudit/api/admin/maintenance/run', {});
        expect(response.status).toBe(409);
        const body = (await response.json()) as { detail: string; run: { status: string; trigger: string } };
        expect(body.detail).toMatch(/in progress/);
        expect(body.run).toMatchObject({ status: 'skipped', trigger: 'admin' });

        // The cron records it too, and does not fail: the other run does the work.
        await runCron('0 8 1 * *');
        const [cron] = await lc<{ status: string }>(
          `SELECT status FROM auditevents_maintenance_runs WHERE run_trigger = 'cron' ORDER BY id DESC LIMIT 1`,
        );
        expect(cron?.status).toBe('skipped');
        await first.query('COMMIT');
      } finally {
        await first.end().catch(() => {});
      }
      // The first run took its id before the others, and committed last.
      const runs = await lc<{ status: string }>('SELECT status FROM auditevents_maintenance_runs ORDER BY id');
      expect(runs.map((r) => r.status)).toEqual(['ok', 'skipped', 'skipped']);
    });
  });
}
