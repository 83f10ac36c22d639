import { describe, expect, it } from 'vitest';
import { blockHash, blockHeaderText, GENESIS_PREV_HASH } from '../../src/integrity/block-header';
import {
  auditPath,
  fromHex,
  leafHash,
  merkleRoot,
  nodeHash,
  rootFromAuditPath,
  sha256,
  toHex,
} from '../../src/integrity/merkle';
import { hashPrefixed } from '../../src/integrity/merkle-sha256';
import { parsePublicKey, parseSigningKey, signText, spkiPem, verifyText } from '../../src/integrity/signing';
import { TEST_INTEGRITY_SIGNING_KEY } from '../helpers/integrity-key';

/** RFC 6962 section 2.1 exactly as written: MTH({}) = SHA-256(), split at the largest power of two below n. */
function referenceRoot(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return sha256();
  if (hashes.length === 1) return leafHash(hashes[0] as Uint8Array);
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

const eventHashes = (n: number) => Array.from({ length: n }, (_, i) => sha256(new TextEncoder().encode(`event ${i}`)));

describe('RFC 6962 Merkle hashing (issue 14.2)', () => {
  it('the root equals the recursive definition for every size up to 70', () => {
    for (let n = 0; n <= 70; n++)
      expect(toHex(merkleRoot(eventHashes(n))), `n=${n}`).toBe(toHex(referenceRoot(eventHashes(n))));
  });

  it('the allocation-free SHA-256 of leaves and nodes equals node:crypto, also in place', () => {
    for (let round = 0; round < 200; round++) {
      const bytes = crypto.getRandomValues(new Uint8Array(64));
      const prefix = round % 2;
      const length = round % 3 === 0 ? 32 : 64;
      const out = new Uint8Array(40);
      hashPrefixed(prefix, bytes, 0, length, out, 8);
      expect(toHex(out.subarray(8))).toBe(toHex(sha256(new Uint8Array([prefix]), bytes.subarray(0, length))));
      // Written over its own input, as a tree level is computed.
      const expected = toHex(sha256(new Uint8Array([prefix]), bytes.subarray(0, length)));
      hashPrefixed(prefix, bytes, 0, length, bytes, 0);
      expect(toHex(bytes.subarray(0, 32))).toBe(expected);
    }
  });

  it('a node hash equals node:crypto for every value of its last byte (the precomputed second block)', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(64));
    for (let last = 0; last < 256; last++) {
      bytes[63] = last;
      const out = new Uint8Array(32);
      hashPrefixed(1, bytes, 0, 64, out, 0);
      expect(toHex(out), `last byte ${last}`).toBe(toHex(sha256(new Uint8Array([1]), bytes)));
    }
  });

  it('known answers: the empty tree and one leaf', () => {
    expect(toHex(merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const one = fromHex('00'.repeat(32));
    // SHA-256(0x00 || 32 zero bytes)
    expect(toHex(merkleRoot([one]))).toBe(toHex(sha256(new Uint8Array(33))));
  });

  it('every audit path leads to the root, and a wrong index, size or leaf does not', () => {
    for (let n = 1; n <= 33; n++) {
      const leaves = eventHashes(n).map(leafHash);
      const root = toHex(merkleRoot(eventHashes(n)));
      for (let i = 0; i < n; i++) {
        const path = auditPath(i, leaves);
        expect(toHex(rootFromAuditPath(i, n, leaves[i] as Uint8Array, path) ?? new Uint8Array())).toBe(root);
        if (n > 1) {
          const other = (i + 1) % n;
          expect(toHex(rootFromAuditPath(i, n, leaves[other] as Uint8Array, path) ?? new Uint8Array())).not.toBe(root);
          const moved = rootFromAuditPath(other, n, leaves[i] as Uint8Array, path);
          expect(moved === null || toHex(moved) !== root || leaves[i] === leaves[other]).toBe(true);
        }
      }
    }
  });
});

describe('block signatures', () => {
  const header = {
    seq: 1,
    prev_hash: GENESIS_PREV_HASH,
    merkle_root: toHex(merkleRoot(eventHashes(3))),
    event_count: 3,
    first_id: '1',
    last_id: '3',
    first_time: '2026-11-20T16:00:00.123000Z',
    last_time: '2026-11-20T16:00:01.000000Z',
    start_position: '0:0',
    end_position: '1234:3',
    deletions_digest: null,
    sealed_at: '2026-11-20T16:01:00.000000Z',
    key_id: 'x',
  };

  it('the header text is a fixed JSON array; the hash is its SHA-256', () => {
    expect(blockHeaderText(header)).toBe(
      `["pyaudit-block/1","1","${GENESIS_PREV_HASH}","${header.merkle_root}","3","1","3","2026-11-20T16:00:00.123000Z","2026-11-20T16:00:01.000000Z","0:0","1234:3",null,"2026-11-20T16:01:00.000000Z","x"]`,
    );
    expect(blockHash(header)).toBe(toHex(sha256(new TextEncoder().encode(blockHeaderText(header)))));
  });

  it('signs with the PKCS#8 key and verifies with its published PEM; another key does not verify', async () => {
    const key = await parseSigningKey(TEST_INTEGRITY_SIGNING_KEY);
    expect(key.keyId).toMatch(/^[0-9a-f]{16}$/);
    const text = blockHeaderText({ ...header, key_id: key.keyId });
    const signature = await signText(key, text);
    const published = await parsePublicKey(spkiPem(key.publicKey.raw));
    expect(published.keyId).toBe(key.keyId);
    expect(await verifyText(published, text, signature)).toBe(true);
    expect(await verifyText(published, `${text} `, signature)).toBe(false);
    const other = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    const otherRaw = new Uint8Array(
      (await crypto.subtle.exportKey('raw', (other as CryptoKeyPair).publicKey)) as ArrayBuffer,
    );
    expect(await verifyText(await parsePublicKey(btoa(String.fromCharCode(...otherRaw))), text, signature)).toBe(false);
  });
});
