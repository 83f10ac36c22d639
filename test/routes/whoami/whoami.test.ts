import { describe, expect, it } from 'vitest';
import { call, get, KEY } from '../../helpers/app';
import { as, createKey, detailOf } from '../../helpers/keys';

const WHOAMI = '/pyaudit/api/whoami';

describe('GET /pyaudit/api/whoami', () => {
  it('answers any valid key, whatever its scopes, with its name, scopes and companies, never the secret', async () => {
    for (const scopes of [['events:write'], ['events:read'], ['admin']] as const) {
      const key = await createKey({ scopes: [...scopes], companies: [5001, 5002] });
      const response = await as(key.key).get(WHOAMI);
      expect(response.status, scopes.join()).toBe(200);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        StatusCode: 200,
        name: key.name,
        scopes: [...scopes],
        companies: [5001, 5002],
        source: 'database',
        prefix: key.prefix,
      });
      // The prefix is public; the secret after it never comes back.
      expect(text).not.toContain(key.key);
      expect(text).not.toContain(key.key.split('_')[2]);
    }
  });

  it('says null companies for a key with every company, and names legacy keys', async () => {
    const body = await (await get(WHOAMI)).json();
    expect(body).toEqual({
      StatusCode: 200,
      name: 'legacy-key-1',
      scopes: ['events:write', 'events:read', 'admin'],
      companies: null,
      source: 'legacy',
      prefix: null,
    });
    expect(JSON.stringify(body)).not.toContain(KEY);
  });

  it('refuses a missing or wrong key with 401', async () => {
    const missing = await call(WHOAMI);
    expect(missing.status).toBe(401);
    expect(await detailOf(missing)).toBe('API Key is missing');
    const wrong = await as('pak_abcdefgh_0123456789abcdef0123456789ABCDEF').get(WHOAMI);
    expect(wrong.status).toBe(401);
    expect(await detailOf(wrong)).toBe('Invalid API Key');
  });

  it('takes no parameters: an unknown one is ignored and named, as on every route (issue 11.2)', async () => {
    const response = await get(`${WHOAMI}?x=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Ignored-Parameters')).toBe('x');
  });
});
