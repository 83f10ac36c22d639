/**
 * A live-tail position: `<writexid>-<id>` of the last event a stream delivered (sql/034). Events
 * are delivered in (writexid, id) order, and only below the commit horizon, so a client that
 * resumes after a position gets every later event once, whatever order the commits came in.
 * writexid is an xid8 (up to 2^64), so both parts are kept as bigint.
 */
export interface Position {
  xid: bigint;
  id: bigint;
}

const POSITION_RE = /^(\d{1,20})-(\d{1,19})$/;
const MAX_U64 = (1n << 64n) - 1n;
const MAX_I64 = (1n << 63n) - 1n;

export function parsePosition(text: string): Position | null {
  const match = POSITION_RE.exec(text.trim());
  if (!match?.[1] || !match[2]) return null;
  const xid = BigInt(match[1]);
  const id = BigInt(match[2]);
  if (xid > MAX_U64 || id > MAX_I64) return null;
  return { xid, id };
}

export const formatPosition = (p: Position) => `${p.xid}-${p.id}`;

export function comparePositions(a: Position, b: Position): number {
  if (a.xid !== b.xid) return a.xid < b.xid ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/** The position before every event whose writing transaction is `horizon` or later. */
export const positionAtHorizon = (horizon: bigint): Position => ({ xid: horizon, id: 0n });
