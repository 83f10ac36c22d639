/**
 * The seal step (docs/integrity.md section 2): events not yet sealed, in commit-position order,
 * become signed blocks chained to the previous one. Run by the every-minute cron and by
 * POST /admin/integrity/seal.
 *
 * No lock is taken on the event tables: the events come from a plain SELECT below the commit
 * horizon, and a block is stored with the next seq or not at all (the primary key decides
 * between two concurrent seals; the loser stops and its events go into the winner's blocks).
 */
import type { Database } from '../db/client';
import { appendBlock, lastBlock, pendingDeletions, type UnsealedEvent, unsealedEvents } from '../db/queries/integrity';
import { type BlockHeader, blockHash, blockHeaderText, deletionsDigest, GENESIS_PREV_HASH } from './block-header';
import { utcInstantOfMs } from './canonical';
import { fromHex, merkleRootOfConcatenated, toHex } from './merkle';
import { bytesToBase64, type SigningKey, signText } from './signing';

/** Where the first block starts: before every position (rows without writexid count as 0). */
export const ORIGIN_POSITION = '0:0';

export interface SealOptions {
  maxEventsPerBlock: number;
  /** Stop starting new blocks after this long (the cron runs again in a minute). */
  budgetMs?: number;
  /** Most blocks one run makes. */
  maxBlocks?: number;
}

export interface SealOutcome {
  /** sealed: made at least one block; nothing: nothing was waiting; raced: another seal stored the next block first. */
  status: 'sealed' | 'nothing' | 'raced';
  blocks: BlockHeader[];
  events: number;
  /** More events were waiting when the run stopped (budget or block limit). */
  more: boolean;
}

const positionOf = (e: UnsealedEvent) => `${e.writexid}:${e.id}`;

const byBigInt = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/** Builds, signs and stores the next block; null when there is nothing to seal. */
async function sealNext(
  db: Database,
  key: SigningKey,
  maxEvents: number,
): Promise<{ header: BlockHeader; stored: boolean; full: boolean } | null> {
  const previous = await lastBlock(db);
  const start = previous?.header.end_position ?? ORIGIN_POSITION;
  const [startXid = '0', startId = '0'] = start.split(':');
  const events = await unsealedEvents(db, startXid, startId, maxEvents);
  const deletions = await pendingDeletions(db);
  if (events.length === 0 && deletions.length === 0) return null;

  const ids = events.map((e) => e.id).sort(byBigInt);
  const times = events.map((e) => e.time).sort(); // fixed-width UTC text sorts chronologically
  const last = events[events.length - 1];
  const header: BlockHeader = {
    seq: (previous?.header.seq ?? 0) + 1,
    // The previous block's hash as recomputed from its header, not as stored: sealing after an
    // edit of the previous block does not launder the edit into the chain.
    prev_hash: previous ? blockHash(previous.header) : GENESIS_PREV_HASH,
    merkle_root: toHex(merkleRootOfConcatenated(fromHex(events.map((e) => e.hash).join('')))),
    event_count: events.length,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
    first_time: times[0] ?? null,
    last_time: times[times.length - 1] ?? null,
    start_position: start,
    end_position: last ? positionOf(last) : start,
    deletions_digest: deletionsDigest(deletions),
    sealed_at: utcInstantOfMs(Date.now()),
    key_id: key.keyId,
  };
  const signature = await signText(key, blockHeaderText(header));
  const stored = await appendBlock(db, {
    header,
    blockHash: blockHash(header),
    signatureBase64: bytesToBase64(signature),
    deletionIds: deletions.map((d) => d.id),
    events,
  });
  return { header, stored, full: events.length === maxEvents };
}

/** Seals everything waiting, block after block, within the budget. */
export async function seal(db: Database, key: SigningKey, options: SealOptions): Promise<SealOutcome> {
  const started = Date.now();
  const budgetMs = options.budgetMs ?? 20_000;
  const maxBlocks = options.maxBlocks ?? 1_000;
  const blocks: BlockHeader[] = [];
  let events = 0;
  for (;;) {
    const next = await sealNext(db, key, options.maxEventsPerBlock);
    if (!next) return { status: blocks.length > 0 ? 'sealed' : 'nothing', blocks, events, more: false };
    if (!next.stored) return { status: 'raced', blocks, events, more: true };
    blocks.push(next.header);
    events += next.header.event_count;
    // A block short of the limit took everything below the horizon: nothing is waiting (but a
    // block of rows from before writexid existed is followed by the rows that have one).
    if (!next.full && !next.header.end_position.startsWith('0:'))
      return { status: 'sealed', blocks, events, more: false };
    if (blocks.length >= maxBlocks || Date.now() - started >= budgetMs) {
      return { status: 'sealed', blocks, events, more: true };
    }
  }
}
