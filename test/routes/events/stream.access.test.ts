import { describe, expect, it } from 'vitest';
import { BASE, call, createEvent, event, get, KEY, uniqueCompanyId } from '../../helpers/app';
import { ADMIN_BASE, createKey, detailOf } from '../../helpers/keys';
import { openStream, streamResponse } from '../../helpers/sse';

const idsOf = (received: { event: Record<string, unknown> }[]) => received.map((r) => r.event.Id);
const quick = { LIVE_TAIL_HEARTBEAT_MS: '200' } as Partial<Env>;

/** Retries `attempt` every 200 ms until it returns a value (bounded; the machine may be busy). */
async function eventually<T>(attempt: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('GET /audit-events/stream: scopes and tenants', () => {
  it('needs events:read', async () => {
    const writer = await createKey({ scopes: ['events:write'] });
    const response = await streamResponse({}, { key: writer.key });
    expect(response.status).toBe(403);
  });

  it('a company-bound key sees only its companies, live and on resume', async () => {
    const [A, B, C] = [uniqueCompanyId(), uniqueCompanyId(), uniqueCompanyId()];
    // Two companies, so its own self-audit rows go to company 0, not into this stream.
    const reader = await createKey({ scopes: ['events:read'], companies: [A, C] });
    const all = await openStream({}, { key: reader.key });
    const onlyC = await openStream({ company_id: C }, { key: reader.key });
    const notMine = await openStream({ company_id: B }, { key: reader.key, overrides: quick });
    try {
      const a1 = await createEvent(event({ company_id: A, message: 'A one' }));
      await createEvent(event({ company_id: B, message: 'B secret' }));
      const c1 = await createEvent(event({ company_id: C, message: 'C one' }));
      await createEvent(event({ company_id: B, message: 'B secret again' }));
      const a2 = await createEvent(event({ company_id: A, message: 'A two' }));

      // Other tests' events of other companies may be committed in between: keep A, B, C.
      const mine = (await all.stream.auditsUntil(a2)).filter((r) => [A, B, C].includes(r.event.CompanyId as number));
      expect(idsOf(mine)).toEqual([a1, c1, a2]);
      expect(idsOf(await onlyC.stream.audits(1))).toEqual([c1]);
      // Asking for a company the key does not have is not an error (as in search): nothing comes.
      const frames = await notMine.stream.framesFor(2500);
      expect(frames.filter((f) => f.event === 'audit')).toEqual([]);

      // Catch-up reads the database with the same limits.
      const resumed = await openStream({}, { key: reader.key, headers: { 'Last-Event-ID': all.start } });
      try {
        const caught = (await resumed.stream.auditsUntil(a2)).filter((r) =>
          [A, B, C].includes(r.event.CompanyId as number),
        );
        expect(idsOf(caught)).toEqual([a1, c1, a2]);
      } finally {
        await resumed.stream.close();
      }
    } finally {
      await all.stream.close();
      await onlyC.stream.close();
      await notMine.stream.close();
    }
  });
});

describe('GET /audit-events/stream: limits, revocation, self-audit', () => {
  it('refuses a stream past LIVE_TAIL_MAX_STREAMS_PER_KEY with a clear 429, per key, and frees the slot on close', async () => {
    const limited = { ...quick, LIVE_TAIL_MAX_STREAMS_PER_KEY: '2' } as Partial<Env>;
    const key = await createKey({ scopes: ['events:read'] });
    const first = await openStream({}, { key: key.key, overrides: limited });
    const second = await openStream({}, { key: key.key, overrides: limited });
    try {
      const third = await streamResponse({}, { key: key.key, overrides: limited });
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await detailOf(third)).toBe(
        `Too many open streams for API key ${key.name}: the limit is 2; close one, or retry later`,
      );
      // Another key is not affected.
      const other = await createKey({ scopes: ['events:read'] });
      const otherStream = await openStream({}, { key: other.key, overrides: limited });
      await otherStream.stream.close();

      await first.stream.close();
      const reopened = await eventually(async () => {
        const response = await streamResponse({}, { key: key.key, overrides: limited });
        if (response.status === 200) return response;
        expect(response.status).toBe(429);
        await response.body?.cancel();
        return undefined;
      }, 'a closed stream frees its slot');
      await reopened.body?.cancel();
    } finally {
      await first.stream.close();
      await second.stream.close();
    }
  });

  it('ends the stream of a revoked key with `event: end` (reason revoked, no reconnect) within the key cache TTL', async () => {
    const key = await createKey({ scopes: ['events:read'] });
    const ttl = { API_KEY_CACHE_TTL_SECONDS: '1' } as Partial<Env>;
    const { stream } = await openStream({ company_id: uniqueCompanyId() }, { key: key.key, overrides: ttl });
    try {
      const revoke = await call(`${ADMIN_BASE}/keys/${key.name}/revoke`, {
        method: 'POST',
        headers: { 'CSIQ-APIKEY': KEY },
      });
      expect(revoke.status).toBe(200);
      const revokedAt = Date.now();
      const end = await stream.nextEvent();
      // Within the key cache's TTL (1 s here) plus a poll: 20 s is only a bound for a busy
      // machine, far below the 60 s a schedule left by earlier streams (default TTL) would take.
      expect(Date.now() - revokedAt).toBeLessThan(20_000);
      expect(end?.event).toBe('end');
      expect(JSON.parse(end?.data as string)).toEqual({ reason: 'revoked', reconnect: false });
      expect(await stream.next()).toBeNull(); // closed by the server
      const again = await streamResponse({}, { key: key.key, overrides: ttl });
      expect(again.status).toBe(401);
    } finally {
      await stream.close();
    }
  });

  it('records the subscription as an Audit Service "Stream" event, like a search', async () => {
    const key = await createKey({ scopes: ['events:read'] });
    const company = uniqueCompanyId();
    const { stream } = await openStream({ company_id: company, user: 'watched' }, { key: key.key });
    await stream.close();
    const qs = new URLSearchParams({ functionality: 'Audit Service', user: key.name.slice(0, 20), page_size: '50' });
    const recorded = await eventually(async () => {
      const response = await get(`${BASE}/search?${qs}`);
      const { events } = (await response.json()) as { events: Record<string, unknown>[] };
      return events.find((e) => e.EventType === 'Stream');
    }, 'the Stream self-audit row');
    expect(recorded).toMatchObject({
      Functionality: 'Audit Service',
      EventType: 'Stream',
      CompanyId: 0,
      UserName: key.name,
      Status: 'Success',
      AdditionalData: {
        api_key: key.name,
        key_source: 'database',
        method: 'GET',
        path: `${BASE}/stream`,
        status_code: 200,
        params: { company_id: String(company), user: 'watched' },
      },
    });
  });
});
