import { describe, expect, it } from 'vitest';
import { BASE, event, get, uniqueCompanyId } from '../helpers/app';
import { ADMIN_BASE, as, createKey, detailOf, type ScopeName } from '../helpers/keys';

const FUNCTIONALITIES = `${BASE}/get-all-auditfunctionalities`;

/** Each route with a request that is harmless once the scope check has let it through. */
const ROUTES: { method: string; path: string; scope: ScopeName; body?: unknown }[] = [
  { method: 'POST', path: `${BASE}/create`, scope: 'events:write', body: {} },
  { method: 'POST', path: `${BASE}/batch`, scope: 'events:write', body: {} },
  { method: 'POST', path: `${BASE}/enqueue`, scope: 'events:write', body: {} },
  { method: 'GET', path: `${BASE}/recent?limit=1`, scope: 'events:read' },
  { method: 'GET', path: `${BASE}/search?page_size=1&company_id=1`, scope: 'events:read' },
  { method: 'GET', path: `${BASE}/export?format=ndjson&company_id=1`, scope: 'events:read' },
  {
    method: 'GET',
    path: `${BASE}/get-eventtypenames-by-functionalityname?functionalityname=Authenticate`,
    scope: 'events:read',
  },
  { method: 'GET', path: FUNCTIONALITIES, scope: 'events:read' },
  { method: 'GET', path: `${BASE}/get-all-companies`, scope: 'events:read' },
  { method: 'GET', path: `${BASE}/get-storelocations-by-company?company_id=1`, scope: 'events:read' },
  { method: 'GET', path: '/pyaudit/api/integrity/blocks?limit=1', scope: 'events:read' },
  { method: 'GET', path: '/pyaudit/api/integrity/public-key', scope: 'events:read' },
  { method: 'GET', path: `${ADMIN_BASE}/keys`, scope: 'admin' },
  { method: 'POST', path: `${ADMIN_BASE}/keys`, scope: 'admin', body: {} },
  { method: 'POST', path: `${ADMIN_BASE}/keys/no-such-key/revoke`, scope: 'admin' },
  { method: 'DELETE', path: `${ADMIN_BASE}/keys/no-such-key`, scope: 'admin' },
  { method: 'POST', path: `${ADMIN_BASE}/functionalities`, scope: 'admin', body: {} },
  { method: 'POST', path: `${ADMIN_BASE}/functionalities/Authenticate/event-types`, scope: 'admin', body: {} },
  { method: 'PUT', path: `${ADMIN_BASE}/companies/1`, scope: 'admin', body: {} },
  { method: 'PUT', path: `${ADMIN_BASE}/companies/1/stores/1`, scope: 'admin', body: {} },
  { method: 'GET', path: `${ADMIN_BASE}/ingest/status`, scope: 'admin' },
  { method: 'GET', path: `${ADMIN_BASE}/ingest/dead-letters`, scope: 'admin' },
  { method: 'POST', path: `${ADMIN_BASE}/ingest/dead-letters/999999999/replay`, scope: 'admin' },
  // Not a route: deny by default, then 404 for a key that may ask.
  { method: 'GET', path: '/pyaudit/api/not-a-route', scope: 'admin' },
  { method: 'POST', path: `${BASE}/search`, scope: 'admin' },
];

const send = (key: string, route: (typeof ROUTES)[number]) =>
  as(key).call(route.path, {
    method: route.method,
    ...(route.body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(route.body) }),
  });

describe('scopes', () => {
  it('every route refuses a key without its scope (403 naming the scope) and admits one with it', async () => {
    const keys = {
      'events:write': await createKey({ scopes: ['events:write'] }),
      'events:read': await createKey({ scopes: ['events:read'] }),
      admin: await createKey({ scopes: ['admin'] }),
    };
    for (const route of ROUTES) {
      for (const [scope, key] of Object.entries(keys)) {
        const response = await send(key.key, route);
        const label = `${route.method} ${route.path} with ${scope}`;
        if (scope === route.scope) {
          expect(response.status, label).not.toBe(403);
          expect(response.status, label).toBeLessThan(500);
        } else {
          expect(response.status, label).toBe(403);
          expect(await response.json(), label).toEqual({ detail: `This API key lacks the scope ${route.scope}` });
        }
      }
    }
  });

  it('covers every route in the OpenAPI document, including routes added later', async () => {
    const doc = (await (await get('/pyaudit/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const reader = await createKey({ scopes: ['events:read'] });
    const writer = await createKey({ scopes: ['events:write'] });
    const publicPaths = new Set(['/pyaudit/api/healthcheck']);
    // Open to any valid key whatever its scopes (test/routes/whoami/whoami.test.ts).
    const anyKeyPaths = new Set(['/pyaudit/api/whoami']);
    let checked = 0;
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (publicPaths.has(template) || anyKeyPaths.has(template)) continue;
      const path = template.replace(/\{[^}]+\}/g, '1');
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const expected: ScopeName = path.startsWith(`${ADMIN_BASE}/`)
          ? 'admin'
          : method === 'POST' && [`${BASE}/create`, `${BASE}/batch`, `${BASE}/enqueue`].includes(path)
            ? 'events:write'
            : method === 'GET' && (path.startsWith(`${BASE}/`) || path.startsWith('/pyaudit/api/integrity/'))
              ? 'events:read'
              : 'admin';
        // The scope check runs before any handler, so these refused requests change nothing.
        for (const key of expected === 'events:read'
          ? [writer]
          : expected === 'events:write'
            ? [reader]
            : [reader, writer]) {
          const response = await as(key.key).call(path, { method });
          expect(response.status, `${method} ${template}`).toBe(403);
          expect(await detailOf(response)).toBe(`This API key lacks the scope ${expected}`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(ROUTES.length - 2);
  });

  it('a key may hold several scopes', async () => {
    const both = await createKey({ scopes: ['events:read', 'events:write'] });
    const company = uniqueCompanyId();
    expect((await as(both.key).post(`${BASE}/create`, event({ company_id: company }))).status).toBe(201);
    expect((await as(both.key).get(`${BASE}/search?company_id=${company}`)).status).toBe(200);
    expect((await as(both.key).get(`${ADMIN_BASE}/keys`)).status).toBe(403);
  });
});
