import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client';
import { loadConfig } from '../../src/env';
import { toHttpError } from '../../src/lib/errors';
import { isEmbedded, uniqueCompanyId } from '../helpers/app';
import { ingestRow, outcomeOf, submitTogether } from '../helpers/group-commit';
import { createPrivateDatabase, hyperdriveAt, type PrivateDatabase } from '../helpers/private-database';
import { countEventsOf, query } from '../helpers/sql';

/**
 * Group commit of single events (src/db/grouped-ingest.ts) against the real database: events
 * submitted in the same turn of the event loop always form one group (the group flushes on the
 * next macrotask), so these tests know their groups without depending on timing.
 */
const stored = (company: number) =>
  query<{ id: string; message: string; eventid: string | null; tx: string; hashed: boolean }>(
    `SELECT id, message, eventid, xmin::text AS tx, eventhash IS NOT NULL AS hashed
       FROM auditevents WHERE companyid = $1 ORDER BY id`,
    [company],
  );

describe('group commit of single events', () => {
  let handle: DatabaseHandle;
  beforeAll(() => {
    handle = openDatabase(loadConfig(env), { statementTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('events submitted together share one statement and one commit, each with its own id and hash', async () => {
    const company = uniqueCompanyId();
    const rows = Array.from({ length: 25 }, () => ingestRow(company));
    const outcomes = (await submitTogether({}, handle, rows)).map(outcomeOf);
    const ids = outcomes.map((o) => o.id);
    expect(new Set(ids).size).toBe(25);
    expect(outcomes.every((o) => o.error === null && !o.duplicate)).toBe(true);

    const rowsStored = await stored(company);
    expect(rowsStored).toHaveLength(25);
    // Each caller's id is the row holding that caller's message.
    const messageById = new Map(rowsStored.map((r) => [Number(r.id), r.message]));
    rows.forEach((row, i) => {
      expect(messageById.get(Number(ids[i]))).toBe(row.message);
    });
    expect(new Set(rowsStored.map((r) => r.tx)).size).toBe(1);
    expect(rowsStored.every((r) => r.hashed)).toBe(true);
  });

  it('one event_id twice in a group: the first is stored, the second answers its id as a duplicate, as when sent one after the other', async () => {
    const company = uniqueCompanyId();
    const eventId = crypto.randomUUID();
    const rows = [
      ingestRow(company, { event_id: eventId, message: 'first copy' }),
      ingestRow(company),
      ingestRow(company, { event_id: eventId, message: 'second copy' }),
      ingestRow(company, { event_id: eventId, message: 'third copy' }),
      // The same event_id of another company is another event (idempotency is per company).
      ingestRow(company + 1, { event_id: eventId, message: 'other company' }),
    ];
    const [first, plain, second, third, other] = (await submitTogether({}, handle, rows)).map(outcomeOf);
    expect(first).toMatchObject({ duplicate: false, error: null });
    expect(second).toMatchObject({ id: first?.id, duplicate: true, error: null });
    expect(third).toMatchObject({ id: first?.id, duplicate: true, error: null });
    expect(plain).toMatchObject({ duplicate: false, error: null });
    expect(other).toMatchObject({ duplicate: false, error: null });
    expect(other?.id).not.toBe(first?.id);

    const rowsStored = await stored(company);
    expect(rowsStored.map((r) => r.message).sort()).toEqual(['first copy', rows[1]?.message].sort());
    expect(await countEventsOf(company + 1)).toBe(1);

    // Sent again later, alone: the same answer the second copy got inside the group.
    const [again] = (await submitTogether({}, handle, [ingestRow(company, { event_id: eventId })])).map(outcomeOf);
    expect(again).toMatchObject({ id: first?.id, duplicate: true, error: null });
  });

  it('an unknown name in a group is that event`s own error; the others are stored', async () => {
    const company = uniqueCompanyId();
    const rows = [
      ingestRow(company),
      ingestRow(company, { functionality: 'Billing' }),
      ingestRow(company, { event_type: 'Logout twice' }),
      ingestRow(company),
    ];
    const [a, unknownFunctionality, unknownType, b] = (await submitTogether({}, handle, rows)).map(outcomeOf);
    expect(unknownFunctionality).toMatchObject({ id: null, error: 'unknown_functionality' });
    expect(unknownType).toMatchObject({ id: null, error: 'unknown_event_type' });
    expect(a?.error).toBeNull();
    expect(b?.error).toBeNull();
    expect(await countEventsOf(company)).toBe(2);
  });

  it('GROUP_COMMIT_MAX_EVENTS caps a group: more events together make several groups, all stored', async () => {
    const company = uniqueCompanyId();
    const rows = Array.from({ length: 7 }, () => ingestRow(company));
    const outcomes = (await submitTogether({ GROUP_COMMIT_MAX_EVENTS: '3' } as Partial<Env>, handle, rows)).map(
      outcomeOf,
    );
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(7);
    const rowsStored = await stored(company);
    expect(rowsStored).toHaveLength(7);
    expect(new Set(rowsStored.map((r) => r.tx)).size).toBe(3);
  });
});

// A constraint one event alone violates needs a database of our own (altering the shared one
// would fail every other file's writes).
describe.skipIf(isEmbedded)('a group in which one event fails', () => {
  let db: PrivateDatabase;
  let handle: DatabaseHandle;
  const overrides = () => hyperdriveAt(db.url) as Partial<Env>;
  beforeAll(async () => {
    db = await createPrivateDatabase('groupcommit');
    await query(`ALTER TABLE auditevents ADD CONSTRAINT no_poison CHECK (message <> 'poison')`, [], db.url);
    handle = openDatabase(loadConfig({ ...env, ...overrides() } as Env), { statementTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await handle?.close();
    await db?.drop();
  });

  it('fails only that event (its own 500); the others are stored once, with their own ids', async () => {
    const company = uniqueCompanyId();
    const eventId = crypto.randomUUID();
    const rows = [
      ingestRow(company, { message: 'good one' }),
      ingestRow(company, { message: 'poison' }),
      ingestRow(company, { message: 'good two', event_id: eventId }),
      ingestRow(company, { message: 'good two again', event_id: eventId }),
      ingestRow(company, { functionality: 'Billing' }),
    ];
    const [one, poison, two, twoAgain, unknown] = await submitTogether(overrides(), handle, rows);
    expect(poison?.status).toBe('rejected');
    if (poison?.status === 'rejected') expect(toHttpError(poison.reason).status).toBe(500);
    expect(outcomeOf(one)).toMatchObject({ duplicate: false, error: null });
    expect(outcomeOf(two)).toMatchObject({ duplicate: false, error: null });
    expect(outcomeOf(twoAgain)).toMatchObject({ id: outcomeOf(two).id, duplicate: true, error: null });
    expect(outcomeOf(unknown)).toMatchObject({ id: null, error: 'unknown_functionality' });

    const rowsStored = await query<{ id: string; message: string }>(
      'SELECT id, message FROM auditevents_all WHERE companyid = $1 ORDER BY id',
      [company],
      db.url,
    );
    expect(rowsStored.map((r) => r.message)).toEqual(['good one', 'good two']);
    expect(rowsStored.map((r) => Number(r.id))).toEqual([outcomeOf(one).id, outcomeOf(two).id]);
  });
});
