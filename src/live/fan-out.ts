import type { PositionedRow } from '../db/queries/events';
import { toEventObject } from '../lib/event-object';
import { comparePositions, formatPosition, type Position } from './position';
import { auditFrame } from './sse';
import { matchesFilter, type StreamFilter } from './subscription';

/** What the fan-out needs of an open stream. */
export interface FanOutTarget {
  filter: StreamFilter;
  /** The last position the stream has passed. */
  pos: Position | null;
  /** false while catching up from the database: the fan-out leaves it alone. */
  live: boolean;
}

export interface Routed<T> {
  /** Each stream's frames of this tick, in position order (written as one chunk). */
  frames: Map<T, Uint8Array[]>;
  /** The last row delivered (below the horizon); unchanged when none was. */
  cursor: Position;
  /** A row waits for the commit horizon: poll again soon. */
  lagging: boolean;
}

/**
 * One tick's rows to the streams whose filter they match. The object's CPU per tick grows with
 * rows x candidate streams, so an event is only looked at by the streams that could want it:
 * streams watching one company (support staff watching a store's company, the common case) are
 * indexed by it, the rest see every row. The event object and its frame are built once, only if
 * some candidate is there. Positions: a stream at or behind the tick's start gets every row of
 * the tick; one ahead of it (it resumed after a position the object had not reached) skips rows
 * up to its own. Every live stream ends the tick at the new cursor.
 */
export function routeRows<T extends FanOutTarget>(
  rows: PositionedRow[],
  streams: Iterable<T>,
  start: Position,
): Routed<T> {
  const byCompany = new Map<number, T[]>();
  const everyRow: T[] = [];
  const live: T[] = [];
  for (const s of streams) {
    if (!s.live || !s.pos) continue;
    live.push(s);
    if (comparePositions(s.pos, start) > 0)
      everyRow.push(s); // ahead: checked row by row
    else if (s.filter.companyId !== undefined) {
      const list = byCompany.get(s.filter.companyId);
      if (list) list.push(s);
      else byCompany.set(s.filter.companyId, [s]);
    } else everyRow.push(s);
  }
  const frames = new Map<T, Uint8Array[]>();
  let cursor = start;
  let lagging = false;
  for (const row of rows) {
    const pos: Position = { xid: BigInt(row.writexid), id: BigInt(row.id) };
    // In (writexid, id) order, the first row at or past the horizon is followed only by such rows.
    if (pos.xid >= BigInt(row.horizon)) {
      lagging = true;
      break;
    }
    if (comparePositions(pos, cursor) <= 0) continue;
    cursor = pos;
    const ofCompany = byCompany.get(row.companyId);
    if (!ofCompany && everyRow.length === 0) continue;
    const event = toEventObject(row);
    let frame: Uint8Array | undefined;
    const deliver = (s: T) => {
      if (!matchesFilter(event, s.filter)) return;
      frame ??= auditFrame(formatPosition(pos), JSON.stringify(event));
      const list = frames.get(s);
      if (list) list.push(frame);
      else frames.set(s, [frame]);
    };
    if (ofCompany) for (const s of ofCompany) deliver(s);
    for (const s of everyRow) if (comparePositions(pos, s.pos as Position) > 0) deliver(s);
  }
  for (const s of live) if (comparePositions(s.pos as Position, cursor) < 0) s.pos = cursor;
  return { frames, cursor, lagging };
}
