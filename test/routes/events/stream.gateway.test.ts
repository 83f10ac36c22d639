import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { serveGateway } from '../../../src/live/gateway';
import type { LiveTail } from '../../../src/live/live-tail-object';
import { createEvent, event, uniqueCompanyId } from '../../helpers/app';
import { createKey, detailOf } from '../../helpers/keys';
import { openStream, streamResponse } from '../../helpers/sse';

/**
 * `npm run serve --workers N`: the serving processes have no object of their own; their
 * LIVE_TAIL_REMOTE binding reaches the one object through the gateway in the object's process
 * (src/live/gateway.ts). Here the "remote" isolate is this one with LIVE_TAIL removed and
 * LIVE_TAIL_REMOTE handing each request to the gateway, which runs with the real binding: the
 * route, the client's HTTP calls and the gateway are the production code, only the Unix socket
 * between the processes is left out.
 */
function viaGateway(objectName: string): Partial<Env> {
  const gateway = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => serveGateway(new Request(input, init), env),
  };
  return {
    LIVE_TAIL_OBJECT: objectName,
    LIVE_TAIL: undefined,
    LIVE_TAIL_REMOTE: gateway,
    LIVE_TAIL_HEARTBEAT_MS: '200',
  } as unknown as Partial<Env>;
}

function objectStats(objectName: string) {
  const namespace = env.LIVE_TAIL as DurableObjectNamespace<LiveTail>;
  return runInDurableObject(namespace.get(namespace.idFromName(objectName)), (instance: LiveTail) => instance.stats());
}

describe('GET /audit-events/stream through the live tail gateway (the object in another process)', () => {
  it('streams and creates of either kind of process meet at the same object', async () => {
    const objectName = `gateway-${crypto.randomUUID()}`;
    const remote = viaGateway(objectName);
    const local = { LIVE_TAIL_OBJECT: objectName, LIVE_TAIL_HEARTBEAT_MS: '200' } as Partial<Env>;
    const company = uniqueCompanyId();
    const mine = (message: string) => event({ company_id: company, message });

    const throughGateway = await openStream({ company_id: company }, { overrides: remote });
    const inObjectProcess = await openStream({ company_id: company }, { overrides: local });
    try {
      expect((await objectStats(objectName)).streams).toBe(2);
      const before = (await objectStats(objectName)).notifications;
      const e1 = await createEvent(mine('created on a serving process'), remote);
      const e2 = await createEvent(mine('created beside the object'), local);
      for (const { stream } of [throughGateway, inObjectProcess]) {
        expect((await stream.auditsUntil(e2)).map((r) => r.event.Id)).toEqual([e1, e2]);
      }
      // The remote create's notification reached the object through the gateway.
      expect((await objectStats(objectName)).notifications).toBeGreaterThan(before);
    } finally {
      await throughGateway.stream.close();
      await inObjectProcess.stream.close();
    }
  });

  it('counts the per-key limit at the object, whichever process opened the streams', async () => {
    const objectName = `gateway-${crypto.randomUUID()}`;
    const limit = { LIVE_TAIL_MAX_STREAMS_PER_KEY: '2' } as Partial<Env>;
    const remote = { ...viaGateway(objectName), ...limit };
    const local = { LIVE_TAIL_OBJECT: objectName, LIVE_TAIL_HEARTBEAT_MS: '200', ...limit } as Partial<Env>;
    const key = await createKey({ scopes: ['events:read'] });
    const first = await openStream({}, { key: key.key, overrides: remote });
    const second = await openStream({}, { key: key.key, overrides: local });
    try {
      const third = await streamResponse({}, { key: key.key, overrides: remote });
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await detailOf(third)).toBe(
        `Too many open streams for API key ${key.name}: the limit is 2; close one, or retry later`,
      );
    } finally {
      await first.stream.close();
      await second.stream.close();
    }
  });

  it('the gateway answers only its two calls', async () => {
    const objectName = `gateway-${crypto.randomUUID()}`;
    const unknown = await serveGateway(
      new Request(`http://live-tail/stats?object=${objectName}`, { method: 'POST' }),
      env,
    );
    expect(unknown.status).toBe(404);
    const unnamed = await serveGateway(new Request('http://live-tail/notify', { method: 'POST' }), env);
    expect(unnamed.status).toBe(404);
    const notified = await serveGateway(
      new Request(`http://live-tail/notify?object=${objectName}`, { method: 'POST' }),
      env,
    );
    expect(notified.status).toBe(204);
    expect((await objectStats(objectName)).notifications).toBe(1);
  });
});
