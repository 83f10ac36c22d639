import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type Database, databaseOver } from '../../../src/db/client';
import { findKeyByHash } from '../../../src/db/queries/admin-keys';
import { unusableKeyIds } from '../../../src/db/queries/events';
import { withClient } from '../../helpers/sql';

/**
 * Issue 13.10: Hyperdrive caches read queries unless they call a function PostgreSQL marks
 * volatile, so a revoked key could keep working through a cached lookup. The local Hyperdrive
 * has no query cache, so what is tested is the rule Hyperdrive applies: every statement that
 * decides whether a key may be used, as the service sends it, calls a function this PostgreSQL
 * lists as volatile (pg_proc.provolatile = 'v').
 */
async function statementsOf(run: (db: Database) => Promise<unknown>): Promise<string[]> {
  return withClient(async (pg) => {
    const sent: string[] = [];
    // The real client, with each statement's text noted on its way through.
    const query = pg.query.bind(pg) as (config: string | { text: string }, values?: unknown[]) => Promise<unknown>;
    const recording = {
      query: (config: string | { text: string }, values?: unknown[]) => {
        sent.push(typeof config === 'string' ? config : config.text);
        return query(config, values);
      },
    } as unknown as pg.Client;
    await run(databaseOver(recording));
    return sent;
  });
}

async function volatileFunctionsIn(text: string): Promise<string[]> {
  const names = [...text.matchAll(/([a-z_][a-z0-9_]*)\s*\(/gi)].map((m) => (m[1] as string).toLowerCase());
  return withClient(async (pg) => {
    const { rows } = await pg.query<{ proname: string }>(
      `SELECT DISTINCT proname FROM pg_proc WHERE proname = ANY($1::text[]) AND provolatile = 'v'`,
      [names],
    );
    return rows.map((r) => r.proname);
  });
}

describe('key reads are never served from a query cache (issue 13.10)', () => {
  it('the lookup of a key by its hash calls a volatile function', async () => {
    const statements = await statementsOf((c) => findKeyByHash(c, 'f'.repeat(64)));
    expect(statements).toHaveLength(1);
    expect(await volatileFunctionsIn(statements[0] as string)).toContain('clock_timestamp');
  });

  it("the live tail's revocation check calls a volatile function", async () => {
    const statements = await statementsOf((c) => unusableKeyIds(c, [1, 2]));
    expect(statements).toHaveLength(1);
    expect(await volatileFunctionsIn(statements[0] as string)).toContain('clock_timestamp');
  });

  it('the lookup still finds nothing for an unknown hash, and the check still reports unknown ids', async () => {
    await withClient(async (pg) => {
      expect(await findKeyByHash(databaseOver(pg), '0'.repeat(64))).toBeNull();
      expect(await unusableKeyIds(databaseOver(pg), [-1])).toEqual([-1]);
    });
  });
});
