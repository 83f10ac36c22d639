import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { neonLocalProxyAddress } from '../../src/db/client';
import { BASE, call, event, get, postJson, uniqueCompanyId } from '../helpers/app';
import { ADMIN_BASE, as, createKey, NO_KEY_CACHE, uniqueKeyName } from '../helpers/keys';

// Each driver the Worker can use, against the tests' real PostgreSQL: Neon's through the local
// WebSocket proxy (scripts/neon-ws-proxy.mjs), postgres.js over the same Hyperdrive binding as pg.
const DRIVERS = {
  neon: {
    DB_DRIVER: 'neon',
    NEON_DATABASE_URL: env.TEST_DATABASE_URL,
    NEON_LOCAL_WS_PROXY: env.TEST_NEON_WS_PROXY,
  },
  'postgres-js': { DB_DRIVER: 'postgres-js' },
} as Record<string, Partial<Env>>;

describe.each(Object.entries(DRIVERS))('database driver %s', (name, driver) => {
  it('serves the same answers as node-postgres', async () => {
    const overDriver = await get(`${BASE}/get-all-auditfunctionalities`, {}, driver);
    const overPg = await get(`${BASE}/get-all-auditfunctionalities`);
    expect(overDriver.status).toBe(200);
    expect(await overDriver.json()).toEqual(await overPg.json());
    expect((await call('/pyaudit/api/healthcheck', {}, driver)).status).toBe(200);
  });

  it('creates, batches, searches and lists recent events', async () => {
    const company = uniqueCompanyId();
    const created = await postJson(`${BASE}/create`, event({ company_id: company, user: `one-${name}` }), driver);
    expect(created.status).toBe(201);
    const batch = await postJson(
      `${BASE}/batch`,
      { events: [event({ company_id: company, user: `batch-${name}`, additional_data: { nested: { n: 1 } } })] },
      driver,
    );
    expect(batch.status).toBe(201);
    const search = `${BASE}/search?company_id=${company}`;
    const found = (await (await get(search, {}, driver)).json()) as {
      total_count: number;
      events: { UserName: string; EventTimestamp: string; AdditionalData: unknown }[];
    };
    expect(found.total_count).toBe(2);
    expect(found.events.map((e) => e.UserName).sort()).toEqual([`batch-${name}`, `one-${name}`].sort());
    // Timestamps, JSON and bigint ids read the same way as over node-postgres.
    expect(found.events).toEqual(((await (await get(search)).json()) as typeof found).events);
  });

  it('stores a duplicate event_id once and says so', async () => {
    const body = event({ company_id: uniqueCompanyId(), event_id: crypto.randomUUID() });
    const first = (await (await postJson(`${BASE}/create`, body, driver)).json()) as { id: number };
    const again = await postJson(`${BASE}/create`, body, driver);
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({ id: first.id, duplicate: true });
  });

  it("reads a database key's scopes and companies (text[] and bigint[]) as arrays", async () => {
    const company = uniqueCompanyId();
    const key = await createKey({ scopes: ['events:read'], companies: [company, company + 1] });
    const whoami = await as(key.key, { ...NO_KEY_CACHE, ...driver }).get('/pyaudit/api/whoami');
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ scopes: ['events:read'], companies: [company, company + 1] });
  });

  it('sends array parameters as PostgreSQL arrays and reports a unique violation', async () => {
    const keyName = uniqueKeyName(`drv-${name}`);
    const admin = as('test-key-primary', driver);
    const made = await admin.post(`${ADMIN_BASE}/keys`, {
      name: keyName,
      scopes: ['events:read', 'events:write'],
      companies: [7, 8],
    });
    expect(made.status).toBe(201);
    const again = await admin.post(`${ADMIN_BASE}/keys`, { name: keyName, scopes: ['events:read'] });
    expect(again.status).toBe(409);
    const listed = (await (await admin.get(`${ADMIN_BASE}/keys`)).json()) as {
      Data: { name: string; scopes: string[]; companies: number[] | null }[];
    };
    expect(listed.Data.find((k) => k.name === keyName)).toMatchObject({
      scopes: ['events:read', 'events:write'],
      companies: [7, 8],
    });
  });
});

describe('the Neon driver behind a local WebSocket proxy', () => {
  it('dials host:port/v1 whether the proxy is given with a ws:// scheme or without', () => {
    expect(neonLocalProxyAddress('127.0.0.1:4444', 'db', 5432)).toBe('127.0.0.1:4444/v1?address=db:5432');
    // Passed on as given, ws://ws://127.0.0.1:4444/... made workerd look up a host named "ws".
    expect(neonLocalProxyAddress('ws://127.0.0.1:4444/', 'db', 5432)).toBe('127.0.0.1:4444/v1?address=db:5432');
  });
});
