import { beforeEach, describe, expect, it } from 'vitest';
import { BASE, get, uniqueCompanyId } from '../helpers/app';
import {
  eventsAt,
  ingest,
  lc,
  lifecycleEnv,
  maintainSql,
  partitionNames,
  resetLifecycle,
  rowsByTable,
} from '../helpers/lifecycle';

/** Archival: catch-up, idempotence, no copy, late events, include_archived. */
export function archivalSuite() {
  describe('archival', () => {
    beforeEach(resetLifecycle);

    it('archives every month past the window in one run (catch-up), moving partitions without copying', async () => {
      const company = uniqueCompanyId();
      await lc(`SELECT ensure_auditevents_partitions('2023-01-15', 5)`);
      await ingest(eventsAt(company, ['2023-01-20T12:00:00Z'], 5));
      await ingest(eventsAt(company, ['2023-02-20T12:00:00Z'], 7));
      await ingest(eventsAt(company, ['2023-03-20T12:00:00Z'], 11));
      await ingest(eventsAt(company, ['2023-04-20T12:00:00Z'], 13));
      await ingest(eventsAt(company, ['2023-06-20T12:00:00Z'], 2));
      const before = await lc<{ relname: string; relfilenode: string }>(
        `SELECT relname, relfilenode::text FROM pg_class
         WHERE relname IN ('auditevents_y2023m01', 'auditevents_y2023m02', 'auditevents_y2023m03') ORDER BY relname`,
      );

      // Three months past a three-month window: the old service would have moved only one.
      const run = await maintainSql(3, '2023-06-20');
      expect(run).toMatchObject({ status: 'ok', months_archived: 3, rows_archived: '23' });
      expect(await partitionNames('auditevents_archival')).toEqual([
        'auditevents_archival_y2023m01',
        'auditevents_archival_y2023m02',
        'auditevents_archival_y2023m03',
      ]);
      expect(await rowsByTable(company)).toEqual({
        auditevents_archival_y2023m01: 5,
        auditevents_archival_y2023m02: 7,
        auditevents_archival_y2023m03: 11,
        auditevents_y2023m04: 13,
        auditevents_y2023m06: 2,
      });
      const [horizon] = await lc<{ t: string }>(
        `SELECT to_char(archived_before AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS t FROM auditevents_lifecycle`,
      );
      expect(horizon?.t).toBe('2023-04-01T05:00Z');

      // Same files: the partitions were renamed and re-attached, not copied.
      const after = await lc<{ relname: string; relfilenode: string }>(
        `SELECT replace(relname, 'archival_', '') AS relname, relfilenode::text FROM pg_class
         WHERE relname LIKE 'auditevents_archival_y2023m0%' AND relkind = 'r' ORDER BY relname`,
      );
      expect(after).toEqual(before);
      const [stamp] = await lc<{ n: string; stamped: string }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE archivedat >= now() - interval '1 hour') AS stamped
         FROM auditevents_archival WHERE companyid = $1`,
        [company],
      );
      expect(stamp).toEqual({ n: '23', stamped: '23' });

      // A second run finds nothing to do and changes nothing.
      const again = await maintainSql(3, '2023-06-20');
      expect(again).toMatchObject({ status: 'ok', months_archived: 0, rows_archived: '0', partitions_created: 0 });
      expect(await rowsByTable(company)).toEqual({
        auditevents_archival_y2023m01: 5,
        auditevents_archival_y2023m02: 7,
        auditevents_archival_y2023m03: 11,
        auditevents_y2023m04: 13,
        auditevents_y2023m06: 2,
      });
      const [runs] = await lc<{ n: string }>(
        `SELECT count(*) AS n FROM auditevents_maintenance_runs WHERE status = 'ok'`,
      );
      expect(runs?.n).toBe('2');
    });

    it('stores late events for archived months in the archive, creating archive months on demand', async () => {
      const company = uniqueCompanyId();
      await lc(`SELECT ensure_auditevents_partitions('2021-02-10', 3)`);
      await ingest(eventsAt(company, ['2021-02-15T12:00:00Z'], 2));
      await maintainSql(2, '2021-05-20');
      expect(await partitionNames('auditevents_archival')).toEqual([
        'auditevents_archival_y2021m02',
        'auditevents_archival_y2021m03',
      ]);

      await ingest(eventsAt(company, ['2021-02-16T12:00:00Z', '2020-11-05T12:00:00Z', '2021-05-01T12:00:00Z'], 3));
      expect(await partitionNames('auditevents_archival')).toEqual([
        'auditevents_archival_y2020m11',
        'auditevents_archival_y2021m02',
        'auditevents_archival_y2021m03',
      ]);
      expect(await rowsByTable(company)).toEqual({
        auditevents_archival_y2020m11: 1,
        auditevents_archival_y2021m02: 3,
        auditevents_y2021m05: 1,
      });
      // No live partition is ever made for an archived month.
      expect((await partitionNames('auditevents')).filter((p) => p < 'auditevents_y2021m04')).toEqual([]);
    });

    it('finds archived events with include_archived, with totals, pages and cursors over both tables', async () => {
      const company = uniqueCompanyId();
      await lc(`SELECT ensure_auditevents_partitions('2021-02-10', 3)`);
      const instants = (month: string, n: number) =>
        Array.from({ length: n }, (_, i) => `2021-${month}-${String(i + 1).padStart(2, '0')}T15:00:00Z`);
      await ingest(eventsAt(company, [...instants('02', 7), ...instants('05', 5)]));
      await maintainSql(2, '2021-05-20');
      expect(await rowsByTable(company)).toEqual({ auditevents_archival_y2021m02: 7, auditevents_y2021m05: 5 });

      const search = async (params: string) => {
        const response = await get(`${BASE}/search?company_id=${company}&${params}`, {}, lifecycleEnv());
        expect(response.status).toBe(200);
        return (await response.json()) as {
          total_count: number;
          total_pages: number;
          next_cursor: string | null;
          events: { Id: number; EventTimestamp: string }[];
        };
      };
      expect((await search('')).total_count).toBe(5);
      expect((await search('include_archived=false')).total_count).toBe(5);

      const page1 = await search('include_archived=true&page_size=5');
      expect(page1).toMatchObject({ total_count: 12, total_pages: 3 });
      const page2 = await search('include_archived=true&page_size=5&page_number=2');
      const page3 = await search('include_archived=true&page_size=5&page_number=3');
      const byNumber = [...page1.events, ...page2.events, ...page3.events];
      expect(byNumber.map((e) => e.EventTimestamp)).toEqual(
        [...instants('05', 5).reverse(), ...instants('02', 7).reverse()].map((iso) => {
          const d = new Date(iso);
          return `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}-2021 ${d.getUTCMonth() + 1 === 5 ? '10' : '09'}:00:00`;
        }),
      );

      const byCursor = [...page1.events];
      let cursor = page1.next_cursor;
      while (cursor) {
        const next = await search(`include_archived=true&page_size=5&cursor=${encodeURIComponent(cursor)}`);
        byCursor.push(...next.events);
        cursor = next.next_cursor;
      }
      expect(byCursor.map((e) => e.Id)).toEqual(byNumber.map((e) => e.Id));
      expect(new Set(byCursor.map((e) => e.Id)).size).toBe(12);

      // Export takes the same flag and streams both tables, newest first.
      const exported = async (params: string) => {
        const response = await get(`${BASE}/export?company_id=${company}&format=ndjson&${params}`, {}, lifecycleEnv());
        expect(response.status).toBe(200);
        return (await response.text())
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => (JSON.parse(line) as { Id: number }).Id);
      };
      expect(await exported('include_archived=true')).toEqual(byNumber.map((e) => e.Id));
      expect(await exported('')).toEqual(byNumber.slice(0, 5).map((e) => e.Id));
    });
  });
}
