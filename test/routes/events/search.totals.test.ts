import { describe, expect, it } from 'vitest';
import { BASE, get, uniqueCompanyId } from '../../helpers/app';
import { query } from '../../helpers/sql';

/**
 * A search's total without a count whenever it can (src/db/search-total.ts): the last page gives
 * it exactly; otherwise a count of the same filter is reused for SEARCH_COUNT_REUSE_SECONDS. The
 * reuse window is set far beyond any test's length here, so nothing depends on timing.
 */
interface Totals {
  count: number;
  total_count: number;
  total_pages: number;
  current_page: number;
  next_cursor: string | null;
}

const REUSE = { SEARCH_COUNT_REUSE_SECONDS: '300' } as Partial<Env>;
const NO_REUSE = { SEARCH_COUNT_REUSE_SECONDS: '0' } as Partial<Env>;

async function addEvents(company: number, n: number): Promise<void> {
  await query(
    `INSERT INTO auditevents (eventtimestamp, functionalityid, eventtypeid, companyid, message)
     SELECT now() - make_interval(mins => 5, secs => g), 1, 1, $1, 'totals ' || g
     FROM generate_series(1, $2::int) AS g`,
    [company, n],
  );
}

async function totals(params: string, overrides: Partial<Env>): Promise<Totals> {
  const response = await get(`${BASE}/search?${params}`, {}, overrides);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Totals;
}

describe('search totals (issue 18)', () => {
  it('the last page gives the exact total, never a reused one', async () => {
    const company = uniqueCompanyId();
    await addEvents(company, 3);
    expect(await totals(`company_id=${company}&page_size=5`, REUSE)).toMatchObject({
      count: 3,
      total_count: 3,
      total_pages: 1,
    });
    await addEvents(company, 1);
    expect(await totals(`company_id=${company}&page_size=5`, REUSE)).toMatchObject({ count: 4, total_count: 4 });
    // A later, partial page: the rows before it plus its own.
    expect(await totals(`company_id=${company}&page_size=3&page_number=2`, REUSE)).toMatchObject({
      count: 1,
      total_count: 4,
      total_pages: 2,
    });
    // Nothing matches: zero, no pages.
    expect(await totals(`company_id=${company}&user=nobody-here`, REUSE)).toMatchObject({
      count: 0,
      total_count: 0,
      total_pages: 0,
    });
  });

  it('a full page reuses the count of the same filter, and never says fewer rows than it has shown', async () => {
    const company = uniqueCompanyId();
    await addEvents(company, 6);
    expect(await totals(`company_id=${company}&page_size=2`, REUSE)).toMatchObject({ total_count: 6, total_pages: 3 });
    await addEvents(company, 4);
    // Within the window the count of the same filter is reused...
    expect(await totals(`company_id=${company}&page_size=2`, REUSE)).toMatchObject({ total_count: 6 });
    // ...but a page past it raises the total to the rows shown so far.
    expect(await totals(`company_id=${company}&page_size=2&page_number=4`, REUSE)).toMatchObject({
      count: 2,
      total_count: 8,
      total_pages: 4,
    });
    // An empty page past the end leaves the reused total as it was.
    expect(await totals(`company_id=${company}&page_size=2&page_number=40`, REUSE)).toMatchObject({
      count: 0,
      total_count: 6,
    });
    // The last page is exact again.
    expect(await totals(`company_id=${company}&page_size=3&page_number=4`, REUSE)).toMatchObject({
      count: 1,
      total_count: 10,
    });
    // Another filter (here: another status) is counted on its own.
    expect(await totals(`company_id=${company}&page_size=2&status=Success`, REUSE)).toMatchObject({
      total_count: 10,
    });
    // Without reuse every full page counts.
    expect(await totals(`company_id=${company}&page_size=2`, NO_REUSE)).toMatchObject({ total_count: 10 });
  });
});
