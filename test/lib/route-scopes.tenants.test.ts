import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, event, get, KEY, uniqueCompanyId } from '../helpers/app';
import { ADMIN_BASE, as, createKey, detailOf } from '../helpers/keys';
import { countEventsOf } from '../helpers/sql';

// Three companies: A and B in the directory, C not. A key limited to [A] and one to [A, B].
const A = uniqueCompanyId();
const B = uniqueCompanyId();
const C = uniqueCompanyId();
const admin = as(KEY);

interface SearchBody {
  message: string;
  count: number;
  current_page: number;
  total_pages: number;
  total_count: number;
  next_cursor: string | null;
  events: { Id: number; CompanyId: number; UserName: string; Functionality: string }[];
}

let onlyA: ReturnType<typeof as>;
let aAndB: ReturnType<typeof as>;
const ids: Record<number, number[]> = { [A]: [], [B]: [], [C]: [] };

const exportAvailable = Boolean(
  ((await (await get('/pyaudit/openapi.json')).json()) as { paths: Record<string, unknown> }).paths[`${BASE}/export`],
);

beforeAll(async () => {
  await admin.put(`${ADMIN_BASE}/companies/${A}`, { name: 'Alpha Stores' });
  await admin.put(`${ADMIN_BASE}/companies/${A}/stores/1`, { name: 'Alpha One' });
  await admin.put(`${ADMIN_BASE}/companies/${B}`, { name: 'Beta Stores' });
  await admin.put(`${ADMIN_BASE}/companies/${B}/stores/1`, { name: 'Beta One' });
  const seed: [number, string, string][] = [
    [A, 'ann', 'Alpha login'],
    [A, 'bob', 'Alpha login'],
    [A, 'ann', 'Alpha again'],
    [B, 'ann', 'Beta secret login'],
    [B, 'zed', 'Beta secret login'],
    [C, 'ann', 'Gamma login'],
  ];
  for (const [company, user, message] of seed) {
    const response = await admin.post(`${BASE}/create`, event({ company_id: company, user, message, store_id: 1 }));
    ids[company]?.push(((await response.json()) as { id: number }).id);
  }
  onlyA = as((await createKey({ scopes: ['events:read', 'events:write'], companies: [A] })).key);
  aAndB = as((await createKey({ scopes: ['events:read'], companies: [A, B] })).key);
});

const search = async (client: ReturnType<typeof as>, params: Record<string, string | number>) => {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await client.get(`${BASE}/search?${qs}`);
  expect(response.status).toBe(200);
  return (await response.json()) as SearchBody;
};

describe('a key limited to companies reads only their events', () => {
  it('search without filters: rows, total_count and total_pages count its companies only', async () => {
    // A single-company key's own reads are recorded in its company (self-audit), so the expected
    // total is what the table holds for A right before each search.
    const expectedA = await countEventsOf(A);
    const body = await search(onlyA, { page_size: 5000 });
    expect(body.total_count).toBe(expectedA);
    expect(body.count).toBe(expectedA);
    expect(body.total_pages).toBe(1);
    expect(new Set(body.events.map((e) => e.CompanyId))).toEqual(new Set([A]));

    // Two companies: their self-audit goes to company 0, so the count is exact.
    const both = await search(aAndB, { page_size: 5000, functionality: 'Authenticate' });
    expect(both.total_count).toBe(5);
    expect(new Set(both.events.map((e) => e.CompanyId))).toEqual(new Set([A, B]));
  });

  it('asking for another company, or a filter only it matches, finds nothing and says so', async () => {
    const filters: Record<string, string | number>[] = [
      { company_id: B },
      { company_id: C },
      { user: 'zed' },
      { message_pattern: 'Beta secret' },
    ];
    for (const params of filters) {
      const body = await search(onlyA, params);
      expect(body, JSON.stringify(params)).toMatchObject({
        message: 'No audit events found',
        count: 0,
        total_count: 0,
        total_pages: 0,
        next_cursor: null,
        events: [],
      });
    }
    // The same filters with a full-access key do find B's events (the test is not vacuous).
    const full = await search(admin, { message_pattern: 'Beta secret', company_id: B });
    expect(full.total_count).toBe(2);
  });

  it('pages and cursors stay inside its companies', async () => {
    const page1 = await search(onlyA, { functionality: 'Authenticate', user: 'ann', page_size: 1 });
    expect(page1).toMatchObject({ total_count: 2, total_pages: 2, count: 1 });
    const page2 = await search(onlyA, { functionality: 'Authenticate', user: 'ann', page_size: 1, page_number: 2 });
    const page3 = await search(onlyA, { functionality: 'Authenticate', user: 'ann', page_size: 1, page_number: 3 });
    expect(page3.count).toBe(0);
    const viaCursor = await search(onlyA, {
      functionality: 'Authenticate',
      user: 'ann',
      page_size: 1,
      cursor: page1.next_cursor ?? '',
    });
    expect(viaCursor.events.map((e) => e.Id)).toEqual(page2.events.map((e) => e.Id));
    expect(viaCursor.next_cursor).toBeNull();
    const seen = [...page1.events, ...page2.events].map((e) => e.Id).sort();
    expect(seen).toEqual([ids[A]?.[0], ids[A]?.[2]].sort());
  });

  it('recent returns only its companies', async () => {
    const response = await onlyA.get(`${BASE}/recent?limit=5000`);
    const body = (await response.json()) as { events: { Id: number; CompanyId: number }[] };
    expect(body.events.length).toBeGreaterThanOrEqual(3);
    expect(body.events.every((e) => e.CompanyId === A)).toBe(true);
    expect(body.events.map((e) => e.Id)).toEqual(expect.arrayContaining(ids[A] ?? []));
  });

  it.skipIf(!exportAvailable)('export (ndjson and xlsx) contains only its companies, every row of them', async () => {
    const response = await aAndB.get(`${BASE}/export?format=ndjson&functionality=Authenticate`);
    expect(response.status).toBe(200);
    const rows = (await response.text())
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { Id: number; CompanyId: number });
    expect(rows.map((r) => r.Id).sort()).toEqual([...(ids[A] ?? []), ...(ids[B] ?? [])].sort());

    const foreign = await onlyA.get(`${BASE}/export?format=ndjson&company_id=${B}`);
    expect(foreign.status).toBe(200);
    expect((await foreign.text()).trim()).toBe('');

    const recent = await onlyA.get(`${BASE}/export?format=ndjson&recent=true`);
    const recentRows = (await recent.text())
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { CompanyId: number });
    expect(recentRows.length).toBeGreaterThanOrEqual(3);
    expect(recentRows.every((r) => r.CompanyId === A)).toBe(true);

    const xlsx = await onlyA.get(`${BASE}/export?company_id=${B}`);
    expect(xlsx.status).toBe(200);
  });
});

