import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ingestTracker } from '../../src/ingest/tracker-object';
import { BASE, event, get, postJson, uniqueCompanyId } from '../helpers/app';
import { eventually } from '../helpers/ingest';
import { ADMIN_BASE, as, createKey } from '../helpers/keys';
import { hyperdriveAt } from '../helpers/private-database';
import { countEventsOf } from '../helpers/sql';

const STATUS = `${ADMIN_BASE}/ingest/status`;
const CLOSED_PORT = hyperdriveAt('postgres://postgres:x@127.0.0.1:1/x');

interface Status {
  mode: string;
  queue_bound: boolean;
  tracker: {
    backlog: number;
    oldest_enqueued_at: string | null;
    oldest_age_seconds: number | null;
    enqueued: number;
    stored: number;
    dead_lettered: number;
  } | null;
  dead_letters: { pending: number; oldest_failed_at: string | null } | null;
}

describe('the ingest tracker (Durable Object)', () => {
  it('counts the backlog and the oldest pending event; settling twice counts once; a failed send is withdrawn', async () => {
    // An object of this test's own: the deployment's one is shared with every other test file.
    const tracker = ingestTracker(env, `test-${crypto.randomUUID()}`);
    if (!tracker) throw new Error('INGEST_TRACKER binding missing');
    const now = Date.now();
    expect(await tracker.enqueued(['1:a', '1:b', '1:c'], now - 60_000)).toBe(3);
    expect(await tracker.enqueued(['1:a'], now)).toBe(0); // a client's retry keeps the first time
    expect(await tracker.status(now)).toMatchObject({ backlog: 3, oldestEnqueuedMs: now - 60_000, enqueued: 3 });
    expect(await tracker.settled(['1:a', '1:b'], 'stored')).toBe(2);
    expect(await tracker.settled(['1:a'], 'stored')).toBe(0);
    await tracker.withdrawn(['1:c']);
    expect(await tracker.status(now)).toMatchObject({ backlog: 0, oldestEnqueuedMs: null, enqueued: 2, stored: 2 });
    await tracker.enqueued(['1:d'], now - 16 * 86_400_000);
    expect(await tracker.settled(['1:e'], 'deadLettered')).toBe(0);
    expect(await tracker.status(now)).toMatchObject({ backlog: 0, forgotten: 1, deadLettered: 0 });
  });
});

describe('GET /admin/ingest/status', () => {
  it('shows events enqueued and then stored by the consumer', async () => {
    const before = (await (await get(STATUS)).json()) as Status;
    expect(before).toMatchObject({ mode: 'direct', queue_bound: true });
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/enqueue`, {
      events: [event({ company_id: company }), event({ company_id: company }), event({ company_id: company })],
    });
    expect(response.status).toBe(202);
    const during = (await (await get(STATUS)).json()) as Status;
    expect(during.tracker?.enqueued).toBeGreaterThanOrEqual((before.tracker?.enqueued ?? 0) + 3);
    await eventually(async () => (await countEventsOf(company)) === 3, 'the three events');
    await eventually(async () => {
      const after = (await (await get(STATUS)).json()) as Status;
      return (after.tracker?.stored ?? 0) >= (before.tracker?.stored ?? 0) + 3;
    }, 'the tracker to count them stored');
    const after = (await (await get(STATUS)).json()) as Status;
    expect(after.tracker?.backlog).toBeGreaterThanOrEqual(0);
    if (after.tracker?.backlog === 0) expect(after.tracker.oldest_age_seconds).toBeNull();
    else expect(after.tracker?.oldest_age_seconds).toBeGreaterThanOrEqual(0);
    expect(after.dead_letters?.pending).toBeGreaterThanOrEqual(0);
  });

  it('answers while the database is down (dead_letters null), and needs an admin key', async () => {
    const response = await get(STATUS, {}, CLOSED_PORT);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Status;
    expect(body.dead_letters).toBeNull();
    expect(body.tracker).not.toBeNull();
    const writer = await createKey({ scopes: ['events:write'] });
    expect((await as(writer.key).get(STATUS)).status).toBe(403);
  });
});
