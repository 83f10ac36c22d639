import { describe, expect, it } from 'vitest';
import { parsePublicKey } from '../../../src/integrity/signing';
import { call, get } from '../../helpers/app';
import { INTEGRITY } from '../../helpers/integrity';
import { as, createKey } from '../../helpers/keys';

interface PublicKeys {
  algorithm: string;
  current_key_id: string | null;
  keys: { key_id: string; public_key: string; pem: string }[];
}

describe('GET /integrity/public-key', () => {
  it('names the current signing key among the trusted ones, raw and as PEM', async () => {
    const response = await get(`${INTEGRITY}/public-key`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as PublicKeys;
    expect(body.algorithm).toBe('Ed25519');
    const current = body.keys.find((k) => k.key_id === body.current_key_id);
    expect(current?.key_id).toMatch(/^[0-9a-f]{16}$/);
    expect(Uint8Array.from(atob(current?.public_key ?? ''), (c) => c.charCodeAt(0)).length).toBe(32);
    expect(current?.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    await expect(parsePublicKey(current?.pem ?? '')).resolves.toBeDefined();
  });

  it('is open to any key with events:read, not without a key', async () => {
    const reader = await createKey({ scopes: ['events:read'] });
    expect((await as(reader.key).get(`${INTEGRITY}/public-key`)).status).toBe(200);
    expect((await call(`${INTEGRITY}/public-key`)).status).toBe(401);
  });
});
