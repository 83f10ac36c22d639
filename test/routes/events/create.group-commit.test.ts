import { describe, expect, it } from 'vitest';
import { BASE, event, postJson, uniqueCompanyId } from '../../helpers/app';
import { countEventsOf, query } from '../../helpers/sql';

/**
 * Creates sent in parallel to one isolate (which the group commit may put into one INSERT,
 * src/db/grouped-ingest.ts): however they are grouped, each request gets its own answer.
 * test/db/grouped-ingest.test.ts covers groups whose members are known. These calls share the
 * test's request context: the vitest pool runs the Worker with
 * no_handle_cross_request_promise_resolution, so members in separate requests (SELF.fetch) cannot
 * be tested here; the benchmark's create scenario runs them (docs/group-commit.md).
 */
interface Created {
  StatusCode: number;
  id: number;
  duplicate: boolean;
}

describe('parallel creates in one isolate', () => {
  it('all land, each answered with the id of its own row', async () => {
    const company = uniqueCompanyId();
    const bodies = Array.from({ length: 40 }, (_, i) =>
      event({ company_id: company, message: `parallel create ${i}` }),
    );
    const responses = await Promise.all(bodies.map((body) => postJson(`${BASE}/create`, body)));
    expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 201));
    const answers = (await Promise.all(responses.map((r) => r.json()))) as Created[];
    expect(new Set(answers.map((a) => a.id)).size).toBe(40);
    expect(answers.every((a) => a.duplicate === false)).toBe(true);

    const rows = await query<{ id: string; message: string }>(
      'SELECT id, message FROM auditevents WHERE companyid = $1',
      [company],
    );
    const messageById = new Map(rows.map((r) => [Number(r.id), r.message]));
    expect(rows).toHaveLength(40);
    answers.forEach((answer, i) => {
      expect(messageById.get(answer.id)).toBe(bodies[i]?.message);
    });
  });

  it('one event_id sent by several at once: one row, every answer its id, exactly one not a duplicate', async () => {
    const company = uniqueCompanyId();
    const body = event({ company_id: company, event_id: crypto.randomUUID() });
    const responses = await Promise.all(Array.from({ length: 8 }, () => postJson(`${BASE}/create`, body)));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
    const answers = (await Promise.all(responses.map((r) => r.json()))) as Created[];
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(await countEventsOf(company)).toBe(1);
  });

  it('a bad event among parallel ones gets its own 400 or 422; the others are stored', async () => {
    const company = uniqueCompanyId();
    const good = Array.from({ length: 6 }, (_, i) => event({ company_id: company, message: `good ${i}` }));
    const responses = await Promise.all([
      ...good.map((body) => postJson(`${BASE}/create`, body)),
      postJson(`${BASE}/create`, event({ company_id: company, functionality: 'Billing' })),
      postJson(`${BASE}/create`, { ...event({ company_id: company }), user: 'x'.repeat(21) }),
    ]);
    const statuses = responses.map((r) => r.status);
    expect(statuses).toEqual([...good.map(() => 201), 400, 422]);
    expect(await responses[6]?.json()).toMatchObject({
      StatusCode: 400,
      message: 'Unknown functionalityname found: Billing',
    });
    expect(await countEventsOf(company)).toBe(6);
  });
});
