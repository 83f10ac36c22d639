/**
 * RFC 6962 (section 2.1) Merkle tree hashing over event hashes, with audit paths.
 * leaf = SHA-256(0x00 || eventhash), node = SHA-256(0x01 || left || right); a tree of n > 1
 * leaves splits at the largest power of two below n; the empty tree's root is SHA-256("").
 *
 * Self-contained (only node:crypto and node:buffer, which workerd provides under nodejs_compat) so the offline
 * verifier (scripts/verify.mjs) loads this very file.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

export const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export const leafHash = (eventHash: Uint8Array) => sha256(LEAF, eventHash);
export const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(NODE, left, right);

/** The largest power of two strictly below n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The root over leaf hashes (already hashed with leafHash). Iterative, so large blocks cost no recursion. */
export function rootOfLeaves(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  // Pairing left to right, level by level, and carrying an odd last node up unchanged gives
  // exactly RFC 6962's split-at-power-of-two tree.
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2)
      next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return level[0] as Uint8Array;
}

/** The Merkle tree hash of a list of event hashes. */
export const merkleRoot = (eventHashes: readonly Uint8Array[]) => rootOfLeaves(eventHashes.map(leafHash));

/** RFC 6962 PATH(m, D[n]): sibling hashes from the leaf up, for leaf index m of n leaves. */
export function auditPath(index: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} outside a tree of ${leaves.length}`);
  const path: Uint8Array[] = [];
  const walk = (m: number, lo: number, hi: number) => {
    const n = hi - lo;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(rootOfLeaves(leaves.slice(lo + k, hi)));
    } else {
      walk(m - k, lo + k, hi);
      path.push(rootOfLeaves(leaves.slice(lo, lo + k)));
    }
  };
  walk(index, 0, leaves.length);
  return path;
}

/**
 * The root an audit path leads to (RFC 9162 section 2.1.3.2), or null when the path does not
 * fit a tree of that size. Compare the result with the signed root.
 */
export function rootFromAuditPath(
  index: number,
  treeSize: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
): Uint8Array | null {
  if (index < 0 || index >= treeSize) return null;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export const toHex = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('not hex');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
