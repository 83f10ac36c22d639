import { env } from 'cloudflare:workers';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client';
import { eventsAfter } from '../../src/db/queries/events';
import { loadConfig } from '../../src/env';
import { uniqueCompanyId } from '../helpers/app';
import { ingestOnConnection, withClient } from '../helpers/sql';

const ingestOne = (client: pg.Client, company: number, message: string) =>
  ingestOnConnection(client, company, message, 'bounded');

let handle: DatabaseHandle;
beforeAll(() => {
  handle = openDatabase(loadConfig(env), { statementTimeoutMs: 10_000 });
});
afterAll(async () => {
  await handle.close();
});

describe('the fan-out read (eventsAfter) while a transaction holds the commit horizon', () => {
  it('returns the deliverable rows and at most one waiting row, last; everything once the holder commits', {
    timeout: 90_000,
  }, async () => {
    const company = uniqueCompanyId();
    await withClient(async (held) => {
      await held.query('BEGIN');
      const heldId = await ingestOne(held, company, 'held open');
      const heldXid = BigInt(
        (await held.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]?.x ?? 0,
      );
      // Five later events commit while the first is open: they wait for it.
      const later: number[] = [];
      for (let i = 0; i < 5; i++) later.push(await withClient((c) => ingestOne(c, company, `later ${i}`)));
      const from = { xid: heldXid - 1n, id: 0n };

      const rows = await eventsAfter(handle.db, from, 500);
      const waiting = rows.filter((r) => BigInt(r.writexid) >= BigInt(r.horizon));
      // Before sql/046 and the bounded read: all five (and up to 500 such rows on every re-poll).
      expect(waiting.length).toBeLessThanOrEqual(1);
      if (waiting.length === 1) expect(rows.at(-1)).toBe(waiting[0]);
      expect(rows.filter((r) => later.includes(r.id)).length).toBeLessThanOrEqual(1);
      expect(rows.some((r) => r.id === heldId)).toBe(false); // not committed: not visible

      await held.query('COMMIT');
      // The horizon is the server's: another test's open transaction may hold it a moment longer.
      let mine: number[] = [];
      for (let i = 0; i < 300; i++) {
        const now = await eventsAfter(handle.db, from, 500);
        mine = now.filter((r) => r.companyId === company && BigInt(r.writexid) < BigInt(r.horizon)).map((r) => r.id);
        if (mine.length === 6) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(mine).toEqual([heldId, ...later]);
    });
  });
});
