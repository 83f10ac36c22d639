import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BASE, call, event, get, KEY, postJson, uniqueCompanyId } from './helpers/app';

describe('auth', () => {
  it('401 with the exact body when the key is missing', async () => {
    const response = await call(`${BASE}/recent`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'API Key is missing' });
  });

  it('401 with the exact body when the key is wrong', async () => {
    const response = await get(`${BASE}/recent`, { 'CSIQ-APIKEY': 'not-a-key' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'Invalid API Key' });
  });

  it('accepts every key of API_KEYS', async () => {
    for (const key of [KEY, 'test-key-secondary']) {
      expect((await get(`${BASE}/get-all-auditfunctionalities`, { 'CSIQ-APIKEY': key })).status).toBe(200);
    }
  });

  it('refuses a key in the query string, even a valid one', async () => {
    const response = await call(`${BASE}/recent?api_key=${KEY}`, { headers: { 'CSIQ-APIKEY': KEY } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/header/);
  });

  it('leaves the healthcheck and the docs open', async () => {
    for (const path of ['/pyaudit/api/healthcheck', '/pyaudit/docs', '/pyaudit/redoc', '/pyaudit/openapi.json']) {
      expect((await call(path)).status, path).toBe(200);
    }
  });
});

describe('docs', () => {
  it('serves an OpenAPI document with the apiKey scheme and every route', async () => {
    const doc = (await (await call('/pyaudit/openapi.json')).json()) as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.components.securitySchemes.APIKeyHeader).toEqual({ type: 'apiKey', in: 'header', name: 'CSIQ-APIKEY' });
    for (const path of [
      '/pyaudit/api/healthcheck',
      `${BASE}/create`,
      `${BASE}/batch`,
      `${BASE}/recent`,
      `${BASE}/search`,
      `${BASE}/get-eventtypenames-by-functionalityname`,
      `${BASE}/get-all-auditfunctionalities`,
      `${BASE}/get-all-companies`,
      `${BASE}/get-storelocations-by-company`,
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths[`${BASE}/create`]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '422', '500', '503']),
    );
  });

  it('serves Swagger UI pointing at the document, and ReDoc', async () => {
    const swagger = await (await call('/pyaudit/docs')).text();
    expect(swagger).toContain('/pyaudit/openapi.json');
    expect(swagger).toContain('SwaggerUIBundle');
    const redoc = await (await call('/pyaudit/redoc')).text();
    expect(redoc).toContain('<redoc spec-url="/pyaudit/openapi.json">');
  });
});

describe('edges', () => {
  it('404 in JSON for an unknown route', async () => {
    const response = await get('/pyaudit/api/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not Found' });
  });

  it('405 with Allow for a wrong method', async () => {
    const response = await call(`${BASE}/recent`, { method: 'DELETE', headers: { 'CSIQ-APIKEY': KEY } });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('GET');
    expect(await response.json()).toEqual({ detail: 'Method Not Allowed' });
  });

  it('413 for a body over the limit, before parsing it', async () => {
    const response = await call(
      `${BASE}/create`,
      {
        method: 'POST',
        headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': 'application/json' },
        body: `{"message":"${'x'.repeat(5000)}"}`,
      },
      { MAX_BODY_BYTES: '2048' },
    );
    expect(response.status).toBe(413);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/2048 bytes/);
  });

  it('answers a CORS preflight for any origin with the key header allowed', async () => {
    const response = await call(`${BASE}/search`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://dashboard.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'csiq-apikey',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('csiq-apikey');
  });

  it('sets nosniff and a request id on every response, echoing a safe caller id', async () => {
    const response = await get(`${BASE}/get-all-auditfunctionalities`, { 'X-Request-ID': 'abc-123' });
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('X-Request-ID')).toBe('abc-123');
    const unsafe = await get(`${BASE}/get-all-auditfunctionalities`, { 'X-Request-ID': 'bad id\twith tab' });
    expect(unsafe.headers.get('X-Request-ID')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('healthcheck', () => {
  it('200 healthy when the database answers', async () => {
    const response = await call('/pyaudit/api/healthcheck');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'healthy', database: 'ok' });
  });

  it('503 unhealthy, quickly, when the database is unreachable', async () => {
    const started = Date.now();
    const response = await call(
      '/pyaudit/api/healthcheck',
      {},
      {
        HYPERDRIVE: { connectionString: 'postgres://postgres:x@127.0.0.1:1/nothing' } as Hyperdrive,
      },
    );
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; detail: string };
    expect(body.status).toBe('unhealthy');
    expect(body.detail).toMatch(/Database unreachable/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('database drivers', () => {
  const neon = {
    DB_DRIVER: 'neon',
    NEON_DATABASE_URL: env.TEST_DATABASE_URL,
    NEON_LOCAL_WS_PROXY: env.TEST_NEON_WS_PROXY,
  } as Partial<Env>;

  it('serves the same answers over the Neon serverless driver', async () => {
    const overNeon = await get(`${BASE}/get-all-auditfunctionalities`, {}, neon);
    const overHyperdrive = await get(`${BASE}/get-all-auditfunctionalities`);
    expect(overNeon.status).toBe(200);
    expect(await overNeon.json()).toEqual(await overHyperdrive.json());
    expect((await call('/pyaudit/api/healthcheck', {}, neon)).status).toBe(200);
  });

  it('creates, batches and searches over the Neon serverless driver', async () => {
    const company = uniqueCompanyId();
    const created = await postJson(`${BASE}/create`, event({ company_id: company, user: 'over-neon' }), neon);
    expect(created.status).toBe(201);
    const batch = await postJson(
      `${BASE}/batch`,
      { events: [event({ company_id: company, user: 'batch-neon' })] },
      neon,
    );
    expect(batch.status).toBe(201);
    const found = (await (await get(`${BASE}/search?company_id=${company}`, {}, neon)).json()) as {
      total_count: number;
      events: { UserName: string }[];
    };
    expect(found.total_count).toBe(2);
    expect(found.events.map((e) => e.UserName).sort()).toEqual(['batch-neon', 'over-neon']);
  });
});
