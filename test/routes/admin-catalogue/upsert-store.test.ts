import { describe, expect, it } from 'vitest';
import { BASE, KEY, uniqueCompanyId } from '../../helpers/app';
import { ADMIN_BASE, as, detailOf } from '../../helpers/keys';

const admin = as(KEY);

describe('PUT /admin/companies/{company_id}/stores/{store_id}', () => {
  it('adds a store (201), renames it (200), and the catalogue lists it', async () => {
    const company = uniqueCompanyId();
    expect((await admin.put(`${ADMIN_BASE}/companies/${company}`, { name: 'Acme' })).status).toBe(201);
    const added = await admin.put(`${ADMIN_BASE}/companies/${company}/stores/7`, { name: 'Uptown' });
    expect(added.status).toBe(201);
    expect((await admin.put(`${ADMIN_BASE}/companies/${company}/stores/7`, { name: 'Uptown North' })).status).toBe(200);
    const stores = await admin.get(`${BASE}/get-storelocations-by-company?company_id=${company}`);
    expect(((await stores.json()) as { Data: unknown[] }).Data).toEqual([
      { CompanyID: company, StoreLocationID: 7, StoreName: 'Uptown North' },
    ]);
  });

  it('refuses a store of a company not in the directory (404), and a bad name (422)', async () => {
    const company = uniqueCompanyId();
    const orphan = await admin.put(`${ADMIN_BASE}/companies/${company}/stores/1`, { name: 'Nowhere' });
    expect(orphan.status).toBe(404);
    expect(await detailOf(orphan)).toMatch(new RegExp(`^Company ${company} is not in the directory`));
    expect((await admin.put(`${ADMIN_BASE}/companies/${company}/stores/1`, { name: '' })).status).toBe(422);
  });
});
