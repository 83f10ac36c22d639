import { describe, expect, it } from 'vitest';
import { BASE, event, postJson, uniqueCompanyId } from '../../helpers/app';
import { expectHashMatches, storedEvent } from '../../helpers/integrity';

describe('POST /audit-events/batch: the event hash (issue 14.1)', () => {
  it('batch stores a hash for every item, nulls included', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/batch`, {
      events: [
        event({ company_id: company, additional_data: null, store_id: null, user: null }),
        event({ company_id: company, additional_data: { n: [1.25, -3] }, status: 'Failed' }),
      ],
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { results: { id: number }[] };
    const ids = body.results.map((r) => r.id);
    expect(ids.length).toBe(2);
    for (const id of ids) expectHashMatches(await storedEvent(id));
  });
});
