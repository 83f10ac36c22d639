import { describe, expect, it } from 'vitest';
import { get, postJson, uniqueCompanyId } from '../../helpers/app';
import { DEAD_LETTERS, deadLettersOf, deliver, messagesOf, queuedEvent } from '../../helpers/ingest';
import { ADMIN_BASE, as, createKey } from '../../helpers/keys';
import { countEventsOf, query } from '../../helpers/sql';

describe('POST /admin/ingest/dead-letters/{id}/replay: a poisoned message, listed and replayed', () => {
  it('an event whose catalogue entry is gone lands in the dead letters with its reason, once; replay stores it after the fix', async () => {
    const company = uniqueCompanyId();
    // A functionality of its own: adding the missing type to a shared one (Authenticate) would change
    // what the catalogue tests, running in parallel on the same database, list for it.
    const functionality = `Queue replay ${crypto.randomUUID().slice(0, 8)}`;
    const created = await postJson(`${ADMIN_BASE}/functionalities`, { name: functionality, event_types: ['Present'] });
    expect(created.status).toBe(201);
    const type = `Gone-${crypto.randomUUID().slice(0, 8)}`;
    const poisoned = queuedEvent({ company_id: company, functionality, event_type: type, message: 'poisoned' });
    const fine = queuedEvent({ company_id: company });
    const bodies = messagesOf([poisoned, fine]);
    expect(await deliver(bodies)).toMatchObject({ acked: bodies.length, retried: 0 });
    expect(await deliver(bodies, { attempts: 2 })).toMatchObject({ acked: bodies.length });
    expect(await countEventsOf(company)).toBe(1);
    const letters = await deadLettersOf(company);
    expect(letters).toEqual([
      expect.objectContaining({ event_id: poisoned.event_id, reason: 'unknown_event_type', failures: 2 }),
    ]);
    const id = Number(letters[0]?.id);

    const listed = await get(`${DEAD_LETTERS}?limit=500`);
    expect(listed.status).toBe(200);
    const list = (await listed.json()) as {
      dead_letters: { id: number; detail: string; event: { message: string } }[];
    };
    const shown = list.dead_letters.find((d) => d.id === id);
    expect(shown?.detail).toBe(`Unknown eventtypename found: ${type}`);
    expect(shown?.event.message).toBe('poisoned');

    const early = await postJson(`${DEAD_LETTERS}/${id}/replay`);
    expect(early.status).toBe(409);
    expect(((await early.json()) as { detail: string }).detail).toMatch(/Refused again: Unknown eventtypename/);

    const added = await postJson(`${ADMIN_BASE}/functionalities/${encodeURIComponent(functionality)}/event-types`, {
      event_types: [type],
    });
    expect(added.status).toBe(201);
    const replay = await postJson(`${DEAD_LETTERS}/${id}/replay`);
    expect(replay.status, await replay.clone().text()).toBe(200);
    const stored = (await replay.json()) as { id: number; duplicate: boolean };
    expect(stored.duplicate).toBe(false);
    const rows = await query<{ id: string; eventid: string }>(
      'SELECT id, eventid FROM auditevents_all WHERE companyid = $1 AND eventtypeid IN (SELECT eventtypeid FROM auditeventtypes WHERE eventtypename = $2)',
      [company, type],
    );
    expect(rows).toEqual([{ id: String(stored.id), eventid: poisoned.event_id }]);
    expect((await postJson(`${DEAD_LETTERS}/${id}/replay`)).status).toBe(409);
    // Replayed: out of the default list, shown with include_replayed, and a late redelivery stores nothing twice.
    const after = (await (await get(`${DEAD_LETTERS}?limit=500`)).json()) as { dead_letters: { id: number }[] };
    expect(after.dead_letters.some((d) => d.id === id)).toBe(false);
    const all = (await (await get(`${DEAD_LETTERS}?limit=500&include_replayed=true`)).json()) as {
      dead_letters: { id: number; replayed_id: number }[];
    };
    expect(all.dead_letters.find((d) => d.id === id)?.replayed_id).toBe(stored.id);
    await deliver(bodies, { attempts: 3 });
    expect(await countEventsOf(company)).toBe(2);
  });

  it('404 for an unknown dead letter; needs the admin scope', async () => {
    expect((await postJson(`${DEAD_LETTERS}/999999999/replay`)).status).toBe(404);
    const writer = await createKey({ scopes: ['events:write'] });
    expect((await as(writer.key).post(`${DEAD_LETTERS}/999999999/replay`, '')).status).toBe(403);
  });
});
