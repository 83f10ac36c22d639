import { describe, expect, it } from 'vitest';
import { call, isEmbedded, uniqueCompanyId } from '../../helpers/app';
import { eventsAt, usePrivateLifecycleDatabase } from '../../helpers/lifecycle';

/**
 * GET /admin/partitions: the partitions, their ranges and rows, the archive horizon, the last runs.
 * Maintenance changes the whole database (partitions, the archive horizon, the runs), so this
 * file has a private database of its own, reset before each test (not on the embedded
 * PostgreSQL, which has one database: test/lifecycle covers the SQL there).
 */
const lifecycle = usePrivateLifecycleDatabase('lc_partitions');

interface PartitionsBody {
  archived_before: string | null;
  archived_before_central: string | null;
  live: { partitions: number; rows: number; rows_exact: boolean; total_bytes: number };
  archive: { partitions: number; rows: number; rows_exact: boolean; total_bytes: number };
  partitions: Record<string, unknown>[];
  last_maintenance: Record<string, unknown> | null;
  last_partitions_job: Record<string, unknown> | null;
}

describe('GET /admin/partitions', () => {
  it.skipIf(isEmbedded)('shows ranges (UTC and Central), rows, archive size, horizon and the last run', async () => {
    const company = uniqueCompanyId();
    await lifecycle.ingest(
      eventsAt(company, ['2025-01-20T12:00:00Z', '2025-03-20T12:00:00Z', '2025-03-21T12:00:00Z'], 5),
    );
    await lifecycle.maintainSql(2, '2025-03-20');

    const response = await lifecycle.adminGet('/pyaudit/api/admin/partitions');
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

    const exact = (await (
      await lifecycle.adminGet('/pyaudit/api/admin/partitions?exact=true')
    ).json()) as PartitionsBody;
    const rowsOf = (name: string) => exact.partitions.find((p) => p.partition === name)?.rows;
    expect([rowsOf('auditevents_y2025m03'), rowsOf('auditevents_archival_y2025m01')]).toEqual([3, 2]);
    expect(exact.partitions.every((p) => p.rows_exact)).toBe(true);
    expect((await lifecycle.adminGet('/pyaudit/api/admin/partitions?exact=maybe')).status).toBe(422);
    expect((await call('/pyaudit/api/admin/partitions', {}, lifecycle.lifecycleEnv())).status).toBe(401);
  });

  it('is declared in the OpenAPI document with its responses', async () => {
    const doc = (await (await call('/pyaudit/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths['/pyaudit/api/admin/partitions']?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401', '422']),
    );
  });
});
