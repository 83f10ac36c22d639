import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../src/lib/api-keys';
import { KEY, uniqueCompanyId } from '../../helpers/app';
import { ADMIN_BASE, as, createKey, uniqueKeyName } from '../../helpers/keys';

const admin = as(KEY);

describe('GET /admin/keys', () => {
  it('shows every key but never a key or a hash', async () => {
    const name = uniqueKeyName('dashboard');
    const company = uniqueCompanyId();
    const created = await admin.post(`${ADMIN_BASE}/keys`, { name, scopes: ['events:read'], companies: [company] });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown> & { key: string };

    const list = await admin.get(`${ADMIN_BASE}/keys`);
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(body.key);
    expect(text).not.toContain(await hashApiKey(body.key));
    const listed = (JSON.parse(text) as { legacy_keys: number; Data: Record<string, unknown>[] }).Data.find(
      (k) => k.name === name,
    );
    expect(listed).toEqual({
      name,
      prefix: body.prefix,
      scopes: ['events:read'],
      companies: [company],
      created_at: body.created_at,
      last_used_at: null,
      revoked_at: null,
    });
    expect(JSON.parse(text).legacy_keys).toBe(2);
  });

  it('needs an admin key', async () => {
    const reader = await createKey({ scopes: ['events:read'] });
    expect((await as(reader.key).get(`${ADMIN_BASE}/keys`)).status).toBe(403);
  });
});
