import { describe, expect, it } from 'vitest';
import { call, get, uniqueCompanyId } from '../../helpers/app';
import { deliver, messagesOf, queuedEvent } from '../../helpers/ingest';
import { ADMIN_BASE, as, createKey } from '../../helpers/keys';

const DEAD_LETTERS = `${ADMIN_BASE}/ingest/dead-letters`;

interface DeadLetters {
  dead_letters: { id: number; event_id: string | null; reason: string; replayed_id: number | null }[];
  next_before_id: number | null;
}

describe('GET /admin/ingest/dead-letters', () => {
  it('lists a dead letter with its reason, newest first, pages with before_id', async () => {
    const company = uniqueCompanyId();
    const bad = [
      queuedEvent({ company_id: company, ts: 'not a time' }),
      queuedEvent({ company_id: company, ts: 'nor this' }),
    ];
    await deliver(messagesOf(bad as never[]));
    const response = await get(`${DEAD_LETTERS}?limit=500`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as DeadLetters;
    const mine = body.dead_letters.filter((d) => d.event_id === bad[0]?.event_id || d.event_id === bad[1]?.event_id);
    expect(mine.map((d) => d.reason)).toEqual(['rejected_by_database', 'rejected_by_database']);
    expect(mine[0]?.id).toBeGreaterThan(mine[1]?.id ?? Infinity);

    const page = (await (await get(`${DEAD_LETTERS}?limit=1&before_id=${mine[0]?.id}`)).json()) as DeadLetters;
    expect(page.dead_letters.length).toBe(1);
    expect(page.dead_letters[0]?.id).toBeLessThan(mine[0]?.id ?? 0);
    expect(page.next_before_id).toBe(page.dead_letters[0]?.id);
  });

  it('needs an admin key; refuses a bad limit with a 422', async () => {
    expect((await call(DEAD_LETTERS, { headers: { 'CSIQ-APIKEY': 'wrong' } })).status).toBe(401);
    const writer = await createKey({ scopes: ['events:write'] });
    expect((await as(writer.key).get(DEAD_LETTERS)).status).toBe(403);
    expect((await get(`${DEAD_LETTERS}?limit=0`)).status).toBe(422);
  });
});
