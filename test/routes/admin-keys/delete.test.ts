import { describe, expect, it } from 'vitest';
import { KEY } from '../../helpers/app';
import { ADMIN_BASE, as, createKey, detailOf } from '../../helpers/keys';

describe('DELETE /admin/keys/{name}', () => {
  it('is the same as POST .../revoke, is idempotent, and 404 names an unknown key', async () => {
    const created = await createKey({ scopes: ['events:read'] });
    const first = await as(KEY).delete(`${ADMIN_BASE}/keys/${created.name}`);
    expect(first.status).toBe(200);
    const firstBody = (await first.json()) as { message: string; revoked_at: string };
    expect(firstBody.message).toBe('API key revoked');
    const again = await as(KEY).post(`${ADMIN_BASE}/keys/${created.name}/revoke`, '');
    const againBody = (await again.json()) as { message: string; revoked_at: string };
    expect(againBody.message).toBe('API key was already revoked');
    expect(againBody.revoked_at).toBe(firstBody.revoked_at);
    const missing = await as(KEY).delete(`${ADMIN_BASE}/keys/no-such-key-${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(await detailOf(missing)).toMatch(/^No API key is named no-such-key-/);
  });
});
