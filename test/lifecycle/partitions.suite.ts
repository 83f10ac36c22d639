import { beforeEach, describe, expect, it } from 'vitest';
import { uniqueCompanyId } from '../helpers/app';
import { eventsAt, ingest, lc, partitionNames, partitions, resetLifecycle, rowsByTable } from '../helpers/lifecycle';

/** Partitions ahead, on demand, under a race. */
export function partitionSuite() {
  describe('partitions', () => {
    beforeEach(resetLifecycle);

    it('ensure_auditevents_partitions creates the Central month of ref_date and five ahead, idempotently', async () => {
      const [first] = await lc<{ n: number }>(`SELECT ensure_auditevents_partitions('2024-02-10') AS n`);
      expect(first?.n).toBe(6);
      expect(await partitions()).toEqual(
        [
          ['auditevents_y2024m02', '2024-02-01T06:00Z', '2024-03-01T06:00Z'],
          ['auditevents_y2024m03', '2024-03-01T06:00Z', '2024-04-01T05:00Z'],
          ['auditevents_y2024m04', '2024-04-01T05:00Z', '2024-05-01T05:00Z'],
          ['auditevents_y2024m05', '2024-05-01T05:00Z', '2024-06-01T05:00Z'],
          ['auditevents_y2024m06', '2024-06-01T05:00Z', '2024-07-01T05:00Z'],
          ['auditevents_y2024m07', '2024-07-01T05:00Z', '2024-08-01T05:00Z'],
        ].map(([partition, range_from, range_to]) => ({ parent: 'auditevents', partition, range_from, range_to })),
      );
      const [again] = await lc<{ n: number }>(`SELECT ensure_auditevents_partitions('2024-02-29') AS n`);
      expect(again?.n).toBe(0);
      // months_ahead is configurable.
      const [wider] = await lc<{ n: number }>(`SELECT ensure_auditevents_partitions('2024-02-10', 8) AS n`);
      expect(wider?.n).toBe(3);
      expect(await partitionNames('auditevents')).toHaveLength(9);
    });

    it('gives every partition the indexes of its parent and a CHECK constraint equal to its range', async () => {
      await lc(`SELECT ensure_auditevents_partitions('2024-02-10', 0)`);
      const indexes = await lc<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE tablename = 'auditevents_y2024m02' ORDER BY indexname`,
      );
      // primary key, time, company, store, user, type, writexid (sql/034); the message trigram
      // index comes once the month has closed (sql/060, message-index.suite.ts)
      expect(indexes).toHaveLength(7);
      expect(indexes.map((i) => i.indexdef).join('\n')).not.toContain('gin_trgm_ops');
      const [check] = await lc<{ def: string }>(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
         WHERE conrelid = 'auditevents_y2024m02'::regclass AND conname = 'auditevents_month_range'`,
      );
      expect(check?.def).toMatch(
        /eventtimestamp >= '2024-02-01 06:00:00\+00'.*eventtimestamp < '2024-03-01 06:00:00\+00'/,
      );
    });

    it('stores an event for a past month without a partition by creating it on demand', async () => {
      const company = uniqueCompanyId();
      expect(await partitions()).toEqual([]);
      const [id] = await ingest(eventsAt(company, ['2019-03-10T12:00:00Z']));
      expect(id).toBeGreaterThan(0);
      expect(await partitionNames('auditevents')).toEqual(['auditevents_y2019m03']);
      expect(await rowsByTable(company)).toEqual({ auditevents_y2019m03: 1 });
    });

    it('stores every first event of a new month when many arrive at once', async () => {
      // On embedded PGlite the requests are served one at a time, so this checks the outcome
      // without the race; on PostgreSQL they race for the partition (advisory lock 7262001).
      const company = uniqueCompanyId();
      const requests = Array.from({ length: 24 }, (_, i) =>
        ingest(eventsAt(company, [`2020-07-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`], 3, `race ${i}`)),
      );
      const ids = (await Promise.all(requests)).flat();
      expect(ids).toHaveLength(72);
      expect(new Set(ids).size).toBe(72);
      expect(await partitionNames('auditevents')).toEqual(['auditevents_y2020m07']);
      expect(await rowsByTable(company)).toEqual({ auditevents_y2020m07: 72 });
    });
  });
}
