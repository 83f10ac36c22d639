import { describe, expect, it } from 'vitest';
import { BASE, get } from '../../helpers/app';
import { query } from '../../helpers/sql';

describe('get-eventtypenames-by-functionalityname', () => {
  it('lists the event types of one functionality by name; an unknown name is "Data not found"', async () => {
    const types = (await (
      await get(`${BASE}/get-eventtypenames-by-functionalityname?functionalityname=Authenticate`)
    ).json()) as {
      StatusCode: number;
      count: number;
      events: { EventTypeID: number; EventTypeName: string }[];
    };
    // The seeded four, and any another test file added (the consumer's replay test adds one).
    const stored = await query<{ name: string }>(
      `SELECT t.eventtypename AS name FROM auditeventtypes t JOIN auditfunctionalities f USING (functionalityid)
        WHERE f.functionalityname = 'Authenticate'`,
    );
    const names = types.events.map((t) => t.EventTypeName);
    expect([...names].sort()).toEqual(stored.map((r) => r.name).sort());
    expect(names).toEqual(expect.arrayContaining(['Login', 'Logout', 'Reset Password', 'Sign up']));
    expect(types.count).toBe(stored.length);
    const none = (await (
      await get(`${BASE}/get-eventtypenames-by-functionalityname?functionalityname=Nope`)
    ).json()) as { message: string; count: number };
    expect(none).toMatchObject({ message: 'Data not found', count: 0 });
  });
});
