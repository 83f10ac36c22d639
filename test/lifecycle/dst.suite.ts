import { beforeEach, describe, expect, it } from 'vitest';
import { BASE, get, uniqueCompanyId } from '../helpers/app';
import {
  eventsAt,
  ingest,
  lifecycleEnv,
  maintainSql,
  partitions,
  resetLifecycle,
  rowsByTable,
} from '../helpers/lifecycle';

/** The months whose Central midnight boundaries sit on a different UTC hour at each end. */
export function dstSuite() {
  describe('DST months', () => {
    beforeEach(resetLifecycle);

    it('bounds March and November at Central midnight, live and once archived', async () => {
      const company = uniqueCompanyId();
      const month = {
        '2025-03-01T05:59:59Z': 'y2025m02', // Feb 28 23:59:59 CST
        '2025-03-01T06:00:00Z': 'y2025m03', // Mar 1 00:00 CST
        '2025-03-09T08:30:00Z': 'y2025m03', // 03:30 CDT, just after the clocks went forward
        '2025-04-01T04:59:59Z': 'y2025m03', // Mar 31 23:59:59 CDT
        '2025-04-01T05:00:00Z': 'y2025m04', // Apr 1 00:00 CDT
        '2025-11-01T04:59:59Z': 'y2025m10', // Oct 31 23:59:59 CDT
        '2025-11-01T05:00:00Z': 'y2025m11', // Nov 1 00:00 CDT
        '2025-11-02T06:30:00Z': 'y2025m11', // 01:30 CDT, the first of the repeated hour
        '2025-11-02T07:30:00Z': 'y2025m11', // 01:30 CST, the second one
        '2025-12-01T05:59:59Z': 'y2025m11', // Nov 30 23:59:59 CST
        '2025-12-01T06:00:00Z': 'y2025m12', // Dec 1 00:00 CST
      };
      await ingest(eventsAt(company, Object.keys(month)));
      const expectedRows = (prefix: string) => {
        const counts: Record<string, number> = {};
        for (const m of Object.values(month)) counts[`${prefix}_${m}`] = (counts[`${prefix}_${m}`] ?? 0) + 1;
        return counts;
      };
      expect(await rowsByTable(company)).toEqual(expectedRows('auditevents'));
      const ranges = async () =>
        Object.fromEntries(
          (await partitions()).map((p) => [p.partition.replace('archival_', ''), [p.range_from, p.range_to]]),
        );
      const live = await ranges();
      expect(live.auditevents_y2025m03).toEqual(['2025-03-01T06:00Z', '2025-04-01T05:00Z']);
      expect(live.auditevents_y2025m11).toEqual(['2025-11-01T05:00Z', '2025-12-01T06:00Z']);

      const run = await maintainSql(1, '2026-01-10');
      expect(run).toMatchObject({ status: 'ok', months_archived: 6, rows_archived: '11' });
      expect(await rowsByTable(company)).toEqual(expectedRows('auditevents_archival'));
      const archived = await ranges();
      for (const name of Object.keys(live)) {
        if (name < 'auditevents_y2026') expect(archived[name], name).toEqual(live[name]);
      }

      // The repeated hour stays two distinct, ordered events, shown as Central wall clock.
      const response = await get(
        `${BASE}/search?company_id=${company}&include_archived=true&from_date=11-02-2025&to_date=11-02-2025`,
        {},
        lifecycleEnv(),
      );
      const body = (await response.json()) as { events: { EventTimestamp: string }[] };
      expect(body.events.map((e) => e.EventTimestamp)).toEqual(['11-02-2025 01:30:00', '11-02-2025 01:30:00']);
    });
  });
}
