import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, event, get, postJson, uniqueCompanyId } from '../../helpers/app';
import { as, createKey, detailOf } from '../../helpers/keys';

/**
 * GET /audit-events/stats: events per Central Time hour or day for the search filters, split
 * Success/Failed, scoped to the key's companies. Data goes in through the batch route.
 */
const A = uniqueCompanyId();
const B = uniqueCompanyId();

interface Stats {
  StatusCode: number;
  bucket: string;
  time_zone: string;
  total: number;
  success: number;
  failed: number;
  buckets: { start: string; start_ms: number; success: number; failed: number }[];
}

// Around the autumn DST change (Sunday 1 November 2026, 02:00 CDT -> 01:00 CST): the day has
// 25 hours and 01:00-02:00 happens twice.
const FIXTURES = [
  { at: '2026-10-31T23:30:00-05:00', status: 'Success', user: 'stats-u1' }, // Oct 31 Central
  { at: '2026-11-01T00:10:00-05:00', status: 'Success', user: 'stats-u1' }, // Nov 1, 00:00 CDT
  { at: '2026-11-01T01:15:00-05:00', status: 'Failed', user: 'stats-u2' }, // first 01:00 (CDT)
  { at: '2026-11-01T01:45:00-05:00', status: 'Success', user: 'stats-u1' }, // first 01:00 (CDT)
  { at: '2026-11-01T01:20:00-06:00', status: 'Failed', user: 'stats-u1' }, // second 01:00 (CST)
  { at: '2026-11-01T23:59:00-06:00', status: 'Success', user: 'stats-u2' }, // still Nov 1
  { at: '2026-11-02T00:00:00-06:00', status: 'Failed', user: 'stats-u2' }, // Nov 2
] as const;

async function stats(params: Record<string, string | number>, key?: string): Promise<Stats> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const path = `${BASE}/stats?${qs}`;
  const response = key ? await as(key).get(path) : await get(path);
  if (response.status !== 200) throw new Error(`stats failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Stats;
}

beforeAll(async () => {
  const events = [
    ...FIXTURES.map((f) =>
      event({ company_id: A, event_timestamp: f.at, status: f.status, user: f.user, message: `stats ${f.at}` }),
    ),
    // Company B: the same hours, so any leak shows in A's counts.
    ...FIXTURES.map((f) => event({ company_id: B, event_timestamp: f.at, status: 'Success', message: 'stats B' })),
  ];
  const response = await postJson(`${BASE}/batch`, { events });
  if (response.status !== 201) throw new Error(`batch failed: ${response.status} ${await response.text()}`);
});

describe('GET /audit-events/stats', () => {
  it('counts per Central Time day, the 25-hour DST day as one bucket', async () => {
    const body = await stats({ company_id: A, bucket: 'day' });
    expect(body).toMatchObject({ StatusCode: 200, bucket: 'day', time_zone: 'America/Chicago', total: 7 });
    expect(body.success).toBe(4);
    expect(body.failed).toBe(3);
    expect(body.buckets).toEqual([
      { start: '2026-10-31T00:00:00.000-05:00', start_ms: Date.parse('2026-10-31T05:00:00Z'), success: 1, failed: 0 },
      { start: '2026-11-01T00:00:00.000-05:00', start_ms: Date.parse('2026-11-01T05:00:00Z'), success: 3, failed: 2 },
      { start: '2026-11-02T00:00:00.000-06:00', start_ms: Date.parse('2026-11-02T06:00:00Z'), success: 0, failed: 1 },
    ]);
  });

  it('counts per hour, keeping the two 01:00 hours of the DST change apart', async () => {
    const body = await stats({ company_id: A, bucket: 'hour', from_date: '11-01-2026', to_date: '11-01-2026' });
    expect(body.buckets.map((b) => [b.start, b.success, b.failed])).toEqual([
      ['2026-11-01T00:00:00.000-05:00', 1, 0],
      ['2026-11-01T01:00:00.000-05:00', 1, 1],
      ['2026-11-01T01:00:00.000-06:00', 0, 1],
      ['2026-11-01T23:00:00.000-06:00', 1, 0],
    ]);
    expect(body.total).toBe(5);
    // hour is the default bucket
    expect((await stats({ company_id: A, from_date: '11-01-2026', to_date: '11-01-2026' })).buckets).toEqual(
      body.buckets,
    );
  });

  it('takes the search filters with their aliases, and agrees with search', async () => {
    const failed = await stats({ company_id: A, bucket: 'day', status: 'Failed' });
    expect(failed.total).toBe(3);
    expect(failed.success).toBe(0);
    const byUser = await stats({ company_id: A, bucket: 'day', username: 'stats-u2' });
    expect(byUser.total).toBe(3);
    const byAlias = await stats({ company_id: A, bucket: 'day', functionality_name: 'Authenticate' });
    expect(byAlias.total).toBe(7);
    const none = await stats({ company_id: A, bucket: 'day', functionality: 'Price Management' });
    expect(none).toMatchObject({ total: 0, buckets: [] });
    const ranged = await stats({
      company_id: A,
      bucket: 'day',
      from_date: '11-01-2026 01:00:00',
      to_date: '11-01-2026 01:59:59',
      message_pattern: 'stats',
    });
    // A naive 01:00-01:59:59 is the first (CDT) occurrence only.
    expect(ranged.total).toBe(2);
    const searched = await get(`${BASE}/search?company_id=${A}&status=Failed`);
    expect(((await searched.json()) as { total_count: number }).total_count).toBe(failed.total);
  });

  it('is scoped to the key: a key limited to A never counts B', async () => {
    const onlyA = await createKey({ scopes: ['events:read'], companies: [A] });
    expect((await stats({ bucket: 'day', from_date: '10-31-2026', to_date: '11-02-2026' }, onlyA.key)).total).toBe(7);
    expect((await stats({ company_id: B, bucket: 'day' }, onlyA.key)).total).toBe(0);
    expect((await stats({ company_id: B, bucket: 'day' })).total).toBe(7);
  });

  it('needs events:read', async () => {
    const writer = await createKey({ scopes: ['events:write'] });
    const response = await as(writer.key).get(`${BASE}/stats?company_id=${A}`);
    expect(response.status).toBe(403);
  });

  it('ignores a parameter it does not know, and says so (as search does)', async () => {
    const response = await get(`${BASE}/stats?company_id=${A}&bucket=day&page_size=10`);
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Ignored-Parameters')).toBe('page_size');
    expect(((await response.json()) as Stats).total).toBe(7);
  });

  it('answers bad input with a 422 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['bucket=week', 'bucket'],
      ['from_date=yesterday', 'from_date'],
      ['from_date=11-02-2026&to_date=11-01-2026', 'to_date'],
      ['company_id=abc', 'company_id'],
      ['status=Maybe', 'status'],
      ['user=a&username=b', 'username'],
    ];
    for (const [qs, name] of cases) {
      const response = await get(`${BASE}/stats?${qs}`);
      expect(response.status, qs).toBe(422);
      const detail = (await detailOf(response)) as { loc: (string | number)[] }[];
      expect(
        detail.some((d) => d.loc[0] === 'query' && d.loc[1] === name),
        `${qs}: ${JSON.stringify(detail)}`,
      ).toBe(true);
    }
  });
});
