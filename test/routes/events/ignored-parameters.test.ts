import { describe, expect, it, vi } from 'vitest';
import { BASE, call, event, get, KEY, postJson, search, uniqueCompanyId } from '../../helpers/app';
import { query } from '../../helpers/sql';

// Issue 11.2 and 11.3: the old service ignored query parameters and body fields it did not know,
// and its clients rely on that. They are ignored here too, and named in X-Ignored-Parameters (and
// a WARNING log line) and, for body fields, in ignored_fields. A key in the query string stays a
// 400; repeated parameters and bad values stay 422; admin bodies stay strict.

const HEADER = 'X-Ignored-Parameters';
const ignoredOf = (response: Response) => response.headers.get(HEADER)?.split(',').map(decodeURIComponent) ?? [];

describe('unknown query parameters', () => {
  const company = uniqueCompanyId();

  it('search ignores them, answers as without them, and names them', async () => {
    const id = (await postJson(`${BASE}/create`, event({ company_id: company }))).status;
    expect(id).toBe(201);
    const response = await get(`${BASE}/search?company_id=${company}&colour=red&Company_Id=1&company_id%5B%5D=2`);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(ignoredOf(response).sort()).toEqual(['Company_Id', 'colour', 'company_id[]']);
    const body = (await response.json()) as { StatusCode: number; count: number };
    // Company_Id and company_id[] are not company_id: the filter is the real company_id alone.
    expect(body).toMatchObject({ StatusCode: 200, count: 1 });
    expect((await search({ company_id: company })).count).toBe(1);
  });

  it('writes one WARNING log line naming them', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const response = await get(`${BASE}/search?company_id=${company}&colour=red`, {}, { LOG_LEVEL: 'WARNING' });
      expect(response.status).toBe(200);
      const lines = warn.mock.calls
        .map((args) => {
          try {
            return JSON.parse(String(args[0])) as Record<string, unknown>;
          } catch {
            return {};
          }
        })
        .filter((line) => line.msg === 'ignored unknown parameters');
      expect(lines).toEqual([
        expect.objectContaining({ level: 'WARNING', ignored: ['colour'], ignored_count: 1, path: `${BASE}/search` }),
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('a known parameter is never named; a request with none unknown has no header', async () => {
    const response = await get(`${BASE}/search?company_id=${company}&page_number=1&page_size=5000`);
    expect(response.status).toBe(200);
    expect(response.headers.get(HEADER)).toBeNull();
  });

  it('every route of the old service ignores them: recent, export, catalogue, directory, create', async () => {
    for (const path of [
      `${BASE}/recent?limit=1&page=2`,
      `${BASE}/export?company_id=${company}&format=ndjson&page=2`,
      `${BASE}/get-all-companies?page=2`,
      `${BASE}/get-all-auditfunctionalities?page=2`,
      `${BASE}/get-storelocations-by-company?company_id=${company}&page=2`,
      `${BASE}/get-eventtypenames-by-functionalityname?functionalityname=Authenticate&page=2`,
    ]) {
      const response = await get(path);
      expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
      expect(ignoredOf(response), path).toEqual(['page']);
    }
    const created = await call(`${BASE}/create?source=pos`, {
      method: 'POST',
      headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify(event({ company_id: company })),
    });
    expect(created.status).toBe(201);
    expect(ignoredOf(created)).toEqual(['source']);
  });

  it('names that need escaping arrive percent-encoded, and the header stays bounded', async () => {
    const odd = 'a,b c\u00e9';
    const many = Array.from({ length: 30 }, (_, i) => `x${i}=1`).join('&');
    const response = await get(`${BASE}/search?company_id=${company}&${encodeURIComponent(odd)}=1&${many}`);
    expect(response.status).toBe(200);
    const header = response.headers.get(HEADER) ?? '';
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(ignoredOf(response)[0]).toBe(odd);
    expect(header).toContain('(11 more)');
  });

  it('a key in the query string stays a 400, repeated and bad values stay 422', async () => {
    expect((await get(`${BASE}/search?api_key=${KEY}`)).status).toBe(400);
    const repeated = await get(`${BASE}/search?company_id=1&company_id=2&colour=red`);
    expect(repeated.status).toBe(422);
    expect(JSON.stringify(await repeated.json())).toMatch(/more than once/);
    expect((await get(`${BASE}/search?page_size=0&colour=red`)).status).toBe(422);
    // A repeated unknown name is just ignored, once.
    const twice = await get(`${BASE}/search?company_id=${company}&colour=red&colour=blue`);
    expect(twice.status).toBe(200);
    expect(ignoredOf(twice)).toEqual(['colour']);
  });
});

describe('unknown body fields', () => {
  const company = uniqueCompanyId();

  it('create stores the event without them and names them', async () => {
    const marker = `ignored-${crypto.randomUUID()}`;
    const body = JSON.stringify({
      ...event({ company_id: company, message: marker }),
      colour: 'red',
      id: 1,
      constructor: { prototype: 1 },
      // JSON.stringify would never write this key; JSON.parse keeps it as an own property.
      __placeholder__: 0,
    }).replace('"__placeholder__":0', '"__proto__":{"admin":true}');
    const response = await postJson(`${BASE}/create`, body);
    expect(response.status, await response.clone().text()).toBe(201);
    const answer = (await response.json()) as { StatusCode: number; id: number; ignored_fields: string[] };
    expect(answer.StatusCode).toBe(201);
    expect(answer.ignored_fields).toEqual(['colour', 'id', 'constructor', '__proto__']);
    expect(ignoredOf(response)).toEqual(['colour', 'id', 'constructor', '__proto__']);
    expect(answer.id).not.toBe(1);
    const rows = await query<{ id: string; additionaldata: unknown }>(
      'SELECT id, additionaldata FROM auditevents WHERE companyid = $1 AND message = $2',
      [company, marker],
    );
    expect(rows.map((r) => Number(r.id))).toEqual([answer.id]);
    expect(rows[0]?.additionaldata).toEqual({ ip: '192.168.1.10', browser: 'Chrome' });
  });

  it('a create with no unknown field has no ignored_fields and no header', async () => {
    const response = await postJson(`${BASE}/create`, event({ company_id: company }));
    expect(response.status).toBe(201);
    expect(await response.json()).not.toHaveProperty('ignored_fields');
    expect(response.headers.get(HEADER)).toBeNull();
  });

  it('batch stores every item and names each item’s unknown fields', async () => {
    const response = await postJson(`${BASE}/batch`, {
      events: [
        { ...event({ company_id: company }), terminal: 'T1' },
        event({ company_id: company }),
        { ...event({ company_id: company }), terminal: 'T3', lane: 4 },
      ],
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const answer = (await response.json()) as {
      created: number;
      results: { index: number; id: number | null; ignored_fields?: string[] }[];
    };
    expect(answer.created).toBe(3);
    expect(answer.results.map((r) => r.ignored_fields)).toEqual([['terminal'], undefined, ['terminal', 'lane']]);
    expect(ignoredOf(response)).toEqual(['events[0].terminal', 'events[2].terminal', 'events[2].lane']);
  });

  it('a refused item still names its unknown fields beside its errors', async () => {
    const response = await postJson(`${BASE}/batch`, {
      events: [event({ company_id: company }), { ...event({ company_id: company }), user: '', terminal: 'T2' }],
    });
    expect(response.status).toBe(207);
    const answer = (await response.json()) as { results: { errors?: unknown[]; ignored_fields?: string[] }[] };
    expect(answer.results[1]?.errors?.length).toBeGreaterThan(0);
    expect(answer.results[1]?.ignored_fields).toEqual(['terminal']);
  });

  it('the batch envelope and admin bodies stay strict', async () => {
    const batch = await postJson(`${BASE}/batch`, { events: [event({ company_id: company })], atomic: true });
    expect(batch.status).toBe(422);
    const admin = await postJson('/pyaudit/api/admin/functionalities', { name: `Strict ${Date.now()}`, colour: 1 });
    expect(admin.status).toBe(422);
    expect(JSON.stringify(await admin.json())).toMatch(/Extra inputs/);
  });
});
