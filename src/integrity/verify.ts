/**
 * Verification (docs/integrity.md section 3): recompute, for every block whose events meet the
 * date range, the header hash, the signature (against configured keys only), the link to the
 * previous block, the Merkle root of its manifest, its deletion records, and every event in its
 * range against the manifest; then check the hashes of events not sealed yet.
 */
import type { Database } from '../db/client';
import {
  type BlockReading,
  blocksInRange,
  checkUnsealedEvents,
  lastBlock,
  readBlockForVerify,
  type StoredBlock,
} from '../db/queries/integrity';
import { blockHash, blockHeaderText, deletionsDigest, GENESIS_PREV_HASH } from './block-header';
import { fromHex, merkleRootOfConcatenated, toHex } from './merkle';
import { ORIGIN_POSITION } from './seal';
import { type PublicKeyInfo, verifyText } from './signing';

export interface Failure {
  block: number | null;
  event_id: number | string | null;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  blocks: number;
  events: number;
  deleted_by_policy: number;
  failures: Failure[];
  failures_truncated: boolean;
}

export const MAX_FAILURES = 1_000;

/** Times in range are compared as text: both sides are YYYY-MM-DDTHH:MM:SS.ffffffZ. */
/** Event ids as JSON numbers when exact (they always are below 2^53), text otherwise. */
const idOut = (id: string | null) => {
  if (id === null) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : id;
};

/** The root of a manifest's hashes (hex, end to end); null when they are not whole 32-byte hashes (edited). */
function rootOfManifest(hex: string): string | null {
  const bytes = fromHex(hex);
  return bytes.length % 32 === 0 ? toHex(merkleRootOfConcatenated(bytes)) : null;
}

export async function verifyTrail(
  db: Database,
  keys: Map<string, PublicKeyInfo>,
  range: { fromIso: string | null; toIso: string | null },
  /**
   * Connections the blocks' checks are spread over, round robin, one block in flight on each:
   * hashing every row is the database's work, and a second connection puts a second core on it.
   */
  readers: readonly Database[] = [db],
): Promise<VerifyReport> {
  const failures: Failure[] = [];
  const fail = (block: number | null, eventId: string | null, reason: string) => {
    failures.push({ block, event_id: idOut(eventId), reason });
  };
  const stored = await blocksInRange(db, range.fromIso, range.toIso);
  const bySeq = new Map<number, StoredBlock>(stored.map((b) => [b.header.seq, b]));
  // blocksInRange adds the block before the first hit, for its chain link only.
  const inRange = stored.filter((b) => isHit(b, range));
  let events = 0;
  let deletedByPolicy = 0;

  // Each block's query (integrity_verify_block: manifest, deletion records, every row checked)
  // is sent before the blocks ahead of it are checked here, so the database works on the next
  // blocks while the Worker checks this one (docs/benchmark.md). A block's query starts when its
  // connection has answered the one before.
  const inFlight: Promise<BlockReading>[] = [];
  const idle: Promise<unknown>[] = readers.map(() => Promise.resolve());
  const send = (index: number) => {
    const block = inRange[index];
    if (!block) return;
    const slot = index % readers.length;
    const reader = readers[slot] ?? db;
    // One block at a time per connection: node-postgres deprecates a query sent while another runs.
    const read = (idle[slot] as Promise<unknown>).then(() => readBlockForVerify(reader, block.header.seq));
    // Awaited in its turn; a failure meanwhile must not count as unhandled.
    idle[slot] = read.catch(() => {});
    inFlight.push(read);
  };
  for (let i = 0; i < readers.length; i++) send(i);
  for (const [index, block] of inRange.entries()) {
    const read = inFlight.shift() as Promise<BlockReading>;
    send(index + readers.length);
    const { manifest, deletions, findings } = await read;
    const h = block.header;
    const text = blockHeaderText(h);
    const recomputed = blockHash(h);
    if (recomputed !== block.blockHash) fail(h.seq, null, 'block_hash_mismatch');
    const key = keys.get(h.key_id);
    if (!key) fail(h.seq, null, 'unknown_key');
    else if (!(await verifyText(key, text, base64Bytes(block.signature)))) fail(h.seq, null, 'bad_signature');

    if (h.seq === 1) {
      if (h.prev_hash !== GENESIS_PREV_HASH) fail(h.seq, null, 'chain_broken');
      if (h.start_position !== ORIGIN_POSITION) fail(h.seq, null, 'range_gap');
    } else {
      const previous = bySeq.get(h.seq - 1);
      if (!previous) fail(h.seq - 1, null, 'block_missing');
      else {
        if (h.prev_hash !== blockHash(previous.header)) fail(h.seq, null, 'chain_broken');
        if (h.start_position !== previous.header.end_position) fail(h.seq, null, 'range_gap');
      }
    }

    if (rootOfManifest(manifest.hashes) !== h.merkle_root) fail(h.seq, null, 'root_mismatch');
    if (manifest.count !== h.event_count) fail(h.seq, null, 'count_mismatch');
    if (
      manifest.first_id !== h.first_id ||
      manifest.last_id !== h.last_id ||
      manifest.first_time !== h.first_time ||
      manifest.last_time !== h.last_time
    ) {
      fail(h.seq, null, 'span_mismatch');
    }
    if (deletionsDigest(deletions) !== h.deletions_digest) fail(h.seq, null, 'deletions_mismatch');

    for (const finding of findings) {
      if (finding.reason === 'deleted_by_policy') deletedByPolicy++;
      else fail(h.seq, finding.event_id, finding.reason);
    }
    events += h.event_count;
  }

  // A block missing inside the range was reported by its successor's link check. Events after
  // the last block are not sealed yet, but their stored hashes must match their content.
  const last = await lastBlock(db);
  const tail = await checkUnsealedEvents(db, last?.header.end_position ?? ORIGIN_POSITION, range.fromIso, range.toIso);
  for (const finding of tail) fail(null, finding.event_id, finding.reason);

  return {
    ok: failures.length === 0,
    blocks: inRange.length,
    events,
    deleted_by_policy: deletedByPolicy,
    failures: failures.slice(0, MAX_FAILURES),
    failures_truncated: failures.length > MAX_FAILURES,
  };
}

function isHit(block: StoredBlock, range: { fromIso: string | null; toIso: string | null }): boolean {
  const h = block.header;
  const last = h.last_time ?? h.sealed_at;
  const first = h.first_time ?? h.sealed_at;
  return (range.fromIso === null || last >= range.fromIso) && (range.toIso === null || first <= range.toIso);
}

const base64Bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
