import { describe, expect, it } from 'vitest';
import { call, isEmbedded } from '../../helpers/app';
import { usePrivateLifecycleDatabase } from '../../helpers/lifecycle';

/**
 * GET /admin/maintenance/runs: the maintenance runs, newest first.
 * Maintenance changes the whole database (partitions, the archive horizon, the runs), so this
 * file has a private database of its own, reset before each test (not on the embedded
 * PostgreSQL, which has one database: test/lifecycle covers the SQL there).
 */
const lifecycle = usePrivateLifecycleDatabase('lc_runs');

describe('GET /admin/maintenance/runs', () => {
  it.skipIf(isEmbedded)('lists runs newest first, by job, with a limit', async () => {
    await lifecycle.maintainSql(12, '2024-01-10');
    await lifecycle.lc(`SELECT auditevents_daily_partitions('2024-01-10')`);
    await lifecycle.maintainSql(12, '2024-02-10');
    const runs = async (qs: string) => {
      const response = await lifecycle.adminGet(`/pyaudit/api/admin/maintenance/runs${qs}`);
      expect(response.status).toBe(200);
      return (await response.json()) as { count: number; runs: { id: number; job: string; status: string }[] };
    };
    const all = await runs('');
    expect(all.runs.map((r) => r.job)).toEqual(['maintain', 'partitions', 'maintain']);
    expect(all.runs.map((r) => r.id)).toEqual([...all.runs.map((r) => r.id)].sort((a, b) => b - a));
    expect((await runs('?limit=1')).runs).toEqual([all.runs[0]]);
    expect((await runs('?job=partitions')).runs.map((r) => r.job)).toEqual(['partitions']);
    expect((await lifecycle.adminGet('/pyaudit/api/admin/maintenance/runs?limit=0')).status).toBe(422);
  });

  it('is declared in the OpenAPI document with its responses', async () => {
    const doc = (await (await call('/pyaudit/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths['/pyaudit/api/admin/maintenance/runs']?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401']),
    );
  });
});
