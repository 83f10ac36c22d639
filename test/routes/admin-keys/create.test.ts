import { describe, expect, it } from 'vitest';
import { KEY, uniqueCompanyId } from '../../helpers/app';
import { ADMIN_BASE, as, createKey, detailOf, uniqueKeyName } from '../../helpers/keys';

const admin = as(KEY);

describe('POST /admin/keys', () => {
  it('answers the key once, with its scopes and companies made unique', async () => {
    const name = uniqueKeyName('dashboard');
    const company = uniqueCompanyId();
    const created = await admin.post(`${ADMIN_BASE}/keys`, {
      name,
      scopes: ['events:read', 'events:read'],
      companies: [company, company],
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown> & { key: string };
    expect(body).toMatchObject({
      StatusCode: 201,
      name,
      scopes: ['events:read'],
      companies: [company],
      last_used_at: null,
      revoked_at: null,
    });
    expect(body.message).toMatch(/not shown again/);
  });

  it('refuses a taken name (409, even after revocation) and bad input (422 naming the field)', async () => {
    const { name } = await createKey({ scopes: ['events:read'] });
    const again = await admin.post(`${ADMIN_BASE}/keys`, { name, scopes: ['admin'] });
    expect(again.status).toBe(409);
    expect(await detailOf(again)).toMatch(/already exists/);
    await admin.delete(`${ADMIN_BASE}/keys/${name}`);
    expect((await admin.post(`${ADMIN_BASE}/keys`, { name, scopes: ['admin'] })).status).toBe(409);

    const cases: [unknown, string][] = [
      [{ name: 'x', scopes: ['events:delete'] }, 'scopes'],
      [{ name: 'x', scopes: [] }, 'scopes'],
      [{ name: 'legacy-key-1', scopes: ['admin'] }, 'name'],
      [{ name: 'has space', scopes: ['admin'] }, 'name'],
      [{ name: 'x'.repeat(101), scopes: ['admin'] }, 'name'],
      [{ name: 'x', scopes: ['admin'], companies: [] }, 'companies'],
      [{ name: 'x', scopes: ['admin'], companies: [-1] }, 'companies'],
      [{ name: 'x', scopes: ['admin'], key: 'pak_chosen' }, 'key'],
    ];
    for (const [input, field] of cases) {
      const response = await admin.post(`${ADMIN_BASE}/keys`, input);
      expect(response.status, JSON.stringify(input)).toBe(422);
      const detail = (await detailOf(response)) as { loc: (string | number)[] }[];
      expect(
        detail.some((i) => i.loc[1] === field),
        JSON.stringify(detail),
      ).toBe(true);
    }
  });

  it('needs an admin key with every company: a limited admin cannot mint itself more', async () => {
    const limitedAdmin = await createKey({ scopes: ['admin'], companies: [uniqueCompanyId()] });
    const minted = await as(limitedAdmin.key).post(`${ADMIN_BASE}/keys`, {
      name: uniqueKeyName('escalate'),
      scopes: ['admin'],
    });
    expect(minted.status).toBe(403);
    expect(await detailOf(minted)).toBe('This admin action needs an admin key with access to every company');
    expect((await as(limitedAdmin.key).get(`${ADMIN_BASE}/keys`)).status).toBe(403);
    // A database admin key with every company may.
    const fullAdmin = await createKey({ scopes: ['admin'] });
    const byFull = await as(fullAdmin.key).post(`${ADMIN_BASE}/keys`, {
      name: uniqueKeyName('by-db-admin'),
      scopes: ['events:read'],
    });
    expect(byFull.status).toBe(201);
  });
});
