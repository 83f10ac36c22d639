/**
 * SHA-256 of exactly the two message shapes an RFC 6962 tree hashes: one prefix byte followed by
 * 32 bytes (a leaf: 0x00 || event hash) or 64 bytes (a node: 0x01 || left || right), read from
 * and written into flat byte arrays without allocating.
 *
 * Why not node:crypto: a tree of a 10,000-event block is 20,000 hashes of 33 or 65 bytes, and
 * createHash() costs a native object per call; this synchronous FIPS 180-4 implementation over
 * fixed-size input was 2-3x faster per hash in Node (docs/benchmark.md), and Web Crypto's digest
 * is asynchronous per call. Checked against node:crypto in test/routes/integrity/merkle.test.ts.
 * Self-contained (no imports) so the offline verifier loads it too.
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** The padded message (at most two 64-byte blocks), the schedule and the state, reused by every call. */
const message = new Uint8Array(128);
const W = new Uint32Array(64);
const H = new Uint32Array(8);

function compress(offset: number): void {
  for (let i = 0; i < 16; i++) {
    const p = offset + i * 4;
    W[i] =
      ((message[p] as number) << 24) |
      ((message[p + 1] as number) << 16) |
      ((message[p + 2] as number) << 8) |
      (message[p + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15] as number;
    const y = W[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = H[0] as number;
  let b = H[1] as number;
  let c = H[2] as number;
  let d = H[3] as number;
  let e = H[4] as number;
  let f = H[5] as number;
  let g = H[6] as number;
  let h = H[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (W[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0] as number) + a;
  H[1] = (H[1] as number) + b;
  H[2] = (H[2] as number) + c;
  H[3] = (H[3] as number) + d;
  H[4] = (H[4] as number) + e;
  H[5] = (H[5] as number) + f;
  H[6] = (H[6] as number) + g;
  H[7] = (H[7] as number) + h;
}

/**
 * dst[dstOffset .. +32] = SHA-256(prefix || src[srcOffset .. +length]), length 32 or 64. The
 * input is copied first, so dst may overlap src (a tree level computed in place).
 */
export function hashPrefixed(
  prefix: number,
  src: Uint8Array,
  srcOffset: number,
  length: 32 | 64,
  dst: Uint8Array,
  dstOffset: number,
): void {
  const total = 1 + length;
  const blocks = total + 9 <= 64 ? 1 : 2;
  message.fill(0, 0, blocks * 64);
  message[0] = prefix;
  message.set(src.subarray(srcOffset, srcOffset + length), 1);
  message[total] = 0x80;
  // Big-endian bit length in the last 8 bytes (the high 4 are zero for these sizes).
  const bits = total * 8;
  const end = blocks * 64;
  message[end - 2] = bits >>> 8;
  message[end - 1] = bits & 0xff;
  H.set(IV);
  compress(0);
  if (blocks === 2) compress(64);
  for (let i = 0; i < 8; i++) {
    const v = H[i] as number;
    const p = dstOffset + i * 4;
    dst[p] = v >>> 24;
    dst[p + 1] = (v >>> 16) & 0xff;
    dst[p + 2] = (v >>> 8) & 0xff;
    dst[p + 3] = v & 0xff;
  }
}
