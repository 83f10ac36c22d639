import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BASE, call, event, get, postJson, uniqueCompanyId } from '../helpers/app';

describe('database drivers', () => {
  const neon = {
    DB_DRIVER: 'neon',
    NEON_DATABASE_URL: env.TEST_DATABASE_URL,
    NEON_LOCAL_WS_PROXY: env.TEST_NEON_WS_PROXY,
  } as Partial<Env>;

  it('serves the same answers over the Neon serverless driver', async () => {
    const overNeon = await get(`${BASE}/get-all-auditfunctionalities`, {}, neon);
    const overHyperdrive = await get(`${BASE}/get-all-auditfunctionalities`);
    expect(overNeon.status).toBe(200);
    expect(await overNeon.json()).toEqual(await overHyperdrive.json());
    expect((await call('/pyaudit/api/healthcheck', {}, neon)).status).toBe(200);
  });

  it('creates, batches and searches over the Neon serverless driver', async () => {
    const company = uniqueCompanyId();
    const created = await postJson(`${BASE}/create`, event({ company_id: company, user: 'over-neon' }), neon);
    expect(created.status).toBe(201);
    const batch = await postJson(
      `${BASE}/batch`,
      { events: [event({ company_id: company, user: 'batch-neon' })] },
      neon,
    );
    expect(batch.status).toBe(201);
    const found = (await (await get(`${BASE}/search?company_id=${company}`, {}, neon)).json()) as {
      total_count: number;
      events: { UserName: string }[];
    };
    expect(found.total_count).toBe(2);
    expect(found.events.map((e) => e.UserName).sort()).toEqual(['batch-neon', 'over-neon']);
  });
});
