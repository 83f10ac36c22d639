import { describe, expect, it } from 'vitest';
import { centralToday } from '../../../src/lib/central-time';
import { call, isEmbedded, uniqueCompanyId } from '../../helpers/app';
import { eventsAt, usePrivateLifecycleDatabase } from '../../helpers/lifecycle';

/**
 * POST /admin/maintenance/run: archival on demand.
 * Maintenance changes the whole database (partitions, the archive horizon, the runs), so this
 * file has a private database of its own, reset before each test (not on the embedded
 * PostgreSQL, which has one database: test/lifecycle covers the SQL there).
 */
const lifecycle = usePrivateLifecycleDatabase('lc_run');

describe('POST /admin/maintenance/run', () => {
  it.skipIf(isEmbedded)('archives on demand and returns the run it recorded', async () => {
    const company = uniqueCompanyId();
    await lifecycle.ingest(eventsAt(company, ['2024-01-20T12:00:00Z'], 2));
    const response = await lifecycle.adminPost('/pyaudit/api/admin/maintenance/run', {
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
    expect(await lifecycle.rowsByTable(company)).toEqual({ auditevents_archival_y2024m01: 2 });

    const again = await lifecycle.adminPost('/pyaudit/api/admin/maintenance/run', {
      months_to_keep: 3,
      ref_date: '2024-05-10',
    });
    expect(((await again.json()) as { months_archived: number }).months_archived).toBe(0);

    // Without a body: RETENTION_MONTHS and today.
    for (const body of [undefined, '', '{}']) {
      const defaults = await lifecycle.adminPost('/pyaudit/api/admin/maintenance/run', body);
      expect(defaults.status).toBe(200);
      expect(((await defaults.json()) as { details: Record<string, unknown> }).details).toMatchObject({
        months_to_keep: 12,
        ref_date: centralToday(),
      });
    }
  });

  it.skipIf(isEmbedded)('refuses bad input with a 422 naming the field', async () => {
    const problem = async (body: unknown, extra: Partial<Env> = {}) => {
      const response = await lifecycle.adminPost('/pyaudit/api/admin/maintenance/run', body, extra);
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
    const runs = await lifecycle.lc('SELECT 1 FROM auditevents_maintenance_runs');
    expect(runs).toEqual([]);
  });

  it('is declared in the OpenAPI document with its responses', async () => {
    const doc = (await (await call('/pyaudit/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths['/pyaudit/api/admin/maintenance/run']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401', '409', '422', '500']),
    );
  });
});
