import { describe, expect, it } from 'vitest';
import { createEvent, event, uniqueCompanyId } from '../../helpers/app';
import { openStream } from '../../helpers/sse';

const idsOf = (received: { event: Record<string, unknown> }[]) => received.map((r) => r.event.Id);

describe('GET /audit-events/stream: resume after a reconnect', () => {
  for (const how of ['Last-Event-ID', '?after='] as const) {
    it(`with ${how}: every matching event committed since, once, in order, then the live ones`, async () => {
      const company = uniqueCompanyId();
      const filter = { company_id: company, user: 'resumer' };
      const mine = (message: string) => event({ company_id: company, user: 'resumer', message });

      const first = await openStream(filter);
      const e1 = await createEvent(mine('e1'));
      const e2 = await createEvent(mine('e2'));
      const seen = await first.stream.audits(2);
      expect(idsOf(seen)).toEqual([e1, e2]);
      const lastId = seen[0]?.id as string; // the client saw e2 but only processed e1
      await first.stream.close();

      // While disconnected: matching events, and others the filter excludes.
      await createEvent(event({ company_id: company, user: 'someone-else', message: 'not mine' }));
      const e3 = await createEvent(mine('e3'));
      await createEvent(event({ company_id: uniqueCompanyId(), user: 'resumer', message: 'other company' }));
      const e4 = await createEvent(mine('e4'));

      const again =
        how === 'Last-Event-ID'
          ? await openStream(filter, { headers: { 'Last-Event-ID': lastId } })
          : await openStream({ ...filter, after: lastId });
      try {
        // The stream starts after the position the client gave.
        expect(again.start).toBe(lastId);
        const e5 = await createEvent(mine('e5 live'));
        const sentinel = await createEvent(mine('sentinel'));
        const received = await again.stream.auditsUntil(sentinel);
        expect(idsOf(received)).toEqual([e2, e3, e4, e5, sentinel]);
        // Positions only grow, and each id is the event's own position.
        const positions = received.map((r) => r.id);
        expect(new Set(positions).size).toBe(positions.length);
        for (const r of received) expect(r.id.endsWith(`-${r.event.Id}`)).toBe(true);
        // Resuming from the last of them gives nothing old again.
        const tail = await openStream(filter, { headers: { 'Last-Event-ID': positions.at(-1) as string } });
        try {
          const next = await createEvent(mine('after the tail'));
          const [only] = await tail.stream.audits(1);
          expect(only?.event.Id).toBe(next);
        } finally {
          await tail.stream.close();
        }
      } finally {
        await again.stream.close();
      }
    });
  }

  it('prefers Last-Event-ID over ?after= when both are sent', async () => {
    const company = uniqueCompanyId();
    const first = await openStream({ company_id: company });
    const e1 = await createEvent(event({ company_id: company, message: 'one' }));
    const e2 = await createEvent(event({ company_id: company, message: 'two' }));
    const [r1, r2] = await first.stream.audits(2);
    await first.stream.close();
    expect([r1?.event.Id, r2?.event.Id]).toEqual([e1, e2]);

    const both = await openStream(
      { company_id: company, after: r2?.id as string },
      { headers: { 'Last-Event-ID': r1?.id as string } },
    );
    try {
      expect(both.start).toBe(r1?.id);
      const [replayed] = await both.stream.audits(1);
      expect(replayed?.event.Id).toBe(e2);
    } finally {
      await both.stream.close();
    }
  });

  it('a resumed stream catches up with the same filters as the live one (aliases, message pattern)', async () => {
    const company = uniqueCompanyId();
    const filter = {
      company_id: company,
      store_location_id: 7,
      event_type_name: 'Logout',
      message_pattern: 'CaRt_50%',
    };
    const opened = await openStream(filter);
    const base = { company_id: company, store_id: 7, event_type: 'Logout', message: 'x cart_50% y' };
    const first = await createEvent(event(base));
    const [seen] = await opened.stream.audits(1);
    expect(seen?.event.Id).toBe(first);
    await opened.stream.close();

    await createEvent(event({ ...base, store_id: 8 }));
    await createEvent(event({ ...base, event_type: 'Login' }));
    await createEvent(event({ ...base, message: 'cartX50%' }));
    const caught = await createEvent(event({ ...base, message: 'CART_50% upper' }));
    const resumed = await openStream(filter, { headers: { 'Last-Event-ID': seen?.id as string } });
    try {
      const sentinel = await createEvent(event(base));
      expect(idsOf(await resumed.stream.auditsUntil(sentinel))).toEqual([caught, sentinel]);
    } finally {
      await resumed.stream.close();
    }
  });
});
