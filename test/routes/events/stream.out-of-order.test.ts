import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEvent, event, uniqueCompanyId } from '../../helpers/app';
import { ingestOnConnection, withClient } from '../../helpers/sql';
import { openStream } from '../../helpers/sse';

/**
 * Concurrent writers whose commits are held open and released out of order. A writer here is a
 * direct PostgreSQL connection inserting through auditevents_ingest (the statement create and
 * batch run) inside a transaction the test commits when it chooses.
 */
const ingest = (client: pg.Client, company: number, message: string) =>
  ingestOnConnection(client, company, message, 'writer');

const xidOf = async (client: pg.Client) =>
  BigInt((await client.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]?.x ?? '0');

const idsOf = (received: { event: Record<string, unknown> }[]) => received.map((r) => r.event.Id);

describe('GET /audit-events/stream: commits out of id order', () => {
  it('holds later commits back until an earlier open writer commits, then delivers all once; a resume does not skip it', async () => {
    const company = uniqueCompanyId();
    const quickHeartbeat = { overrides: { LIVE_TAIL_HEARTBEAT_MS: '200' } as Partial<Env> };
    const live = await openStream({ company_id: company }, quickHeartbeat);
    const leaving = await openStream({ company_id: company }, quickHeartbeat);
    try {
      await withClient(async (held) => {
        await held.query('BEGIN');
        const heldId = await ingest(held, company, 'held open');
        // Later ids commit while the first is still open: one through the service, one direct.
        const later = await createEvent(event({ company_id: company, message: 'committed first (service)' }));
        const direct = await withClient((c) => ingest(c, company, 'committed first (direct)'));
        expect(later).toBeGreaterThan(heldId);
        expect(direct).toBeGreaterThan(later);

        // While the writer is open nothing after it may go out: a client that got `later` now
        // and resumed from it would never see the held event. (Waiting longer than a poll and
        // the notification; a correct stream passes this however slow the machine is.)
        const whileOpen = await leaving.stream.framesFor(2500);
        expect(whileOpen.filter((f) => f.event === 'audit')).toEqual([]);
        await leaving.stream.close(); // the client leaves with nothing after its start position

        await held.query('COMMIT');
        const sentinel = await createEvent(event({ company_id: company, message: 'sentinel' }));
        // Every event once, the held one included, in commit-position (writexid, id) order.
        expect(idsOf(await live.stream.auditsUntil(sentinel))).toEqual([heldId, later, direct, sentinel]);
        const back = await openStream({ company_id: company }, { headers: { 'Last-Event-ID': leaving.start } });
        try {
          expect(idsOf(await back.stream.auditsUntil(sentinel))).toEqual([heldId, later, direct, sentinel]);
        } finally {
          await back.stream.close();
        }
      });
    } finally {
      await live.stream.close();
      await leaving.stream.close();
    }
  });

  it('orders by the writing transaction, not the id: two writers released in the reverse order', async () => {
    const company = uniqueCompanyId();
    const { stream } = await openStream({ company_id: company }, { overrides: { LIVE_TAIL_HEARTBEAT_MS: '200' } });
    try {
      await withClient(async (a) => {
        await withClient(async (b) => {
          // A takes its transaction id first but inserts last, so its event has the higher id
          // and the lower writexid.
          await a.query('BEGIN');
          const xidA = await xidOf(a);
          await b.query('BEGIN');
          const idB = await ingest(b, company, 'B: lower id, later transaction');
          const idA = await ingest(a, company, 'A: higher id, earlier transaction');
          expect(idA).toBeGreaterThan(idB);
          expect(await xidOf(b)).toBeGreaterThan(xidA);

          await b.query('COMMIT'); // B first
          const between = await createEvent(event({ company_id: company, message: 'between the commits' }));
          // Long enough for the fan-out to read while A is open: it must not pass B (a reader
          // that did would have moved past A's position and skip A's event when it commits).
          const whileOpen = await stream.framesFor(2500);
          expect(whileOpen.filter((f) => f.event === 'audit')).toEqual([]);
          await a.query('COMMIT'); // then A
          const sentinel = await createEvent(event({ company_id: company, message: 'sentinel' }));

          const all = await stream.auditsUntil(sentinel);
          expect(idsOf(all)).toEqual([idA, idB, between, sentinel]);
          const positions = all.map((r) => r.id);
          expect(positions[0]).toBe(`${xidA}-${idA}`);
        });
      });
    } finally {
      await stream.close();
    }
  });
});
