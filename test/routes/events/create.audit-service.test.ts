import { describe, expect, it } from 'vitest';
import { BASE, event, get, postJson, type SearchBody, uniqueCompanyId } from '../../helpers/app';
import { ADMIN_BASE, as, createKey, NO_KEY_CACHE } from '../../helpers/keys';
import { countEventsOf, query } from '../../helpers/sql';

/**
 * Issue 13.3: the self-audit could be forged. `Audit Service` was an ordinary functionality, so
 * a writer could post fake reads; and company 0 (the service's own rows, with other tenants'
 * search parameters) could be granted to a key.
 */
const AUDIT = { functionality: 'Audit Service', event_type: 'Search' };

describe('Audit Service events come only from the service (issue 13.3)', () => {
  it('create refuses the functionality with a 422 naming the field, and stores nothing', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/create`, event({ company_id: company, ...AUDIT }));
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: { loc: unknown[]; msg: string; type: string }[] };
    expect(body.detail).toEqual([
      expect.objectContaining({ loc: ['body', 'functionality'], type: 'reserved_functionality' }),
    ]);
    expect(body.detail[0]?.msg).toMatch(/reserved/);
    expect(await countEventsOf(company)).toBe(0);
  });

  it('batch refuses each such item by index and stores the others', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/batch`, {
      events: [
        event({ company_id: company }),
        event({ company_id: company, ...AUDIT }),
        event({ company_id: company }),
      ],
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      failed: number;
      results: { index: number; errors?: { loc: unknown[] }[] }[];
    };
    expect(body.failed).toBe(1);
    expect(body.results[1]?.errors?.[0]?.loc).toEqual(['body', 'events', 1, 'functionality']);
    expect(body.results[0]?.errors).toBeUndefined();
    expect(await countEventsOf(company)).toBe(2);
  });

  it('a batch of only such items is a 422 and stores nothing', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/batch`, { events: [event({ company_id: company, ...AUDIT })] });
    expect(response.status).toBe(422);
    expect(await countEventsOf(company)).toBe(0);
  });

  it('the service still records its own reads under that functionality', async () => {
    const company = uniqueCompanyId();
    const key = await createKey({ scopes: ['events:read'], companies: [company] });
    expect((await as(key.key).get(`${BASE}/search?company_id=${company}`)).status).toBe(200);
    const rows = await query<{ n: string }>(
      `SELECT count(*) AS n FROM auditevents e JOIN auditfunctionalities f USING (functionalityid)
       WHERE f.functionalityname = 'Audit Service' AND e.companyid = $1`,
      [company],
    );
    expect(Number(rows[0]?.n)).toBe(1);
  });
});

describe('company 0 cannot be granted to a key (issue 13.3)', () => {
  it('creating a key for company 0 is a 422', async () => {
    for (const companies of [[0], [uniqueCompanyId(), 0]]) {
      const response = await postJson(`${ADMIN_BASE}/keys`, {
        name: `zero-${crypto.randomUUID().slice(0, 8)}`,
        scopes: ['events:read'],
        companies,
      });
      expect(response.status).toBe(422);
      expect(JSON.stringify(await response.json())).toMatch(/company 0/);
    }
  });

  it('a key that holds company 0 from before does not see the service rows of company 0', async () => {
    // A company-0 row exists: a read with the full-access key is recorded there.
    expect((await get(`${BASE}/recent`)).status).toBe(200);
    const company = uniqueCompanyId();
    const key = await createKey({ scopes: ['events:read'], companies: [company] });
    await query('UPDATE api_keys SET companies = $1 WHERE name = $2', [[0, company], key.name]);
    const reader = as(key.key, NO_KEY_CACHE);
    const all = await reader.get(`${BASE}/search?functionality=Audit%20Service&company_id=0`);
    expect(all.status).toBe(200);
    expect(((await all.json()) as SearchBody).total_count).toBe(0);
  });
});
