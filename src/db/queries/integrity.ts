import { sql } from 'drizzle-orm';
import type { BlockHeader, DeletionRecord } from '../../integrity/block-header';
import { type Database, queryRows } from '../client';
import type { KeysetPosition } from './events';

/**
 * The SQL side of sealing and verification (sql/041_integrity_blocks.sql,
 * sql/functions/integrity.sql). Times cross as YYYY-MM-DDTHH:MM:SS.ffffffZ text and hashes as
 * hex, so both drivers hand back the same strings the block header signs.
 */

const utcText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const utc = (column: string) => sql.raw(utcText(column));

/** A stored block: its header fields, and what was stored as its hash and signature. */
export interface StoredBlock {
  header: BlockHeader;
  blockHash: string;
  signature: string;
}

/** A block as selected by BLOCK_COLUMNS: the published header (seq as text: a bigint), hash and signature. */
interface BlockRow extends Omit<BlockHeader, 'seq'> {
  seq: string;
  block_hash: string;
  signature: string;
}

// seq is selected as text (a bigint): ORDER BY must name integrity_blocks.seq, or it sorts the text.
const BLOCK_COLUMNS =
  sql.raw(`seq::text, encode(prev_hash, 'hex') AS prev_hash, encode(merkle_root, 'hex') AS merkle_root,
  event_count, first_id::text, last_id::text,
  ${utcText('first_time')} AS first_time, ${utcText('last_time')} AS last_time,
  start_writexid::text || ':' || start_id::text AS start_position, end_writexid::text || ':' || end_id::text AS end_position,
  encode(deletions_digest, 'hex') AS deletions_digest, ${utcText('sealed_at')} AS sealed_at, key_id,
  encode(block_hash, 'hex') AS block_hash, encode(signature, 'base64') AS signature`);

const toStoredBlock = (r: BlockRow): StoredBlock => ({
  header: {
    seq: Number(r.seq),
    prev_hash: r.prev_hash,
    merkle_root: r.merkle_root,
    event_count: Number(r.event_count),
    first_id: r.first_id,
    last_id: r.last_id,
    first_time: r.first_time,
    last_time: r.last_time,
    start_position: r.start_position,
    end_position: r.end_position,
    deletions_digest: r.deletions_digest,
    sealed_at: r.sealed_at,
    key_id: r.key_id,
  },
  blockHash: r.block_hash,
  // PostgreSQL's base64 breaks lines every 76 characters.
  signature: r.signature.replace(/\s+/g, ''),
});

export async function lastBlock(db: Database): Promise<StoredBlock | null> {
  const [row] = await queryRows<BlockRow>(
    db,
    sql`SELECT ${BLOCK_COLUMNS} FROM integrity_blocks ORDER BY integrity_blocks.seq DESC LIMIT 1`,
  );
  return row ? toStoredBlock(row) : null;
}

export async function blockBySeq(db: Database, seq: number): Promise<StoredBlock | null> {
  const [row] = await queryRows<BlockRow>(db, sql`SELECT ${BLOCK_COLUMNS} FROM integrity_blocks WHERE seq = ${seq}`);
  return row ? toStoredBlock(row) : null;
}

/** Blocks in seq order: after a seq, at most limit. */
export async function blocksAfter(db: Database, afterSeq: number, limit: number): Promise<StoredBlock[]> {
  const rows = await queryRows<BlockRow>(
    db,
    sql`SELECT ${BLOCK_COLUMNS} FROM integrity_blocks WHERE seq > ${afterSeq} ORDER BY integrity_blocks.seq LIMIT ${limit}`,
  );
  return rows.map(toStoredBlock);
}

/**
 * Blocks whose events' time span meets [from, to] (a block without events counts by its seal
 * time), in seq order, and the block just before the first of them (for the chain link).
 */
export async function blocksInRange(
  db: Database,
  fromIso: string | null,
  toIso: string | null,
): Promise<StoredBlock[]> {
  const rows = await queryRows<BlockRow>(
    db,
    sql`WITH hit AS (
          SELECT seq FROM integrity_blocks
          WHERE (${fromIso}::timestamptz IS NULL OR coalesce(last_time, sealed_at) >= ${fromIso}::timestamptz)
            AND (${toIso}::timestamptz IS NULL OR coalesce(first_time, sealed_at) <= ${toIso}::timestamptz))
        SELECT ${BLOCK_COLUMNS} FROM integrity_blocks
        WHERE seq BETWEEN (SELECT min(seq) - 1 FROM hit) AND (SELECT max(seq) FROM hit)
        ORDER BY integrity_blocks.seq`,
  );
  return rows.map(toStoredBlock);
}

