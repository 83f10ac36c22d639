import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAILY_CRON } from '../../src/maintenance/scheduled';
import { BASE, get, uniqueCompanyId } from '../helpers/app';
import {
  adminPost,
  eventsAt,
  ingest,
  lc,
  lifecycleEnv,
  maintainSql,
  resetLifecycle,
  runCron,
} from '../helpers/lifecycle';

/** Each partition of both parents, with the oid of its valid trigram index on message (null: none). */
async function trigramIndexes(): Promise<Record<string, string | null>> {
  const rows = await lc<{ partition: string; index_oid: string | null }>(
    `SELECT p.partition,
            (SELECT i.indexrelid::text FROM pg_index i
             WHERE i.indrelid = p.relid AND i.indisvalid
               AND pg_get_indexdef(i.indexrelid) LIKE '%USING gin (message gin_trgm_ops)%') AS index_oid
     FROM auditevents_partitions p ORDER BY p.partition`,
  );
  return Object.fromEntries(rows.map((r) => [r.partition, r.index_oid]));
}

const statements = async (refDate: string) =>
  (
    await lc<{ partition: string; statement: string }>(
      'SELECT partition, statement FROM auditevents_message_index_statements($1::date)',
      [refDate],
    )
  ).map((r) => `${r.partition}: ${r.statement.split(' ').slice(0, 3).join(' ')}`);

const maintain = async (monthsToKeep: number, refDate: string) => {
  const response = await adminPost('/pyaudit/api/admin/maintenance/run', {
    months_to_keep: monthsToKeep,
    ref_date: refDate,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { months_archived: number };
};

/** Ids found by a message_pattern search alone (no other filter), newest first. */
async function idsMatching(pattern: string, includeArchived: boolean): Promise<number[]> {
  const response = await get(
    `${BASE}/search?message_pattern=${pattern}&include_archived=${includeArchived}&page_size=100`,
    {},
    lifecycleEnv(),
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: { Id: number }[] }).events.map((e) => e.Id);
}

/** The message trigram index exists on closed months only, built by maintenance (issue 18). */
export function messageIndexSuite() {
  describe('message trigram index per closed month', () => {
    beforeEach(resetLifecycle);
    afterEach(() => vi.restoreAllMocks());

    it('maintenance gives each closed live month the index, never the current or later ones, and a re-run does nothing', async () => {
      const company = uniqueCompanyId();
      const token = `qzx${company}`;
      await lc(`SELECT ensure_auditevents_partitions('2024-02-10', 1)`);
      const dec = await ingest(eventsAt(company, ['2023-12-15T12:00:00Z'], 3, `${token} december`));
      const jan = await ingest(eventsAt(company, ['2024-01-15T12:00:00Z'], 2, `${token} january`));
      const feb = await ingest(eventsAt(company, ['2024-02-05T12:00:00Z'], 2, `${token} february`));
      await ingest(eventsAt(company, ['2024-01-16T12:00:00Z'], 4, 'unrelated'));
      // New months, ahead or on demand (December), are created without it.
      expect(Object.values(await trigramIndexes())).toEqual([null, null, null, null]);

      // A build that failed half-way leaves an invalid index under the name maintenance uses.
      await expect(
        lc(
          'CREATE UNIQUE INDEX CONCURRENTLY auditevents_y2024m01_message_trgm_idx ON auditevents_y2024m01 (companyid)',
        ),
      ).rejects.toThrow();
      expect(await statements('2024-02-10')).toEqual([
        'auditevents_y2024m01: DROP INDEX CONCURRENTLY',
        'auditevents_y2024m01: CREATE INDEX CONCURRENTLY',
        'auditevents_y2023m12: CREATE INDEX CONCURRENTLY',
      ]);

      expect((await maintain(12, '2024-02-10')).months_archived).toBe(0);
      const built = await trigramIndexes();
      // December and January closed; February (current), March and the months ahead the run made did not.
      expect(
        Object.entries(built)
          .filter(([, oid]) => oid !== null)
          .map(([partition]) => partition),
      ).toEqual(['auditevents_y2023m12', 'auditevents_y2024m01']);
      expect(Object.keys(built)).toContain('auditevents_y2024m02');
      const [invalid] = await lc<{ n: string }>(
        `SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
         WHERE c.relname LIKE 'auditevents_y20%' AND NOT i.indisvalid`,
      );
      expect(invalid?.n).toBe('0');

      // Nothing left to do: the same indexes after a second run.
      expect(await statements('2024-02-10')).toEqual([]);
      await maintain(12, '2024-02-10');
      expect(await trigramIndexes()).toEqual(built);

      // Searches by substring find the events of indexed and unindexed months alike.
      expect(await idsMatching(token, false)).toEqual([...feb, ...jan, ...dec].sort((a, b) => b - a));
      expect(await idsMatching(`${token} january`, false)).toEqual([...jan].sort((a, b) => b - a));
    });

    it('a month keeps its index when it moves to the archive (ATTACH adopts it, no build)', async () => {
      const company = uniqueCompanyId();
      const token = `qzy${company}`;
      const nov = await ingest(eventsAt(company, ['2023-11-15T12:00:00Z'], 2, `${token} november`));
      const jan = await ingest(eventsAt(company, ['2024-01-15T12:00:00Z'], 3, `${token} january`));
      await maintain(12, '2024-01-20');
      const before = await trigramIndexes();
      expect(before.auditevents_y2023m11).not.toBeNull();
      expect(before.auditevents_y2024m01).toBeNull();

      expect((await maintain(1, '2024-01-20')).months_archived).toBe(1);
      const after = await trigramIndexes();
      // The same index (same oid), now a partition of the archive parent's index.
      expect(after.auditevents_archival_y2023m11).toBe(before.auditevents_y2023m11);
      const [parent] = await lc<{ parent: string }>(
        'SELECT inhparent::regclass::text AS parent FROM pg_inherits WHERE inhrelid = $1::oid',
        [after.auditevents_archival_y2023m11],
      );
      expect(parent?.parent).toBe('auditevents_archival_message_trgm_idx');
      expect(after.auditevents_y2024m01).toBeNull();

      expect(await idsMatching(token, true)).toEqual([...jan, ...nov].sort((a, b) => b - a));
      expect(await idsMatching(token, false)).toEqual([...jan].sort((a, b) => b - a));
    });

    it('a month archived from SQL alone, without its index, gets one from ATTACH', async () => {
      const company = uniqueCompanyId();
      await ingest(eventsAt(company, ['2023-10-15T12:00:00Z'], 2));
      expect((await trigramIndexes()).auditevents_y2023m10).toBeNull();
      expect((await maintainSql(1, '2024-01-20')).months_archived).toBe(1);
      expect((await trigramIndexes()).auditevents_archival_y2023m10).not.toBeNull();
    });

    it('the daily cron builds what is missing and logs each build', async () => {
      const company = uniqueCompanyId();
      await ingest(eventsAt(company, ['2023-10-15T12:00:00Z'], 2));
      const lines: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
        lines.push(String(line));
      });
      await runCron(DAILY_CRON, { LOG_LEVEL: 'INFO' });
      expect((await trigramIndexes()).auditevents_y2023m10).not.toBeNull();
      const done = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'message index: done');
      expect(done).toMatchObject({ partition: 'auditevents_y2023m10', index: 'auditevents_y2023m10_message_trgm_idx' });
      expect(done?.duration_ms).toEqual(expect.any(Number));
    });
  });
}
