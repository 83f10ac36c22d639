import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../src/lib/auth-failures';
import { BASE, call, isEmbedded, KEY } from '../helpers/app';
import { as, createKey } from '../helpers/keys';
import { hyperdriveAt } from '../helpers/private-database';
import { query } from '../helpers/sql';

/**
 * Issue 13.9: unauthenticated requests cost database work. A request the service answers without
 * the database still answers when the database is unreachable (a closed port), so each test
 * proves "no lookup" by pointing the Worker at one and getting the same answer.
 */
const CLOSED_PORT = hyperdriveAt('postgres://postgres:x@127.0.0.1:1/x');
const PATH = `${BASE}/get-all-companies`;

const fakeKey = () =>
  `pak_${crypto.randomUUID().slice(0, 8).replace(/-/g, 'a')}_${'Z'.repeat(24)}${crypto.randomUUID().slice(0, 8)}`;
// Distinct per test: the failure counts outlive requests within the isolate.
const uniqueIPv4 = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

const send = (key: string, overrides: Partial<Env> = {}, address?: string) =>
  call(PATH, { headers: { 'CSIQ-APIKEY': key, ...(address ? { 'CF-Connecting-IP': address } : {}) } }, overrides);

describe('a well-formed fake key is looked up once (miss cache)', () => {
  it('the second try is a 401 without the database', async () => {
    const key = fakeKey();
    expect((await send(key)).status).toBe(401);
    const again = await send(key, CLOSED_PORT);
    expect(again.status, await again.clone().text()).toBe(401);
  });

  it('with API_KEY_MISS_CACHE_SECONDS=0 every try is looked up (the control)', async () => {
    const key = fakeKey();
    const off = { API_KEY_MISS_CACHE_SECONDS: '0' } as Partial<Env>;
    expect((await send(key, off)).status).toBe(401);
    expect((await send(key, { ...off, ...CLOSED_PORT })).status).toBe(503);
  });

  it('a real key is not affected', async () => {
    const key = await createKey({ scopes: ['events:read'] });
    expect((await as(key.key).get(PATH)).status).toBe(200);
  });
});

describe('failed authentications per client address (CF-Connecting-IP)', () => {
  const LIMIT = { AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_SECONDS: '60' } as Partial<Env>;

  it('past the limit: 429 with Retry-After, before any lookup; other addresses unaffected', async () => {
    const address = uniqueIPv4();
    for (let i = 0; i < 3; i++) expect((await send(`wrong-${i}`, LIMIT, address)).status).toBe(401);
    const refused = await send('wrong-again', LIMIT, address);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/Too many failed authentications/);
    // A fake database key from this address is refused without a lookup (503 if it ran one).
    expect((await send(fakeKey(), { ...LIMIT, ...CLOSED_PORT }, address)).status).toBe(429);
    // Another address is not limited.
    expect((await send('wrong', LIMIT, uniqueIPv4())).status).toBe(401);
  });

  it('a key known without the database still works from a limited address', async () => {
    const address = uniqueIPv4();
    const dbKey = await createKey({ scopes: ['events:read'] });
    expect((await as(dbKey.key).call(PATH, { headers: { 'CF-Connecting-IP': address } })).status).toBe(200); // cached now
    for (let i = 0; i < 3; i++) await send(`wrong-${i}`, LIMIT, address);
    expect((await send('wrong', LIMIT, address)).status).toBe(429);
    expect((await send(KEY, LIMIT, address)).status).toBe(200); // API_KEYS
    expect((await send(dbKey.key, LIMIT, address)).status).toBe(200); // cached record
  });

  it('IPv6 addresses count per /64', async () => {
    const block = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    for (let i = 0; i < 3; i++) expect((await send('wrong', LIMIT, `${block}::${i + 1}`)).status).toBe(401);
    expect((await send('wrong', LIMIT, `${block}:ffff:0:0:9`)).status).toBe(429);
    expect(clientAddress('2001:DB8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddress(' 192.0.2.7 ')).toBe('192.0.2.7');
    expect(clientAddress(undefined)).toBeNull();
  });

  it('missing keys are not counted; without CF-Connecting-IP nothing is counted', async () => {
    const address = uniqueIPv4();
    for (let i = 0; i < 5; i++) {
      expect((await call(PATH, { headers: { 'CF-Connecting-IP': address } }, LIMIT)).status).toBe(401);
    }
    expect((await send('wrong', LIMIT, address)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await send('wrong', LIMIT)).status).toBe(401);
  });
});

describe.skipIf(isEmbedded)("the healthcheck's database probe is reused", () => {
  it('within HEALTHCHECK_CACHE_MS the answer stands without a new connection', async () => {
    // A login role of this test's own, so its connection string is a target nobody else probes.
    const role = `health_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await query(`CREATE ROLE ${role} LOGIN`);
    try {
      const target = new URL(env.TEST_DATABASE_URL);
      target.username = role;
      target.password = '';
      const cached = { ...hyperdriveAt(target.toString()), HEALTHCHECK_CACHE_MS: '60000' } as Partial<Env>;
      expect((await call('/pyaudit/api/healthcheck', {}, cached)).status).toBe(200);
      await query(`ALTER ROLE ${role} NOLOGIN`);
      // The database would now refuse this role: the answer is the cached one.
      expect((await call('/pyaudit/api/healthcheck', {}, cached)).status).toBe(200);
      // The control: asking again for real sees the refusal.
      const fresh = await call('/pyaudit/api/healthcheck', {}, {
        ...cached,
        HEALTHCHECK_CACHE_MS: '0',
      } as Partial<Env>);
      expect(fresh.status).toBe(503);
    } finally {
      await query(`DROP ROLE IF EXISTS ${role}`);
    }
  });
});
