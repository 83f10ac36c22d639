import { beforeEach, describe, expect, it } from 'vitest';
import { event, uniqueCompanyId } from '../helpers/app';
import { ingest, lc, maintainSql, partitionNames, partitions, resetLifecycle, rowsByTable } from '../helpers/lifecycle';

/** The archive's hard-delete horizon (archive_months_to_keep / ARCHIVE_RETENTION_MONTHS). */
export function retentionSuite() {
  describe('archive hard-delete horizon', () => {
    beforeEach(resetLifecycle);

    const withIds = (company: number, instant: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        event({ company_id: company, event_timestamp: instant, message: `kept ${i}`, event_id: crypto.randomUUID() }),
      );

    it('keeps the archive forever by default', async () => {
      const company = uniqueCompanyId();
      await ingest(withIds(company, '2018-01-15T12:00:00Z', 2));
      const run = await maintainSql(1, '2020-08-10');
      expect(run).toMatchObject({ status: 'ok', months_archived: 1, archive_partitions_dropped: 0 });
      expect(await rowsByTable(company)).toEqual({ auditevents_archival_y2018m01: 2 });
    });

    it('drops archive months past the horizon with their idempotency keys, keeping younger ones', async () => {
      const company = uniqueCompanyId();
      await ingest(withIds(company, '2020-01-15T12:00:00Z', 2));
      await ingest(withIds(company, '2020-02-15T12:00:00Z', 3));
      await ingest(withIds(company, '2020-06-15T12:00:00Z', 4));
      await ingest(withIds(company, '2020-08-05T12:00:00Z', 1));

      // Two live months; the archive keeps what is younger than six months: March 2020 on.
      const run = await maintainSql(2, '2020-08-10', 6);
      expect(run).toMatchObject({ status: 'ok', months_archived: 3, archive_partitions_dropped: 2 });
      expect(run.details).toMatchObject({
        dropped: ['auditevents_archival_y2020m01', 'auditevents_archival_y2020m02'],
        idempotency_keys_deleted: 5,
      });
      expect(await partitionNames('auditevents_archival')).toEqual(['auditevents_archival_y2020m06']);
      expect(await rowsByTable(company)).toEqual({ auditevents_archival_y2020m06: 4, auditevents_y2020m08: 1 });
      const [keys] = await lc<{ n: string }>('SELECT count(*) AS n FROM auditevent_idempotency');
      expect(keys?.n).toBe('5');

      // A late event for a deleted month is stored (archive month made on demand) and goes at the next run.
      await ingest(withIds(company, '2020-02-20T12:00:00Z', 1));
      expect(await rowsByTable(company)).toMatchObject({ auditevents_archival_y2020m02: 1 });
      const next = await maintainSql(2, '2020-08-10', 6);
      expect(next).toMatchObject({ status: 'ok', months_archived: 0, archive_partitions_dropped: 1 });
      expect(await partitionNames('auditevents_archival')).toEqual(['auditevents_archival_y2020m06']);
    });

    it('refuses a horizon shorter than the live window, recording the failure and changing nothing', async () => {
      const company = uniqueCompanyId();
      await ingest(withIds(company, '2020-01-15T12:00:00Z', 2));
      const before = await partitions();
      const run = await maintainSql(6, '2020-08-10', 3);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/archive_months_to_keep \(3\) must not be less than months_to_keep \(6\)/);
      expect(await partitions()).toEqual(before);
      const [horizon] = await lc<{ h: string | null }>('SELECT archived_before AS h FROM auditevents_lifecycle');
      expect(horizon?.h).toBeNull();
    });

    it('refuses a future ref_date', async () => {
      const run = await maintainSql(12, '2999-01-01');
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/ref_date 2999-01-01 is in the future/);
      expect(await partitions()).toEqual([]);
    });
  });
}
