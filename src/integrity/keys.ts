import type { Config } from '../env';
import { HttpError } from '../lib/errors';
import { type PublicKeyInfo, parsePublicKey, parseSigningKey, type SigningKey } from './signing';

/**
 * The keys of this deployment, parsed once per isolate: the signing key (INTEGRITY_SIGNING_KEY)
 * and every public key verification trusts (the signing key's own and INTEGRITY_PUBLIC_KEYS).
 * Trust comes from the configuration only, never from the database, so a re-signed chain is
 * caught however the database was edited.
 */
export interface IntegrityKeys {
  signing: SigningKey | null;
  trusted: Map<string, PublicKeyInfo>;
}

// Outlives requests: parsed keys per configuration text (the secret changes only on deploy).
const cache = new Map<string, Promise<IntegrityKeys>>();

async function parseKeys(signingText: string, publicText: string): Promise<IntegrityKeys> {
  const signing = signingText.trim() === '' ? null : await parseSigningKey(signingText);
  const trusted = new Map<string, PublicKeyInfo>();
  if (signing) trusted.set(signing.keyId, signing.publicKey);
  for (const text of publicText.split(',').map((t) => t.trim())) {
    if (text === '') continue;
    const key = await parsePublicKey(text);
    trusted.set(key.keyId, key);
  }
  return { signing, trusted };
}

export function integrityKeys(config: Config): Promise<IntegrityKeys> {
  const signingText = config.INTEGRITY_SIGNING_KEY ?? '';
  const id = `${signingText}\n${config.INTEGRITY_PUBLIC_KEYS}`;
  let keys = cache.get(id);
  if (!keys) {
    keys = parseKeys(signingText, config.INTEGRITY_PUBLIC_KEYS);
    // A bad key must not stay cached as a rejected promise forever (a later deploy fixes it).
    keys.catch(() => cache.delete(id));
    cache.set(id, keys);
  }
  return keys;
}

/** 503 when this deployment has no signing key. */
export async function requireSigningKey(config: Config): Promise<SigningKey> {
  const { signing } = await integrityKeys(config);
  if (!signing) throw new HttpError(503, 'Integrity sealing is not configured: set the INTEGRITY_SIGNING_KEY secret');
  return signing;
}
