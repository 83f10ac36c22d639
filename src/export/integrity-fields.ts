import type { Database } from '../db/client';
import { type EventRow, positionOf } from '../db/queries/events';
import { type ExportIntegrityRow, exportIntegrityFields } from '../db/queries/integrity';

/**
 * NDJSON exports with integrity=true (docs/integrity.md section 4): each event also carries what
 * an offline verifier needs to recompute its hash and place it in a sealed block.
 */
export interface IntegrityFields {
  /** The event's instant in UTC to the microsecond, as the canonical encoding writes it. */
  utc_time: string;
  /** The client-supplied event_id (UUID), which the event object does not show. */
  client_event_id: string | null;
  /** SHA-256 of the canonical encoding, hex. */
  event_hash: string;
  /** Seq of the block that sealed it; null while not sealed yet. */
  block: number | null;
  /** Commit position "<writexid>:<id>": orders a block's leaves and must lie inside the block's range. */
  position: string;
}

export type RowWithIntegrity = EventRow & { integrity?: IntegrityFields };

const toFields = (r: ExportIntegrityRow): IntegrityFields => ({
  utc_time: r.utc_time,
  client_event_id: r.client_event_id,
  event_hash: r.event_hash,
  block: r.block_seq === null ? null : Number(r.block_seq),
  position: r.event_position,
});

/** Adds the integrity fields to every row of every batch, one query per batch. */
export async function* withIntegrityFields(
  db: Database,
  batches: AsyncGenerator<EventRow[]>,
): AsyncGenerator<RowWithIntegrity[]> {
  for await (const rows of batches) {
    const found = new Map((await exportIntegrityFields(db, rows.map(positionOf))).map((r) => [r.id, toFields(r)]));
    // A row is always found: it was just read by its primary key's columns (a row deleted in
    // between exports without the fields, which the offline verifier reports).
    yield rows.map((row) => ({ ...row, integrity: found.get(String(row.id)) }));
  }
}
