import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, event, get, postJson, type SearchBody, uniqueCompanyId } from '../../helpers/app';
import { as, createKey } from '../../helpers/keys';

/**
 * Issue 13.2: search and recent answers had no size bound (5000 rows of 10,000-character
 * messages and 16 KB of additional data is ~130 MB of JSON, past a Worker's 128 MB). A page now
 * stops at PAGE_MAX_BYTES of message and additional data, says so (`truncated`), and next_cursor
 * continues exactly after its last event. The tests use a small budget; the rows are real.
 */
const ROWS = 30;
const BUDGET = { PAGE_MAX_BYTES: '50000' } as Partial<Env>; // five ~10 KB rows
const company = uniqueCompanyId();

type Page = SearchBody & { truncated: boolean };

async function searchPage(qs: string, overrides: Partial<Env> = BUDGET): Promise<Page> {
  const response = await get(`${BASE}/search?${qs}`, {}, overrides);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Page;
}

beforeAll(async () => {
  const events = Array.from({ length: ROWS }, (_, i) =>
    event({
      company_id: company,
      message: `${String(i).padStart(2, '0')} ${'x'.repeat(9_990)}`,
      event_timestamp: new Date(Date.now() - 60_000 - i * 1000).toISOString(),
    }),
  );
  const response = await postJson(`${BASE}/batch`, { events });
  expect(response.status).toBe(201);
});

describe('search pages have a byte budget (issue 13.2)', () => {
  it('a page stops at the budget, says so, and the cursor walk returns every row once, in order', async () => {
    const all = await searchPage(`company_id=${company}&page_size=100`, {});
    expect(all.truncated).toBe(false);
    expect(all.count).toBe(ROWS);
    const expected = all.events.map((e) => e.Id);

    const first = await searchPage(`company_id=${company}&page_size=20`);
    expect(first.truncated).toBe(true);
    expect(first.count).toBe(5); // four fill 40 KB; the fifth crosses 50 KB and ends the page
    expect(first.current_page).toBe(1);
    expect(first.next_cursor).not.toBeNull();

    const seen = first.events.map((e) => e.Id);
    let page = first;
    for (let i = 0; page.next_cursor && i < 20; i++) {
      page = await searchPage(`company_id=${company}&page_size=20&cursor=${page.next_cursor}`);
      seen.push(...page.events.map((e) => e.Id));
    }
    expect(page.next_cursor).toBeNull();
    expect(page.truncated).toBe(false);
    expect(seen).toEqual(expected);
  });

  it('a page that fills page_size exactly at the budget is not truncated', async () => {
    const page = await searchPage(`company_id=${company}&page_size=5`);
    expect(page.count).toBe(5);
    expect(page.truncated).toBe(false);
    expect(page.current_page).toBe(1);
    const next = await searchPage(`company_id=${company}&page_size=5&cursor=${page.next_cursor}`);
    expect(next.current_page).toBe(2);
  });

  it('page_number paging is cut the same way, and its cursor continues after the last row', async () => {
    const page2 = await searchPage(`company_id=${company}&page_size=10&page_number=2`);
    expect(page2.truncated).toBe(true);
    expect(page2.count).toBe(5);
    const all = await searchPage(`company_id=${company}&page_size=100`, {});
    expect(page2.events.map((e) => e.Id)).toEqual(all.events.slice(10, 15).map((e) => e.Id));
    const rest = await searchPage(`company_id=${company}&page_size=5&cursor=${page2.next_cursor}`);
    expect(rest.events.map((e) => e.Id)).toEqual(all.events.slice(15, 20).map((e) => e.Id));
  });
});

describe('recent answers have the same budget (issue 13.2)', () => {
  it('fewer than limit, truncated, and next_cursor continues through search', async () => {
    // A key limited to this company: recent then sees only these rows.
    const key = await createKey({ scopes: ['events:read'], companies: [company] });
    const reader = as(key.key, BUDGET);
    const response = await reader.get(`${BASE}/recent?limit=20`);
    expect(response.status).toBe(200);
    const recent = (await response.json()) as {
      count: number;
      truncated: boolean;
      next_cursor: string | null;
      events: { Id: number }[];
    };
    expect(recent.truncated).toBe(true);
    expect(recent.count).toBe(5);
    const rest = await reader.get(`${BASE}/search?page_size=5&cursor=${recent.next_cursor}`);
    expect(rest.status).toBe(200);
    // The key's own reads are recorded in its company as they happen (the audit of the
    // auditors), so the rows that follow are found by position, after recent's last one.
    const all = (await searchPage(`company_id=${company}&page_size=100`, {})).events.map((e) => e.Id);
    const after = all.indexOf(recent.events[4]?.Id as number);
    expect(after).toBeGreaterThanOrEqual(4);
    expect(((await rest.json()) as SearchBody).events.map((e) => e.Id)).toEqual(all.slice(after + 1, after + 6));
  });

  it('within the budget: every row, not truncated, no cursor', async () => {
    const key = await createKey({ scopes: ['events:read'], companies: [company] });
    const response = await as(key.key).get(`${BASE}/recent?limit=20`);
    const recent = (await response.json()) as { count: number; truncated: boolean; next_cursor: string | null };
    expect(recent).toMatchObject({ count: 20, truncated: false, next_cursor: null });
  });
});
