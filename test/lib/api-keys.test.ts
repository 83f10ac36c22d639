import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/lib/api-keys';
import { BASE, call, event, KEY, uniqueCompanyId } from '../helpers/app';
import { ADMIN_BASE, as, createKey, NO_KEY_CACHE } from '../helpers/keys';
import { query } from '../helpers/sql';

const FUNCTIONALITIES = `${BASE}/get-all-auditfunctionalities`;

describe('database keys', () => {
  it('are pak_<prefix>_<secret>, stored as the SHA-256 of the key and never as the key', async () => {
    const created = await createKey({ scopes: ['events:read'] });
    expect(created.key).toMatch(/^pak_[a-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(created.key.slice(4, 12)).toBe(created.prefix);
    const [row] = await query<Record<string, unknown>>('SELECT * FROM api_keys WHERE name = $1', [created.name]);
    expect(row?.hash).toBe(await hashApiKey(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key.slice(13));
    expect((await as(created.key).get(FUNCTIONALITIES)).status).toBe(200);
  });

  it('keep the exact 401 bodies: missing, wrong, well-formed but unknown, revoked', async () => {
    expect(await (await call(FUNCTIONALITIES)).json()).toEqual({ detail: 'API Key is missing' });
    const unknown = await as('pak_abcdefgh_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345').get(FUNCTIONALITIES);
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ detail: 'Invalid API Key' });

    const created = await createKey({ scopes: ['events:read'] });
    // One character off: same prefix, other secret.
    const tampered = `${created.key.slice(0, -1)}${created.key.endsWith('A') ? 'B' : 'A'}`;
    const wrong = await as(tampered, NO_KEY_CACHE).get(FUNCTIONALITIES);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ detail: 'Invalid API Key' });

    await call(`${ADMIN_BASE}/keys/${created.name}/revoke`, { method: 'POST', headers: { 'CSIQ-APIKEY': KEY } });
    const revoked = await as(created.key).get(FUNCTIONALITIES);
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({ detail: 'Invalid API Key' });
  });

  it('keep the legacy API_KEYS working with every scope and every company', async () => {
    const company = uniqueCompanyId();
    for (const key of [KEY, 'test-key-secondary']) {
      const legacy = as(key);
      expect((await legacy.get(`${BASE}/recent?limit=1`)).status).toBe(200);
      expect((await legacy.post(`${BASE}/create`, event({ company_id: company }))).status).toBe(201);
      expect((await legacy.get(`${ADMIN_BASE}/keys`)).status).toBe(200);
    }
  });

  it('refuse a database key in the query string, like any key', async () => {
    const created = await createKey({ scopes: ['events:read'] });
    const response = await call(`${BASE}/recent?api_key=${created.key}`, { headers: { 'CSIQ-APIKEY': created.key } });
    expect(response.status).toBe(400);
  });
});

describe('last_used_at', () => {
  it('is written after the response, at most once a minute', async () => {
    const created = await createKey({ scopes: ['events:read'] });
    const lastUsed = async () =>
      (
        await query<{ t: string | null }>('SELECT last_used_at::text AS t FROM api_keys WHERE name = $1', [
          created.name,
        ])
      )[0]?.t;
    expect(await lastUsed()).toBeNull();
    await as(created.key, NO_KEY_CACHE).get(FUNCTIONALITIES);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await as(created.key, NO_KEY_CACHE).get(FUNCTIONALITIES);
    expect(await lastUsed()).toBe(first);
  });
});
