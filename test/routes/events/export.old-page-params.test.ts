import { describe, expect, it } from 'vitest';
import { BASE, createEvent, event, get, uniqueCompanyId } from '../../helpers/app';

// Issue 11.1: the support dashboard sends page_number=1&page_size=N on every export; the old
// service accepted both. They are accepted and ignored: the export is the whole filtered result.
describe('export accepts the dashboard page parameters', () => {
  it('page_number and page_size do not cut the export short', async () => {
    const company = uniqueCompanyId();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await createEvent(event({ company_id: company, message: `paged ${i}` })));
    const response = await get(`${BASE}/export?company_id=${company}&format=ndjson&page_number=1&page_size=2`);
    expect(response.status, await response.clone().text()).toBe(200);
    const lines = (await response.text()).split('\n').filter((line) => line !== '');
    expect(lines.map((line) => (JSON.parse(line) as { Id: number }).Id).sort((a, b) => a - b)).toEqual(
      ids.sort((a, b) => a - b),
    );
  });

  it('bad page values stay a 422', async () => {
    const response = await get(`${BASE}/export?page_number=0&page_size=500`);
    expect(response.status).toBe(422);
  });
});
