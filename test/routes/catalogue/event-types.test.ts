import { describe, expect, it } from 'vitest';
import { BASE, get } from '../../helpers/app';

describe('get-eventtypenames-by-functionalityname', () => {
  it('lists the event types of one functionality by name; an unknown name is "Data not found"', async () => {
    const types = (await (
      await get(`${BASE}/get-eventtypenames-by-functionalityname?functionalityname=Authenticate`)
    ).json()) as {
      StatusCode: number;
      count: number;
      events: { EventTypeID: number; EventTypeName: string }[];
    };
    expect(types.events.map((t) => t.EventTypeName)).toEqual(['Login', 'Logout', 'Reset Password', 'Sign up']);
    expect(types.count).toBe(4);
    const none = (await (
      await get(`${BASE}/get-eventtypenames-by-functionalityname?functionalityname=Nope`)
    ).json()) as { message: string; count: number };
    expect(none).toMatchObject({ message: 'Data not found', count: 0 });
  });
});
