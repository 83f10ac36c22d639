import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, get, search, uniqueCompanyId } from '../../helpers/app';
import { query } from '../../helpers/sql';

/**
 * Issue 13.6: a forged cursor reached `::timestamptz` and answered 500 (offsets like +17:30 or
 * +05:99). The position is now an exact UTC instant (epoch microseconds) and an id, checked
 * before any query: a bad cursor is a 422. Cursors of the old form still page.
 */
const company = uniqueCompanyId();
const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

let ids: number[] = [];
beforeAll(async () => {
  // Microseconds apart, and two rows on the very same instant (the id breaks the tie).
  const rows = await query<{ id: string }>(
    `INSERT INTO auditevents (eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username, message, status)
     SELECT t, 1, 1, 101, $1, 'cursor', 'cursor ' || n, 'Success'
     FROM (VALUES (1, now() - interval '10 min' + interval '3 microsecond'),
                  (2, now() - interval '10 min' + interval '2 microsecond'),
                  (3, now() - interval '10 min' + interval '1 microsecond'),
                  (4, now() - interval '10 min' + interval '1 microsecond'),
                  (5, now() - interval '10 min')) AS v (n, t)
     RETURNING id`,
    [company],
  );
  ids = rows.map((r) => Number(r.id));
});

async function walk(pageSize: number, firstCursor?: string): Promise<number[]> {
  const seen: number[] = [];
  let cursor = firstCursor;
  for (let i = 0; i < 20; i++) {
    const page = await search({ company_id: company, page_size: pageSize, ...(cursor ? { cursor } : {}) });
    seen.push(...page.events.map((e) => e.Id));
    if (!page.next_cursor) return seen;
    cursor = page.next_cursor;
  }
  throw new Error('cursor never ended');
}

describe('search cursors (issue 13.6)', () => {
  it('page through microsecond-apart and tied rows exactly once, newest first', async () => {
    const expected = await search({ company_id: company, page_size: 10 });
    expect(expected.events.map((e) => e.Id).sort()).toEqual([...ids].sort());
    expect(await walk(1)).toEqual(expected.events.map((e) => e.Id));
    expect(await walk(2)).toEqual(expected.events.map((e) => e.Id));
  });

  it('carry the position as epoch microseconds', async () => {
    const first = await search({ company_id: company, page_size: 1 });
    const [micros, id, page] = JSON.parse(atob((first.next_cursor ?? '').replace(/-/g, '+').replace(/_/g, '/')));
    expect(micros).toMatch(/^\d+$/);
    const [row] = await query<{ micros: string }>(
      'SELECT ((extract(epoch FROM eventtimestamp) * 1000000)::numeric(30,0))::text AS micros FROM auditevents WHERE id = $1',
      [id],
    );
    expect(micros).toBe(row?.micros);
    expect(page).toBe(2);
  });

  it('still read a cursor of the old form (PostgreSQL timestamp text)', async () => {
    const all = (await search({ company_id: company, page_size: 10 })).events.map((e) => e.Id);
    const [row] = await query<{ ts: string }>('SELECT eventtimestamp::text AS ts FROM auditevents WHERE id = $1', [
      all[1],
    ]);
    const old = b64url([row?.ts, all[1], 3]);
    const page = await search({ company_id: company, page_size: 10, cursor: old });
    expect(page.current_page).toBe(3);
    expect(page.events.map((e) => e.Id)).toEqual(all.slice(2));
  });

  const forged: [string, string][] = [
    ['offset +17:30', b64url(['2026-11-20 10:00:00+17:30', 1, 2])],
    ['offset +05:99', b64url(['2026-11-20 10:00:00+05:99', 1, 2])],
    ['offset -16', b64url(['2026-11-20 10:00:00-16', 1, 2])],
    ['February 30th', b64url(['2026-02-30 10:00:00+00', 1, 2])],
    ['hour 24', b64url(['2026-11-20 24:00:00+00', 1, 2])],
    ['a date without a time', b64url(['2026-11-20', 1, 2])],
    ['words', b64url(['yesterday', 1, 2])],
    ['microseconds past year 9999', b64url(['253402300800000000', 1, 2])],
    ['a huge microsecond number', b64url(['99999999999999999999999999', 1, 2])],
    ['negative microseconds', b64url(['-5', 1, 2])],
    ['microseconds as a JSON number', b64url([1_700_000_000_000_000, 1, 2])],
    ['a huge id', b64url(['1700000000000000', 1e300, 2])],
    ['an id past 2^53', btoa('["1700000000000000",9007199254740993,2]')],
    ['a negative id', b64url(['1700000000000000', -1, 2])],
    ['a huge page', b64url(['1700000000000000', 1, 1e20])],
    ['page 0', b64url(['1700000000000000', 1, 0])],
    ['a fractional id', b64url(['1700000000000000', 1.5, 2])],
    ['two elements', b64url(['1700000000000000', 1])],
    ['an object', b64url({ ts: '1700000000000000', id: 1, page: 2 })],
    ['null', b64url(null)],
    ['not base64', '!!!not-base64!!!'],
    ['base64 of garbage', btoa('garbage{')],
    ['empty', ''],
  ];
  it.each(forged)('refuse a forged cursor (%s) with a 422 naming the cursor', async (_name, cursor) => {
    const response = await get(`${BASE}/search?company_id=${company}&cursor=${encodeURIComponent(cursor)}`);
    if (cursor === '') {
      // An empty cursor is no cursor: page 1.
      expect(response.status).toBe(200);
      return;
    }
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: { loc: unknown[]; msg: string }[] };
    expect(body.detail[0]?.loc).toEqual(['query', 'cursor']);
    expect(body.detail[0]?.msg).toMatch(/Invalid cursor/);
  });
});
