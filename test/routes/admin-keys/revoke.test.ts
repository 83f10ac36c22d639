import { describe, expect, it } from 'vitest';
import { BASE, KEY } from '../../helpers/app';
import { ADMIN_BASE, as, createKey, NO_KEY_CACHE } from '../../helpers/keys';
import { query } from '../../helpers/sql';

const FUNCTIONALITIES = `${BASE}/get-all-auditfunctionalities`;

describe('revocation', () => {
  it('through the admin route is refused at once by this isolate, even with the cache on', async () => {
    const created = await createKey({ scopes: ['events:read'] });
    expect((await as(created.key).get(FUNCTIONALITIES)).status).toBe(200); // now cached for 60 s
    const revoke = await as(KEY).post(`${ADMIN_BASE}/keys/${created.name}/revoke`, '');
    expect(revoke.status).toBe(200);
    expect(((await revoke.json()) as { revoked_at: string | null }).revoked_at).not.toBeNull();
    expect((await as(created.key).get(FUNCTIONALITIES)).status).toBe(401);
  });

  it('elsewhere (another isolate, the command) waits at most for the cache entry, then refuses', async () => {
    const created = await createKey({ scopes: ['events:read'] });
    expect((await as(created.key).get(FUNCTIONALITIES)).status).toBe(200); // cached, TTL 60 s
    // Revoked behind this isolate's back, as `npm run keys -- revoke` or another isolate would.
    await query('UPDATE api_keys SET revoked_at = now() WHERE name = $1', [created.name]);
    // Within the window the cached record still answers (documented: at most 60 s)...
    expect((await as(created.key).get(FUNCTIONALITIES)).status).toBe(200);
    // ...and once the entry is gone (TTL 0 = what every isolate sees after the TTL) it is refused.
    expect((await as(created.key, NO_KEY_CACHE).get(FUNCTIONALITIES)).status).toBe(401);
  });
});