export interface UnsealedEvent {
  id: string;
  writexid: string;
  time: string;
  hash: string;
}

/** The next events to seal after a position (integrity_unsealed: committed for sure, in order). */
export const unsealedEvents = (db: Database, afterXid: string, afterId: string, max: number) =>
  queryRows<UnsealedEvent>(
    db,
    sql`SELECT event_id::text AS id, writexid::text AS writexid, ${utc('event_time')} AS time,
               encode(eventhash, 'hex') AS hash
        FROM integrity_unsealed(${afterXid}::xid8, ${afterId}::bigint, ${max}::integer)`,
  );

const DELETION_COLUMNS = sql.raw(`id::text, partition,
  ${utcText('range_from')} AS range_from, ${utcText('range_to')} AS range_to,
  ${utcText('drop_before')} AS drop_before, ${utcText('deleted_at')} AS deleted_at`);

/** Deletion records no block has signed yet, oldest first. */
export const pendingDeletions = (db: Database) =>
  queryRows<DeletionRecord>(
    db,
    sql`SELECT ${DELETION_COLUMNS} FROM integrity_deletions WHERE sealed_block IS NULL ORDER BY integrity_deletions.id LIMIT 1000`,
  );

/** Every signed deletion record with the block that signed it. */
export const signedDeletions = (db: Database) =>
  queryRows<DeletionRecord & { sealed_block: string }>(
    db,
    sql`SELECT ${DELETION_COLUMNS}, sealed_block::text FROM integrity_deletions
        WHERE sealed_block IS NOT NULL ORDER BY integrity_deletions.id`,
  );

export interface NewBlock {
  header: BlockHeader;
  blockHash: string;
  signatureBase64: string;
  deletionIds: string[];
  events: UnsealedEvent[];
}

const splitPosition = (position: string) => {
  const [xid, id] = position.split(':');
  return { xid: xid ?? '0', id: id ?? '0' };
};

/**
 * One parameter holding a PostgreSQL array literal (drizzle would spread a JS array into one
 * parameter per element). Only for digits, hex and UTC instants: nothing that needs quoting.
 */
const arrayLiteral = (values: readonly string[]) => `{${values.join(',')}}`;

/** Stores a block with its manifest; false when another seal stored this seq first. */
export async function appendBlock(db: Database, block: NewBlock): Promise<boolean> {
  const h = block.header;
  const start = splitPosition(h.start_position);
  const end = splitPosition(h.end_position);
  const [row] = await queryRows<{ stored: boolean }>(
    db,
    sql`SELECT integrity_append_block(
          ${h.seq}::bigint, decode(${h.prev_hash}, 'hex'), decode(${h.merkle_root}, 'hex'), ${h.event_count}::integer,
          ${h.first_id}::bigint, ${h.last_id}::bigint, ${h.first_time}::timestamptz, ${h.last_time}::timestamptz,
          ${start.xid}::xid8, ${start.id}::bigint, ${end.xid}::xid8, ${end.id}::bigint,
          decode(${h.deletions_digest}, 'hex'), ${arrayLiteral(block.deletionIds)}::bigint[], ${h.sealed_at}::timestamptz, ${h.key_id},
          decode(${block.blockHash}, 'hex'), decode(${block.signatureBase64}, 'base64'),
          ${arrayLiteral(block.events.map((e) => e.id))}::bigint[],
          ${arrayLiteral(block.events.map((e) => e.time))}::timestamptz[],
          ${arrayLiteral(block.events.map((e) => e.hash))}::text[]) AS stored`,
  );
  return row?.stored === true;
}

/** A block's manifest in one row: count, the event hashes in leaf order (hex, concatenated), id and time span. */
export interface Manifest {
  count: number;
  hashes: string;
  first_id: string | null;
  last_id: string | null;
  first_time: string | null;
  last_time: string | null;
}

const EMPTY_MANIFEST: Manifest = {
  count: 0,
  hashes: '',
  first_id: null,
  last_id: null,
  first_time: null,
  last_time: null,
};

