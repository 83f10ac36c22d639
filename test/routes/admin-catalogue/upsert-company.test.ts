import { describe, expect, it } from 'vitest';
import { BASE, event, KEY, uniqueCompanyId } from '../../helpers/app';
import { ADMIN_BASE, as, createKey, detailOf } from '../../helpers/keys';
import { query } from '../../helpers/sql';

const admin = as(KEY);

describe('PUT /admin/companies/{company_id}', () => {
  it('upserts companies and stores: 201 when added, 200 when renamed; events show the names', async () => {
    const company = uniqueCompanyId();
    const put = (path: string, name: string) => admin.put(`${ADMIN_BASE}/companies/${path}`, { name });
    const added = await put(`${company}`, 'Acme Retail');
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({
      StatusCode: 201,
      message: 'Company added',
      CompanyID: company,
      CompanyName: 'Acme Retail',
    });
    const renamed = await put(`${company}`, 'Acme Retail Group');
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { CompanyName: string }).CompanyName).toBe('Acme Retail Group');

    expect((await put(`${company}/stores/101`, 'Downtown')).status).toBe(201);
    expect((await put(`${company}/stores/101`, 'Downtown East')).status).toBe(200);
    await admin.post(`${BASE}/create`, event({ company_id: company, store_id: 101 }));
    const search = await admin.get(`${BASE}/search?company_id=${company}`);
    const [found] = ((await search.json()) as { events: { CompanyName: string; StoreName: string }[] }).events;
    expect(found).toMatchObject({ CompanyName: 'Acme Retail Group', StoreName: 'Downtown East' });

    const stores = await admin.get(`${BASE}/get-storelocations-by-company?company_id=${company}`);
    expect(((await stores.json()) as { Data: unknown[] }).Data).toEqual([
      { CompanyID: company, StoreLocationID: 101, StoreName: 'Downtown East' },
    ]);
  });

  it('refuses bad names and ids (422)', async () => {
    const company = uniqueCompanyId();
    for (const name of ['', 'x'.repeat(201), ' padded ', 'nul\u0000']) {
      expect((await admin.put(`${ADMIN_BASE}/companies/${company}`, { name })).status, JSON.stringify(name)).toBe(422);
    }
    expect((await admin.put(`${ADMIN_BASE}/companies/${company}`, { name: 'x'.repeat(200) })).status).toBe(201);
    expect((await admin.put(`${ADMIN_BASE}/companies/-5`, { name: 'Neg' })).status).toBe(422);
    expect((await admin.put(`${ADMIN_BASE}/companies/${company}`, { name: 'A', extra: 1 })).status).toBe(422);
  });

  it('lets a limited admin key change only its own companies', async () => {
    const own = uniqueCompanyId();
    const other = uniqueCompanyId();
    const limitedAdmin = as((await createKey({ scopes: ['admin'], companies: [own] })).key);
    expect((await limitedAdmin.put(`${ADMIN_BASE}/companies/${own}`, { name: 'Mine' })).status).toBe(201);
    expect((await limitedAdmin.put(`${ADMIN_BASE}/companies/${own}/stores/7`, { name: 'My store' })).status).toBe(201);
    const foreign = await limitedAdmin.put(`${ADMIN_BASE}/companies/${other}`, { name: 'Theirs' });
    expect(foreign.status).toBe(403);
    expect(await detailOf(foreign)).toBe(`This API key may not change company ${other}`);
    expect((await limitedAdmin.put(`${ADMIN_BASE}/companies/${other}/stores/7`, { name: 'Theirs' })).status).toBe(403);
    const [row] = await query<{ n: number }>('SELECT count(*)::int AS n FROM companies WHERE companyid = $1', [other]);
    expect(row?.n).toBe(0);
  });
});
