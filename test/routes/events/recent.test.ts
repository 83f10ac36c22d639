import { describe, expect, it } from 'vitest';
import { BASE, event, get, postJson, uniqueCompanyId } from '../../helpers/app';

describe('recent', () => {
  it('answers the newest events in the compat envelope, limit defaulting to 500', async () => {
    const company = uniqueCompanyId();
    await postJson(
      `${BASE}/create`,
      event({ company_id: company, event_timestamp: new Date().toISOString(), user: 'newest' }),
    );
    const response = await get(`${BASE}/recent`);
    const body = (await response.json()) as { StatusCode: number; message: string; count: number; events: unknown[] };
    expect(body).toMatchObject({ StatusCode: 200, message: 'Data fetched successfully' });
    expect(body.count).toBe(body.events.length);
    expect(body.count).toBeLessThanOrEqual(500);
    const small = (await (await get(`${BASE}/recent?limit=3`)).json()) as { count: number };
    expect(small.count).toBeLessThanOrEqual(3);
    expect((await get(`${BASE}/recent?limit=5001`)).status).toBe(422);
  });
});
