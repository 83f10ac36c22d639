/**
 * Ed25519 keys for block signatures, with Web Crypto (workerd and Node both have it).
 *
 * INTEGRITY_SIGNING_KEY (a secret) is the private key as PKCS#8: PEM, or the DER in base64
 * (what `npm run integrity:key` prints), or a JWK ({"kty":"OKP","crv":"Ed25519","d":..,"x":..}).
 * The key id is the first 16 hex digits of SHA-256(raw 32-byte public key), stored in every
 * block so keys can rotate: INTEGRITY_PUBLIC_KEYS lists earlier public keys (comma-separated,
 * raw 32 bytes or SPKI DER in base64, or SPKI PEM) that verification still accepts.
 * Self-contained (merkle.ts only) so the offline verifier can use it too.
 */
import { sha256, toHex } from './merkle.ts';

const ED25519 = { name: 'Ed25519' } as const;
/** SPKI DER of an Ed25519 public key is this prefix and the 32 raw bytes. */
const SPKI_PREFIX = new Uint8Array([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

export interface SigningKey {
  keyId: string;
  privateKey: CryptoKey;
  publicKey: PublicKeyInfo;
}

export interface PublicKeyInfo {
  keyId: string;
  raw: Uint8Array;
  key: CryptoKey;
}

const base64ToBytes = (b64: string) => Uint8Array.from(atob(b64.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
export const bytesToBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const base64UrlToBytes = (b64u: string) => {
  const b64 = b64u.replace(/-/g, '+').replace(/_/g, '/');
  return base64ToBytes(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
};

const pemBody = (text: string) => text.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').trim();

export const keyIdOf = (raw: Uint8Array) => toHex(sha256(raw)).slice(0, 16);

export class IntegrityKeyError extends Error {}

export async function publicKeyFromRaw(raw: Uint8Array): Promise<PublicKeyInfo> {
  if (raw.length !== 32) throw new IntegrityKeyError('an Ed25519 public key has 32 bytes');
  const key = await crypto.subtle.importKey('raw', raw, ED25519, true, ['verify']);
  return { keyId: keyIdOf(raw), raw, key };
}

/** A public key as raw base64, SPKI base64 or SPKI PEM. */
export async function parsePublicKey(text: string): Promise<PublicKeyInfo> {
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(pemBody(text));
  } catch {
    throw new IntegrityKeyError('public key is not base64 or PEM');
  }
  if (bytes.length === 44 && SPKI_PREFIX.every((b, i) => bytes[i] === b)) bytes = bytes.slice(12);
  return publicKeyFromRaw(bytes);
}

export async function parseSigningKey(secret: string): Promise<SigningKey> {
  const text = secret.trim();
  let privateKey: CryptoKey;
  try {
    if (text.startsWith('{')) {
      privateKey = await crypto.subtle.importKey('jwk', JSON.parse(text), ED25519, true, ['sign']);
    } else {
      privateKey = await crypto.subtle.importKey('pkcs8', base64ToBytes(pemBody(text)), ED25519, true, ['sign']);
    }
  } catch (error) {
    throw new IntegrityKeyError(`INTEGRITY_SIGNING_KEY is not an Ed25519 private key: ${String(error)}`);
  }
  const jwk = (await crypto.subtle.exportKey('jwk', privateKey)) as JsonWebKey;
  if (!jwk.x) throw new IntegrityKeyError('INTEGRITY_SIGNING_KEY: no public part');
  const publicKey = await publicKeyFromRaw(base64UrlToBytes(jwk.x));
  return { keyId: publicKey.keyId, privateKey, publicKey };
}

export const spkiPem = (raw: Uint8Array) => {
  const der = new Uint8Array(SPKI_PREFIX.length + raw.length);
  der.set(SPKI_PREFIX);
  der.set(raw, SPKI_PREFIX.length);
  return `-----BEGIN PUBLIC KEY-----\n${bytesToBase64(der)}\n-----END PUBLIC KEY-----\n`;
};

const utf8 = new TextEncoder();

export async function signText(key: SigningKey, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(ED25519, key.privateKey, utf8.encode(text)));
}

export async function verifyText(key: PublicKeyInfo, text: string, signature: Uint8Array): Promise<boolean> {
  try {
    return await crypto.subtle.verify(ED25519, key.key, signature, utf8.encode(text));
  } catch {
    return false;
  }
}
