import { describe, expect, it } from 'vitest';
import { BASE, get, uniqueCompanyId } from '../../helpers/app';
import { query } from '../../helpers/sql';

describe('get-storelocations-by-company', () => {
  it("lists a company's stores by id, with their names", async () => {
    const a = uniqueCompanyId();
    await query(`INSERT INTO companies VALUES ($1, 'Zeta Stores')`, [a]);
    await query(`INSERT INTO storelocations VALUES ($1, 2, 'Uptown'), ($1, 1, 'Midtown')`, [a]);
    const stores = (await (await get(`${BASE}/get-storelocations-by-company?company_id=${a}`)).json()) as {
      Data: unknown[];
    };
    expect(stores.Data).toEqual([
      { CompanyID: a, StoreLocationID: 1, StoreName: 'Midtown' },
      { CompanyID: a, StoreLocationID: 2, StoreName: 'Uptown' },
    ]);
  });
});
