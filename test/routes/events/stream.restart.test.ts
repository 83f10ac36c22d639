import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createEvent, event, uniqueCompanyId } from '../../helpers/app';
import { openStream } from '../../helpers/sse';

const idsOf = (received: { event: Record<string, unknown> }[]) => received.map((r) => r.event.Id);

describe('GET /audit-events/stream: the fan-out object restarts (a deploy)', () => {
  it('ends the stream with `event: end` (restart, reconnect), and a reconnect with Last-Event-ID misses nothing', async () => {
    // A fan-out object of this test's own, so resetting it breaks no other test's streams.
    const objectName = `restart-${crypto.randomUUID()}`;
    const own = { LIVE_TAIL_OBJECT: objectName, LIVE_TAIL_HEARTBEAT_MS: '200' } as Partial<Env>;
    const company = uniqueCompanyId();
    const mine = (message: string) => event({ company_id: company, message });

    const { stream } = await openStream({ company_id: company }, { overrides: own });
    const e1 = await createEvent(mine('before the restart'), own);
    const [first] = await stream.audits(1);
    expect(first?.event.Id).toBe(e1);

    // What a deploy does to the object: it is reset, and every stream it was writing breaks.
    const namespace = env.LIVE_TAIL;
    const stub = namespace.get(namespace.idFromName(objectName));
    await runInDurableObject(stub, (_instance, state) => state.abort('deploy')).catch(() => {
      // abort() also ends this very call into the object
    });

    const end = await stream.nextEvent();
    expect(end?.event).toBe('end');
    expect(JSON.parse(end?.data as string)).toEqual({ reason: 'restart', reconnect: true });
    expect(await stream.next()).toBeNull(); // and the stream is closed

    // While the client reconnects: events it must not miss.
    const e2 = await createEvent(mine('during the restart'), own);
    const e3 = await createEvent(mine('also during the restart'), own);

    const again = await openStream(
      { company_id: company },
      { headers: { 'Last-Event-ID': first?.id as string }, overrides: own },
    );
    try {
      expect(again.start).toBe(first?.id);
      const e4 = await createEvent(mine('live again'), own);
      expect(idsOf(await again.stream.auditsUntil(e4))).toEqual([e2, e3, e4]);
    } finally {
      await again.stream.close();
    }
  });
});
