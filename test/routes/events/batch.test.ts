import { describe, expect, it } from 'vitest';
import { BASE, event, postJson, uniqueCompanyId } from '../../helpers/app';
import { countEventsOf } from '../../helpers/sql';

describe('batch', () => {
  it('stores valid items, reports each invalid one by index, in one call', async () => {
    const company = uniqueCompanyId();
    const dup = crypto.randomUUID();
    const response = await postJson(`${BASE}/batch`, {
      events: [
        event({ company_id: company, user: 'a', event_id: dup }),
        event({ company_id: company, user: 'b', functionality: 'Billing' }),
        event({ company_id: company, user: 'c', event_type: 'Item updated' }),
        { ...event({ company_id: company }), user: 'x'.repeat(21) },
        event({ company_id: company, user: 'e', event_id: dup }),
        'not an object',
        event({ company_id: company, user: 'g', functionality: 'Price Management', event_type: 'Item updated' }),
      ],
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      created: number;
      duplicates: number;
      failed: number;
      results: { index: number; id: number | null; duplicate: boolean; errors?: { loc: unknown[]; msg: string }[] }[];
    };
    expect(body).toMatchObject({ created: 2, duplicates: 1, failed: 4 });
    expect(body.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(body.results[1]?.errors?.[0]?.msg).toBe('Unknown functionalityname found: Billing');
    expect(body.results[2]?.errors?.[0]?.msg).toBe('Unknown eventtypename found: Item updated');
    expect(body.results[3]?.errors?.[0]).toMatchObject({
      loc: ['body', 'events', 3, 'user'],
      msg: 'String should have at most 20 characters',
    });
    expect(body.results[4]).toMatchObject({ id: body.results[0]?.id, duplicate: true });
    expect(body.results[5]?.errors?.[0]?.loc).toEqual(['body', 'events', 5]);
    expect(await countEventsOf(company)).toBe(2);
  });

  it('without any event_id (the statement without idempotency bookkeeping) stores the rest and reports unknown names by index', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/batch`, {
      events: [
        event({ company_id: company, user: 'a' }),
        event({ company_id: company, user: 'b', functionality: 'Billing' }),
        event({ company_id: company, user: 'c', event_type: 'Item updated' }),
        event({ company_id: company, user: 'd', event_timestamp: '2019-05-05T12:00:00Z' }),
        event({ company_id: company, user: 'e' }),
      ],
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      created: number;
      duplicates: number;
      failed: number;
      results: { index: number; id: number | null; duplicate: boolean; errors?: { msg: string }[] }[];
    };
    expect(body).toMatchObject({ created: 3, duplicates: 0, failed: 2 });
    expect(body.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(body.results[1]?.errors?.[0]?.msg).toBe('Unknown functionalityname found: Billing');
    expect(body.results[2]?.errors?.[0]?.msg).toBe('Unknown eventtypename found: Item updated');
    const ids = [0, 3, 4].map((i) => body.results[i]?.id);
    expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(3);
    expect(body.results.every((r) => r.duplicate === false)).toBe(true);
    expect(await countEventsOf(company)).toBe(3);
  });

  it('answers 422 with every reason when no item could be stored', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/batch`, {
      events: [
        event({ company_id: company, functionality: 'Billing' }),
        { ...event({ company_id: company }), user: 'x'.repeat(21) },
      ],
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as {
      created: number;
      failed: number;
      detail: { loc: unknown[]; msg: string }[];
    };
    expect(body).toMatchObject({ created: 0, failed: 2 });
    expect(body.detail.map((d) => d.loc)).toEqual([
      ['body', 'events', 0, 'functionality'],
      ['body', 'events', 1, 'user'],
    ]);
    expect(await countEventsOf(company)).toBe(0);
  });

  it('answers 201 when every item is stored', async () => {
    const company = uniqueCompanyId();
    const events = Array.from({ length: 250 }, (_, i) => event({ company_id: company, user: `u${i}` }));
    const response = await postJson(`${BASE}/batch`, { events });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ created: 250, failed: 0 });
    expect(await countEventsOf(company)).toBe(250);
  });

  it('413 past 1000 events, storing nothing', async () => {
    const company = uniqueCompanyId();
    const events = Array.from({ length: 1001 }, () => event({ company_id: company, additional_data: null }));
    const response = await postJson(`${BASE}/batch`, { events });
    expect(response.status).toBe(413);
    expect(await countEventsOf(company)).toBe(0);
  });
});