describe('the directory shows a limited key only its companies', () => {
  it('get-all-companies lists only them; another company stores are a 403', async () => {
    const list = async (client: ReturnType<typeof as>) =>
      ((await (await client.get(`${BASE}/get-all-companies`)).json()) as { Data: { CompanyID: number }[] }).Data.map(
        (c) => c.CompanyID,
      );
    expect(await list(onlyA)).toEqual([A]);
    expect((await list(aAndB)).sort()).toEqual([A, B].sort());
    expect(await list(admin)).toEqual(expect.arrayContaining([A, B]));

    const own = await onlyA.get(`${BASE}/get-storelocations-by-company?company_id=${A}`);
    expect(((await own.json()) as { Data: unknown[] }).Data).toEqual([
      { CompanyID: A, StoreLocationID: 1, StoreName: 'Alpha One' },
    ]);
    const foreign = await onlyA.get(`${BASE}/get-storelocations-by-company?company_id=${B}`);
    expect(foreign.status).toBe(403);
    expect(await detailOf(foreign)).toBe(`This API key may not read company ${B}`);
    // Unknown to the directory or foreign: the same answer, so existence is not revealed.
    const unknown = await onlyA.get(`${BASE}/get-storelocations-by-company?company_id=${C}`);
    expect(unknown.status).toBe(403);
  });

  it('events of its companies carry their directory names', async () => {
    const body = await search(onlyA, { functionality: 'Authenticate', page_size: 1 });
    expect(body.events[0]).toMatchObject({ CompanyName: 'Alpha Stores', StoreName: 'Alpha One' });
  });
});

describe('a key limited to companies writes only for them', () => {
  it('create for another company is a 403 with a clear message, and stores nothing', async () => {
    const before = await countEventsOf(B);
    const response = await onlyA.post(`${BASE}/create`, event({ company_id: B }));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: `This API key may not write events for company ${B}` });
    expect(await countEventsOf(B)).toBe(before);
    expect((await onlyA.post(`${BASE}/create`, event({ company_id: A }))).status).toBe(201);
  });

  it('batch stores its own companies events and refuses each foreign one by index', async () => {
    const beforeB = await countEventsOf(B);
    const beforeC = await countEventsOf(C);
    const response = await onlyA.post(`${BASE}/batch`, {
      events: [event({ company_id: A }), event({ company_id: B }), event({ company_id: C })],
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      created: number;
      failed: number;
      results: { index: number; id: number | null; errors?: { loc: unknown[]; msg: string; type: string }[] }[];
    };
    expect(body).toMatchObject({ created: 1, failed: 2 });
    expect(body.results[0]?.id).toBeGreaterThan(0);
    expect(body.results[1]?.errors).toEqual([
      {
        loc: ['body', 'events', 1, 'company_id'],
        msg: `This API key may not write events for company ${B}`,
        type: 'forbidden',
      },
    ]);
    expect(body.results[2]?.errors?.[0]?.type).toBe('forbidden');
    expect(await countEventsOf(B)).toBe(beforeB);
    expect(await countEventsOf(C)).toBe(beforeC);
  });
});