export async function manifestOf(db: Database, seq: number): Promise<Manifest> {
  const [row] = await queryRows<Manifest>(
    db,
    sql`SELECT count(*)::integer AS count, coalesce(encode(string_agg(eventhash, ''::bytea ORDER BY ord), 'hex'), '') AS hashes,
               min(event_id)::text AS first_id, max(event_id)::text AS last_id,
               ${utc('min(event_time)')} AS first_time, ${utc('max(event_time)')} AS last_time
        FROM integrity_block_events WHERE block_seq = ${seq}`,
  );
  return row ?? EMPTY_MANIFEST;
}

export interface EventFinding {
  event_id: string;
  reason: string;
}

/** What verification reads about one block (integrity_verify_block): manifest, signed deletions, findings. */
export interface BlockReading {
  manifest: Manifest;
  deletions: DeletionRecord[];
  findings: EventFinding[];
}

/**
 * One query per block: its manifest, the deletion records it signed and every row in its
 * position range hashed from its content and checked against the manifest, all in the
 * database (sql/functions/integrity.sql). A block that is gone reads as an empty one.
 */
export async function readBlockForVerify(db: Database, seq: number): Promise<BlockReading> {
  const [row] = await queryRows<Manifest & { deletions: DeletionRecord[]; findings: EventFinding[] }>(
    db,
    sql`SELECT event_count AS count, hashes, first_id, last_id, first_time, last_time, deletions, findings
        FROM integrity_verify_block(${seq}::bigint)`,
  );
  if (!row) return { manifest: EMPTY_MANIFEST, deletions: [], findings: [] };
  const { deletions, findings, ...manifest } = row;
  return { manifest, deletions, findings };
}

export const checkUnsealedEvents = (db: Database, after: string, fromIso: string | null, toIso: string | null) => {
  const { xid, id } = splitPosition(after);
  return queryRows<EventFinding>(
    db,
    sql`SELECT event_id::text, reason FROM integrity_check_unsealed(${xid}::xid8, ${id}::bigint,
          ${fromIso}::timestamptz, ${toIso}::timestamptz)`,
  );
};

/** Where an event was sealed: its block and its leaf index. */
export interface EventPlacement {
  block_seq: string;
  ord: number;
}

export async function placementOf(db: Database, eventId: string): Promise<EventPlacement | null> {
  const [row] = await queryRows<EventPlacement>(
    db,
    sql`SELECT block_seq::text, ord FROM integrity_placement(${eventId}::bigint)`,
  );
  return row ?? null;
}

/** The canonical text of a stored event (what its hash covers), recomputed from the row now. */
export async function canonicalOfEvent(
  db: Database,
  eventId: string,
): Promise<{ canonical: string; companyid: string } | null> {
  const [row] = await queryRows<{ canonical: string; companyid: string }>(
    db,
    sql`SELECT auditevent_canonical(e.id, e.eventtimestamp, f.functionalityname, t.eventtypename, e.storelocationid,
                 e.companyid, e.username, e.message, e.status, e.additionaldata, e.eventid) AS canonical,
               e.companyid::text AS companyid
        FROM integrity_event_rows e
        JOIN auditfunctionalities f ON f.functionalityid = e.functionalityid
        JOIN auditeventtypes t ON t.eventtypeid = e.eventtypeid
        WHERE e.id = ${eventId}::bigint LIMIT 1`,
  );
  return row ?? null;
}

/** What an NDJSON export with integrity=true adds to an event (integrity_export_fields). */
export interface ExportIntegrityRow {
  id: string;
  utc_time: string;
  client_event_id: string | null;
  event_hash: string;
  block_seq: string | null;
  event_position: string;
}

/** The integrity fields of exported rows, found by their primary key (id, event time in microseconds). */
export const exportIntegrityFields = (db: Database, keys: readonly KeysetPosition[]) =>
  queryRows<ExportIntegrityRow>(
    db,
    sql`SELECT id::text, utc_time, client_event_id, event_hash, block_seq::text, event_position
        FROM integrity_export_fields(${arrayLiteral(keys.map((k) => String(k.id)))}::bigint[],
                                     ${arrayLiteral(keys.map((k) => k.micros))}::bigint[])`,
  );
