import { describe, expect, it } from 'vitest';
import type { PositionedRow } from '../../src/db/queries/events';
import { type FanOutTarget, routeRows } from '../../src/live/fan-out';
import { formatPosition, type Position } from '../../src/live/position';
import type { StreamFilter } from '../../src/live/subscription';

const HORIZON = 1000n;
const at = (xid: number, id: number): Position => ({ xid: BigInt(xid), id: BigInt(id) });

function row(xid: number, id: number, companyId: number, extra: Partial<PositionedRow> = {}): PositionedRow {
  return {
    id,
    eventTimestamp: '2026-12-02 12:00:00+00',
    functionality: 'Authenticate',
    eventType: 'Login',
    storeLocationId: 101,
    storeName: 'Store 101',
    companyId,
    companyName: `Company ${companyId}`,
    username: 'jdoe',
    message: 'User logged in',
    status: 'Success',
    additionalData: null,
    writexid: String(xid),
    horizon: String(HORIZON),
    ...extra,
  } as PositionedRow;
}

function stream(filter: Partial<StreamFilter>, pos: Position | null = at(10, 0), live = true) {
  return { filter: { companies: null, ...filter }, pos, live } satisfies FanOutTarget;
}

/** Each stream's delivered frames as their `id:` lines. */
const idsOf = (frames: Uint8Array[] | undefined) =>
  (frames ?? []).map((f) => /^id: (\S+)/.exec(new TextDecoder().decode(f))?.[1]);

describe('routeRows: one tick of the fan-out', () => {
  it('sends each row to the streams whose filter matches, indexed by company or not', () => {
    const a = stream({ companyId: 1 });
    const a2 = stream({ companyId: 1, user: 'other' });
    const b = stream({ companyId: 2 });
    const all = stream({});
    const keyBound = stream({ companies: [2, 3] });
    const rows = [row(11, 1, 1), row(11, 2, 2), row(12, 3, 3)];
    const { frames, cursor, lagging } = routeRows(rows, [a, a2, b, all, keyBound], at(10, 0));
    expect(idsOf(frames.get(a))).toEqual(['11-1']);
    expect(frames.has(a2)).toBe(false);
    expect(idsOf(frames.get(b))).toEqual(['11-2']);
    expect(idsOf(frames.get(all))).toEqual(['11-1', '11-2', '12-3']);
    expect(idsOf(frames.get(keyBound))).toEqual(['11-2', '12-3']);
    // The same frame bytes for every stream an event goes to: built once.
    expect(frames.get(all)?.[0]).toBe(frames.get(a)?.[0]);
    expect(formatPosition(cursor)).toBe('12-3');
    expect(lagging).toBe(false);
    for (const s of [a, a2, b, all, keyBound]) expect(s.pos).toEqual(at(12, 3));
  });

  it('stops at the first row at or past the commit horizon, and skips rows at or before the start', () => {
    const s = stream({ companyId: 1 }, at(11, 1));
    const rows = [row(11, 1, 1), row(11, 5, 1), row(Number(HORIZON), 6, 1), row(Number(HORIZON) + 1, 7, 1)];
    const { frames, cursor, lagging } = routeRows(rows, [s], at(11, 1));
    expect(idsOf(frames.get(s))).toEqual(['11-5']);
    expect(cursor).toEqual(at(11, 5));
    expect(lagging).toBe(true);
    expect(s.pos).toEqual(at(11, 5));
  });

  it('a stream ahead of the tick (resumed after a later position) gets only the rows after its own', () => {
    const ahead = stream({ companyId: 1 }, at(11, 2));
    const behind = stream({ companyId: 1 }, at(10, 0));
    const rows = [row(11, 1, 1), row(11, 2, 1), row(11, 3, 1)];
    const { frames } = routeRows(rows, [ahead, behind], at(10, 0));
    expect(idsOf(frames.get(ahead))).toEqual(['11-3']);
    expect(idsOf(frames.get(behind))).toEqual(['11-1', '11-2', '11-3']);
    // Ahead of everything this tick read: its position stays.
    const further = stream({}, at(50, 0));
    routeRows(rows, [further], at(10, 0));
    expect(further.pos).toEqual(at(50, 0));
  });

  it('leaves streams that are still catching up alone', () => {
    const catching = stream({ companyId: 1 }, at(5, 0), false);
    const { frames } = routeRows([row(11, 1, 1)], [catching], at(10, 0));
    expect(frames.size).toBe(0);
    expect(catching.pos).toEqual(at(5, 0));
  });

  it('matches the message pattern case-insensitively, as search does', () => {
    const s = stream({ companyId: 1, messagePattern: 'LOGGED' });
    const miss = stream({ companyId: 1, messagePattern: 'refund' });
    const { frames } = routeRows([row(11, 1, 1)], [s, miss], at(10, 0));
    expect(idsOf(frames.get(s))).toEqual(['11-1']);
    expect(frames.has(miss)).toBe(false);
  });
});
