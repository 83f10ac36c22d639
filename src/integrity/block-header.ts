/**
 * What a block signs (docs/integrity.md section 2): the header's canonical text, its hash (the
 * next block's prev_hash) and the digest of the deletion records it carries.
 *
 * Self-contained (only merkle.ts) so the offline verifier (scripts/verify.mjs) loads it directly.
 */
import { sha256, toHex } from './merkle.ts';

export const BLOCK_ENCODING = 'pyaudit-block/1';
export const DELETION_ENCODING = 'pyaudit-deletion/1';
/** prev_hash of block 1. */
export const GENESIS_PREV_HASH = '0'.repeat(64);

/** A block as published (GET /integrity/blocks): hashes in lower-case hex, times as YYYY-MM-DDTHH:MM:SS.ffffffZ. */
export interface BlockHeader {
  seq: number;
  prev_hash: string;
  merkle_root: string;
  event_count: number;
  first_id: string | null;
  last_id: string | null;
  first_time: string | null;
  last_time: string | null;
  /** Commit positions "<writexid>:<id>": the block holds the events after start, up to end inclusive. */
  start_position: string;
  end_position: string;
  deletions_digest: string | null;
  sealed_at: string;
  key_id: string;
}

/** The exact text that is hashed and signed: a JSON array of strings and nulls, in this order. */
export const blockHeaderText = (h: BlockHeader): string =>
  JSON.stringify([
    BLOCK_ENCODING,
    String(h.seq),
    h.prev_hash,
    h.merkle_root,
    String(h.event_count),
    h.first_id,
    h.last_id,
    h.first_time,
    h.last_time,
    h.start_position,
    h.end_position,
    h.deletions_digest,
    h.sealed_at,
    h.key_id,
  ]);

const utf8 = new TextEncoder();

/** SHA-256 of the header text, in hex: block_hash, and the next block's prev_hash. */
export const blockHash = (h: BlockHeader) => toHex(sha256(utf8.encode(blockHeaderText(h))));

/** A deletion record as published: hard deletion of one archive month by retention policy. */
export interface DeletionRecord {
  id: string;
  partition: string;
  range_from: string;
  range_to: string;
  drop_before: string;
  deleted_at: string;
}

export const deletionRecordText = (d: DeletionRecord): string =>
  JSON.stringify([DELETION_ENCODING, d.id, d.partition, d.range_from, d.range_to, d.drop_before, d.deleted_at]);

/** SHA-256 over the records' texts joined by "\n", in id order; null when there are none. */
export function deletionsDigest(records: readonly DeletionRecord[]): string | null {
  if (records.length === 0) return null;
  const sorted = [...records].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  return toHex(sha256(utf8.encode(sorted.map(deletionRecordText).join('\n'))));
}
