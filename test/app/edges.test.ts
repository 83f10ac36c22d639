import { describe, expect, it } from 'vitest';
import { BASE, call, get, KEY } from '../helpers/app';

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
