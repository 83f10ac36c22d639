import { describe, expect, it } from 'vitest';
import { BASE, call, get, KEY } from '../helpers/app';

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
