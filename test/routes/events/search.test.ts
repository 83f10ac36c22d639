import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, event, get, postJson, type SearchBody, search, uniqueCompanyId } from '../../helpers/app';

const users = (body: SearchBody) => body.events.map((e) => e.UserName);

describe('search filters', () => {
  const company = uniqueCompanyId();
  const other = uniqueCompanyId();

  beforeAll(async () => {
    const at = (iso: string) => iso;
    const response = await postJson(`${BASE}/batch`, {
      events: [
        event({
          company_id: company,
          user: 'ann',
          event_timestamp: at('2026-10-05T08:00:00-05:00'),
          store_id: 1,
          message: 'Login ok',
        }),
        event({
          company_id: company,
          user: 'bob',
          event_timestamp: at('2026-10-06T08:00:00-05:00'),
          store_id: 2,
          event_type: 'Logout',
          message: 'Logout done',
          status: 'Failed',
        }),
        event({
          company_id: company,
          user: 'cat',
          event_timestamp: at('2026-10-07T08:00:00-05:00'),
          store_id: 1,
          functionality: 'Price Management',
          event_type: 'Item updated',
          message: 'Price 100% off_sale',
        }),
        event({
          company_id: company,
          user: 'ann',
          event_timestamp: at('2026-10-08T23:59:59-05:00'),
          store_id: 2,
          message: 'Price 100X offXsale',
        }),
        event({
          company_id: other,
          user: 'ann',
          event_timestamp: at('2026-10-06T09:00:00-05:00'),
          message: 'Login ok',
        }),
      ],
    });
    expect(response.status).toBe(201);
  });

  it('filters by company, newest first', async () => {
    expect(users(await search({ company_id: company }))).toEqual(['ann', 'cat', 'bob', 'ann']);
  });

  it('combines filters with AND', async () => {
    expect(users(await search({ company_id: company, user: 'ann', store_id: 1 }))).toEqual(['ann']);
    expect(users(await search({ company_id: company, status: 'Failed' }))).toEqual(['bob']);
    expect(users(await search({ company_id: company, functionality: 'Price Management' }))).toEqual(['cat']);
    expect(users(await search({ company_id: company, functionality: 'Authenticate', event_type: 'Logout' }))).toEqual([
      'bob',
    ]);
    expect(users(await search({ company_id: company, event_type: 'Login' }))).toEqual(['ann', 'ann']);
  });

  it('accepts the dashboard aliases', async () => {
    expect(users(await search({ company_id: company, username: 'ann', store_location_id: 1 }))).toEqual(['ann']);
    expect(
      users(await search({ company_id: company, functionality_name: 'Authenticate', event_type_name: 'Logout' })),
    ).toEqual(['bob']);
  });

  it('422 when an alias contradicts its canonical name', async () => {
    const response = await get(`${BASE}/search?company_id=${company}&user=ann&username=bob`);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: { loc: string[] }[] }).detail[0]?.loc).toEqual(['query', 'username']);
  });

  it('treats % and _ in message_pattern as characters, case-insensitively', async () => {
    expect(users(await search({ company_id: company, message_pattern: '100% OFF_' }))).toEqual(['cat']);
    expect(users(await search({ company_id: company, message_pattern: 'price' }))).toEqual(['ann', 'cat']);
  });

  it('reads the dashboard date format as Central Time, to_date inclusive of its second', async () => {
    const body = await search({
      company_id: company,
      from_date: '10-06-2026 00:00:00',
      to_date: '10-08-2026 23:59:59',
    });
    expect(users(body)).toEqual(['ann', 'cat', 'bob']);
    expect(users(await search({ company_id: company, from_date: '10-06-2026', to_date: '10-07-2026' }))).toEqual([
      'cat',
      'bob',
    ]);
    expect(users(await search({ company_id: company, from_date: '2026-10-07T13:00:00Z' }))).toEqual(['ann', 'cat']);
  });

  it('422 naming the parameter for a date it cannot read (the old service returned everything)', async () => {
    for (const bad of ['13-45-2026', 'yesterday', '2026-02-30', '11/20/2026']) {
      const response = await get(`${BASE}/search?company_id=${company}&from_date=${encodeURIComponent(bad)}`);
      expect(response.status, bad).toBe(422);
      const body = (await response.json()) as { detail: { loc: string[]; msg: string }[] };
      expect(body.detail[0]?.loc).toEqual(['query', 'from_date']);
    }
  });

  it('says "No audit events found" with an empty page', async () => {
    const body = await search({ company_id: company, user: 'nobody' });
    expect(body).toMatchObject({
      StatusCode: 200,
      message: 'No audit events found',
      count: 0,
      total_pages: 0,
      events: [],
    });
  });
});

describe('paging', () => {
  const company = uniqueCompanyId();
  const TOTAL = 5_250;

  beforeAll(async () => {
    for (let start = 0; start < TOTAL; start += 1000) {
      const events = Array.from({ length: Math.min(1000, TOTAL - start) }, (_, i) =>
        event({
          company_id: company,
          user: `p${start + i}`,
          additional_data: null,
          // one second apart, newest = highest number
          event_timestamp: new Date(Date.UTC(2026, 8, 1) + (start + i) * 1000).toISOString(),
        }),
      );
      const response = await postJson(`${BASE}/batch`, { events });
      expect(response.status).toBe(201);
    }
  });

  it('reaches every row past 5000, with a correct total_pages and the old warning as StatusCode 400 (HTTP 200)', async () => {
    const warning = 'Search may return more than 5000 rows. Please modify search criteria.';
    // search() fails unless the HTTP status is 200: the body's StatusCode is the old dashboard signal (issue 11.5).
    const first = await search({ company_id: company, page_size: 5000 });
    expect(first).toMatchObject({ StatusCode: 400, message: warning, warning, count: 5000, total_count: TOTAL });
    expect(first).toMatchObject({ total_pages: 2, current_page: 1 });
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await search({ company_id: company, page_size: 5000, page_number: 2 });
    expect(second).toMatchObject({ StatusCode: 400, message: warning });
    expect(second.count).toBe(TOTAL - 5000);
    expect(second.events.at(-1)?.UserName).toBe('p0');
    const seen = new Set([...first.events, ...second.events].map((e) => e.Id));
    expect(seen.size).toBe(TOTAL);
  });

  it('cursor paging returns the same pages as page numbers', async () => {
    const byNumber = await search({ company_id: company, page_size: 1000, page_number: 3 });
    let cursor = (await search({ company_id: company, page_size: 1000 })).next_cursor;
    const page2 = await search({ company_id: company, page_size: 1000, cursor: String(cursor) });
    cursor = page2.next_cursor;
    const page3 = await search({ company_id: company, page_size: 1000, cursor: String(cursor) });
    expect(page3.current_page).toBe(3);
    expect(page3.events.map((e) => e.Id)).toEqual(byNumber.events.map((e) => e.Id));
    const last = await search({ company_id: company, page_size: 1000, page_number: 6 });
    expect(last.next_cursor).toBeNull();
    expect(last.count).toBe(TOTAL - 5000);
  });

  it('a page past the end is empty, not an error', async () => {
    const body = await search({ company_id: company, page_size: 5000, page_number: 99 });
    expect(body).toMatchObject({ count: 0, total_count: TOTAL, current_page: 99, events: [] });
  });

  it('422 for a tampered cursor', async () => {
    const response = await get(`${BASE}/search?company_id=${company}&cursor=bm9wZQ`);
    expect(response.status).toBe(422);
  });
});
