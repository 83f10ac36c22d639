import { describe, expect, it } from 'vitest';
import { BASE, event, get, postJson, uniqueCompanyId } from '../../helpers/app';
import { eventually } from '../../helpers/ingest';
import { ADMIN_BASE, as, createKey } from '../../helpers/keys';
import { hyperdriveAt } from '../../helpers/private-database';
import { countEventsOf } from '../../helpers/sql';

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
