import { and, asc, type SQL, sql } from 'drizzle-orm';
import type { Position } from '../../../live/position';
import { type Database, queryRows } from '../../client';
import { auditEvents } from '../../schema';
import { UNCACHEABLE } from '../admin-keys';
import { conditions, type EventFilter, type EventRow, selectEnrichedWith } from './read';

/** An event row with its live-tail position and the commit horizon of the snapshot that read it. */
export interface PositionedRow extends EventRow {
  writexid: string;
  horizon: string;
}

const src = auditEvents;
// writexid is not in the drizzle schema (sql/034 added it for followers only): named here.
const writexid = sql.raw('auditevents.writexid');
const after = (p: Position) => sql`(${writexid}, ${src.id}) > (${p.xid.toString()}::xid8, ${p.id.toString()}::bigint)`;
const atMost = (p: Position) =>
  sql`(${writexid}, ${src.id}) <= (${p.xid.toString()}::xid8, ${p.id.toString()}::bigint)`;

const horizon = sql`auditevents_commit_horizon()`;

function positionedQuery(db: Database, where: SQL[], limit: number) {
  return selectEnrichedWith(db, src, {
    writexid: sql<string>`${writexid}::text`.as('writexid'),
    // The horizon of this statement's snapshot: rows below it are committed and visible here.
    horizon: sql<string>`${horizon}::text`.as('horizon'),
  })
    .where(and(...where))
    .orderBy(asc(writexid), asc(src.id))
    .limit(limit);
}

function positioned(db: Database, where: SQL[], limit: number) {
  return positionedQuery(db, where, limit) as unknown as Promise<PositionedRow[]>;
}

/**
 * The fan-out's one read per tick, for every stream at once: the next events after `from` in
 * (writexid, id) order that are below the horizon (deliverable), then the first one at or past
 * it, if any: it says that committed rows wait for an older open transaction (the caller polls
 * again soon). Bounded: while a long transaction holds the horizon, each re-poll reads what it
 * can deliver and one waiting row, not the next `limit` waiting rows (sql/046 lets the
 * horizon end the index scan). The waiting row comes last (UNION ALL keeps its parts' order).
 */
export function eventsAfter(db: Database, from: Position, limit: number): Promise<PositionedRow[]> {
  const deliverable = positionedQuery(db, [after(from), sql`${writexid} < ${horizon}`], limit);
  const firstWaiting = positionedQuery(db, [after(from), sql`${writexid} >= ${horizon}`], 1);
  return deliverable.unionAll(firstWaiting) as unknown as Promise<PositionedRow[]>;
}

/**
 * Catch-up for one resuming stream: its matching events after `from` up to and including `to`
 * (a position the fan-out has passed, so every row up to it is committed).
 */
export function matchingEventsBetween(
  db: Database,
  filter: EventFilter,
  from: Position,
  to: Position,
  limit: number,
): Promise<PositionedRow[]> {
  return positioned(db, [after(from), atMost(to), ...conditions(src, filter)], limit);
}

export async function commitHorizon(db: Database): Promise<bigint> {
  const [row] = await queryRows<{ h: string }>(db, sql`SELECT auditevents_commit_horizon()::text AS h`);
  return BigInt(row?.h ?? '0');
}

/**
 * Of these key ids, the ones that are revoked or gone: one query for every open stream. Never
 * served from Hyperdrive's query cache (UNCACHEABLE), or a revoked key's stream would run on.
 */
export async function unusableKeyIds(db: Database, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT k.id, ${UNCACHEABLE} FROM unnest(${sql.param(ids)}::bigint[]) AS k(id)
        WHERE NOT EXISTS (SELECT 1 FROM api_keys a WHERE a.id = k.id AND a.revoked_at IS NULL)`,
  );
  return rows.map((r) => Number(r.id));
}
