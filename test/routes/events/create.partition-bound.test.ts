import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, event, isEmbedded, postJson, uniqueCompanyId } from '../../helpers/app';
import { createPrivateDatabase, hyperdriveAt, type PrivateDatabase } from '../../helpers/private-database';
import { countEventsOf, query, withClient } from '../../helpers/sql';

/**
 * Issue 13.5: any write key could make hundreds of partitions (every month back to 1970, each an
 * exclusive lock on the parent, with no lock timeout). Events older than the bound are a 422 and
 * never reach the DDL; the DDL that does run gives up after a short lock_timeout (tried three
 * times), and the request is a 503 with Retry-After instead of a queue behind the table.
 */
interface Issue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const partitionsFrom = async (fromIso: string, url?: string) =>
  (
    await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM auditevents_partitions WHERE range_from = auditevents_month_start($1::timestamptz)`,
      [fromIso],
      url,
    )
  )[0]?.n ?? 0;

/** Mid-month, `months` Central Time months before now (UTC noon on the 15th: never near a boundary). */
function monthsAgo(months: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 15, 12)).toISOString();
}

describe('events older than the bound are refused before any DDL (issue 13.5)', () => {
  it('1971 is a 422 naming event_timestamp, and no partition is made for it', async () => {
    const company = uniqueCompanyId();
    const ts = '1971-03-15T12:00:00Z';
    const response = await postJson(`${BASE}/create`, event({ company_id: company, event_timestamp: ts }));
    expect(response.status).toBe(422);
    const [issue] = ((await response.json()) as { detail: Issue[] }).detail;
    expect(issue).toMatchObject({ loc: ['body', 'event_timestamp'], type: 'datetime_too_old' });
    expect(issue?.msg).toMatch(/oldest accepted is \d{4}-\d{2}-01T00:00:00\.000-0[56]:00/);
    expect(await partitionsFrom(ts)).toBe(0);
    expect(await countEventsOf(company)).toBe(0);
  });

  it('MAX_EVENT_AGE_MONTHS sets the bound in Central Time months; inside it events are stored', async () => {
    const company = uniqueCompanyId();
    const bound = { MAX_EVENT_AGE_MONTHS: '3' } as Partial<Env>;
    const old = await postJson(`${BASE}/create`, event({ company_id: company, event_timestamp: monthsAgo(5) }), bound);
    expect(old.status).toBe(422);
    const recent = await postJson(
      `${BASE}/create`,
      event({ company_id: company, event_timestamp: monthsAgo(2) }),
      bound,
    );
    expect(recent.status, await recent.clone().text()).toBe(201);
  });

  it('ARCHIVE_RETENTION_MONTHS shortens it: months maintenance would delete are refused', async () => {
    const company = uniqueCompanyId();
    const overrides = { ARCHIVE_RETENTION_MONTHS: '24', RETENTION_MONTHS: '12' } as Partial<Env>;
    const response = await postJson(
      `${BASE}/create`,
      event({ company_id: company, event_timestamp: monthsAgo(30) }),
      overrides,
    );
    expect(response.status).toBe(422);
  });

  it('in a batch each such item is refused by index and the others are stored', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/batch`, {
      events: [
        event({ company_id: company }),
        event({ company_id: company, event_timestamp: '1975-06-01T00:00:00Z' }),
        event({ company_id: company, event_timestamp: '1988-06-01T00:00:00Z' }),
      ],
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as { results: { index: number; errors?: Issue[] }[] };
    expect(body.results.map((r) => r.errors?.[0]?.type ?? 'stored')).toEqual([
      'stored',
      'datetime_too_old',
      'datetime_too_old',
    ]);
    expect(await countEventsOf(company)).toBe(1);
    expect(await partitionsFrom('1975-06-01T00:00:00Z')).toBe(0);
  });
});

describe.skipIf(isEmbedded)('partition DDL behind a long query on the table (issue 13.5)', () => {
  // A database of this file's own: the test holds a lock on the whole table.
  let db: PrivateDatabase;
  beforeAll(async () => {
    db = await createPrivateDatabase('bound');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('gives up after its lock_timeout: a 503 with Retry-After, nothing stored; later it works', async () => {
    const company = uniqueCompanyId();
    const ts = monthsAgo(7);
    const target = hyperdriveAt(db.url);
    expect(await partitionsFrom(ts, db.url)).toBe(0);

    await withClient(async (reader) => {
      // A long read of the parent holds ACCESS SHARE until it ends; the partition's DDL needs
      // ACCESS EXCLUSIVE.
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM auditevents');
      const response = await postJson(`${BASE}/create`, event({ company_id: company, event_timestamp: ts }), target);
      expect(response.status, await response.clone().text()).toBe(503);
      expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0);
      expect(((await response.json()) as { detail: string }).detail).toMatch(/busy; a new month could not be prepared/);
      await reader.query('COMMIT');
    }, db.url);

    expect(await partitionsFrom(ts, db.url)).toBe(0);
    const again = await postJson(`${BASE}/create`, event({ company_id: company, event_timestamp: ts }), target);
    expect(again.status, await again.clone().text()).toBe(201);
    expect(await partitionsFrom(ts, db.url)).toBe(1);
  });
});
