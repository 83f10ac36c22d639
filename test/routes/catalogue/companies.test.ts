import { describe, expect, it } from 'vitest';
import { BASE, get, uniqueCompanyId } from '../../helpers/app';
import { query } from '../../helpers/sql';

describe('get-all-companies', () => {
  it('lists companies by name', async () => {
    const a = uniqueCompanyId();
    await query(`INSERT INTO companies VALUES ($1, 'Zeta Stores'), ($2, 'Alpha Stores')`, [a, a + 1]);
    const companies = (await (await get(`${BASE}/get-all-companies`)).json()) as {
      Data: { CompanyID: number; CompanyName: string }[];
    };
    const names = companies.Data.map((c) => c.CompanyName);
    expect(names).toEqual([...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(companies.Data).toEqual(expect.arrayContaining([{ CompanyID: a, CompanyName: 'Zeta Stores' }]));
  });
});
