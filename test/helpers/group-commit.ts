import { env } from 'cloudflare:workers';
import type { DatabaseHandle } from '../../src/db/client';
import { ingestInGroup } from '../../src/db/grouped-ingest';
import type { IngestOutcome, IngestRow } from '../../src/db/queries/events';
import { loadConfig } from '../../src/env';

/** A prepared single event (what the create route hands to the group commit). */
export function ingestRow(company: number, overrides: Partial<IngestRow> = {}): IngestRow {
  return {
    idx: 0,
    ts: new Date(Date.now() - 60_000).toISOString(),
    functionality: 'Authenticate',
    event_type: 'Login',
    store_id: 101,
    company_id: company,
    username: 'grouped',
    message: `grouped ${crypto.randomUUID()}`,
    status: 'Success',
    additional_data: { n: 1 },
    event_id: null,
    ...overrides,
  };
}

/** Submits every row in one turn (one group), waits for the group's work to end; settles each. */
export async function submitTogether(
  envOverrides: Partial<Env>,
  db: DatabaseHandle,
  rows: IngestRow[],
): Promise<PromiseSettledResult<IngestOutcome>[]> {
  const config = loadConfig({ ...env, ...envOverrides } as Env);
  const work: Promise<unknown>[] = [];
  const hooks = { keepAlive: (w: Promise<unknown>) => work.push(w) };
  const settled = await Promise.allSettled(rows.map((row) => ingestInGroup(config, row, 'create', () => db.db, hooks)));
  await Promise.all(work);
  return settled;
}

export const outcomeOf = (settled: PromiseSettledResult<IngestOutcome> | undefined): IngestOutcome => {
  if (settled?.status !== 'fulfilled') throw new Error(`expected an outcome, got ${String(settled?.status)}`);
  return settled.value;
};
