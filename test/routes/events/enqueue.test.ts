import { describe, expect, it } from 'vitest';
import { BATCH_MAX_EVENTS } from '../../../src/routes/events/schemas';
import { BASE, event, get, postJson, uniqueCompanyId } from '../../helpers/app';
import { deadLettersOf, eventually } from '../../helpers/ingest';
import { as, createKey } from '../../helpers/keys';
import { hyperdriveAt } from '../../helpers/private-database';
import { countEventsOf, query } from '../../helpers/sql';

/**
 * POST /audit-events/enqueue through the real (miniflare) queue: the consumer in the same Worker
 * stores what was accepted in the background, so the tests wait for the rows to appear.
 */
const CLOSED_PORT = hyperdriveAt('postgres://postgres:x@127.0.0.1:1/x');

interface EnqueueBody {
  StatusCode: number;
  accepted: number;
  failed: number;
  delivery: string;
  catalogue_checked: boolean;
  results: { index: number; event_id: string | null; errors?: { loc: unknown[]; type: string }[] }[];
  detail?: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const storedOnce = (company: number, n: number) =>
  eventually(async () => (await countEventsOf(company)) >= n, `${n} events of company ${company}`);

describe('enqueue: one create body', () => {
  it('answers 202 with a generated event_id, and the consumer stores the event once', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/enqueue`, event({ company_id: company, message: 'queued one' }));
    expect(response.status).toBe(202);
    const body = (await response.json()) as EnqueueBody;
    expect(body).toMatchObject({
      StatusCode: 202,
      accepted: 1,
      failed: 0,
      delivery: 'queued',
      catalogue_checked: true,
    });
    const eventId = body.results[0]?.event_id;
    expect(eventId).toMatch(UUID);
    await storedOnce(company, 1);
    const rows = await query<{ eventid: string; message: string }>(
      'SELECT eventid, message FROM auditevents_all WHERE companyid = $1',
      [company],
    );
    expect(rows).toEqual([{ eventid: eventId, message: 'queued one' }]);
  });

  it('keeps the caller’s event_id; enqueuing it twice still stores one row', async () => {
    const company = uniqueCompanyId();
    const body = event({ company_id: company, event_id: crypto.randomUUID() });
    for (let i = 0; i < 2; i++) {
      const response = await postJson(`${BASE}/enqueue`, body);
      expect(response.status).toBe(202);
      expect(((await response.json()) as EnqueueBody).results[0]?.event_id).toBe(body.event_id);
    }
    await storedOnce(company, 1);
    // Both messages are consumed (the status tracker settles both keys) before we count again.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await countEventsOf(company)).toBe(1);
  });

  it('refuses like create: 422 for shape and timestamps, 400 for an unknown name; nothing queued', async () => {
    const company = uniqueCompanyId();
    const bad = await postJson(`${BASE}/enqueue`, { ...event({ company_id: company }), user: 'x'.repeat(21) });
    expect(bad.status).toBe(422);
    const future = await postJson(
      `${BASE}/enqueue`,
      event({ company_id: company, event_timestamp: new Date(Date.now() + 3 * 86_400_000).toISOString() }),
    );
    expect(future.status).toBe(422);
    expect(JSON.stringify(await future.json())).toMatch(/datetime_future/);
    const unknown = await postJson(`${BASE}/enqueue`, event({ company_id: company, functionality: 'NoSuchThing' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ message: 'Unknown functionalityname found: NoSuchThing' });
    const reserved = await postJson(
      `${BASE}/enqueue`,
      event({ company_id: company, functionality: 'Audit Service', event_type: 'Search' }),
    );
    expect(reserved.status).toBe(422);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await countEventsOf(company)).toBe(0);
    expect(await deadLettersOf(company)).toEqual([]);
  });
});

describe('enqueue: a batch body', () => {
  it('checks every item, queues the valid ones (207) and answers each with its event_id or errors', async () => {
    const company = uniqueCompanyId();
    const given = crypto.randomUUID();
    const response = await postJson(`${BASE}/enqueue`, {
      events: [
        event({ company_id: company, event_id: given }),
        { ...event({ company_id: company }), status: 'Maybe' },
        event({ company_id: company, event_type: 'NoSuchType' }),
        event({ company_id: company }),
      ],
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as EnqueueBody;
    expect(body).toMatchObject({ StatusCode: 207, accepted: 2, failed: 2 });
    expect(body.results.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(body.results[0]?.event_id).toBe(given);
    expect(body.results[1]?.errors?.[0]?.loc).toEqual(['body', 'events', 1, 'status']);
    expect(body.results[2]?.errors?.[0]).toMatchObject({
      loc: ['body', 'events', 2, 'event_type'],
      type: 'unknown_event_type',
    });
    expect(body.results[3]?.event_id).toMatch(UUID);
    await storedOnce(company, 2);
    const ids = await query<{ eventid: string }>(
      'SELECT eventid FROM auditevents_all WHERE companyid = $1 ORDER BY eventid',
      [company],
    );
    expect(ids.map((r) => r.eventid).sort()).toEqual([given, body.results[3]?.event_id].sort());
  });

  it('every item refused: 422 with the list, nothing queued; past the limit: 413', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/enqueue`, { events: [{ company_id: company }, 'not an event'] });
    expect(response.status).toBe(422);
    const body = (await response.json()) as EnqueueBody;
    expect(body.accepted).toBe(0);
    expect(Array.isArray(body.detail)).toBe(true);
    const tooMany = await postJson(`${BASE}/enqueue`, {
      events: Array.from({ length: BATCH_MAX_EVENTS + 1 }, () => event({ company_id: company })),
    });
    expect(tooMany.status).toBe(413);
    expect((await postJson(`${BASE}/enqueue`, { events: [] })).status).toBe(422);
  });

  it('a large batch is split under the queue’s message and sendBatch limits and stored whole', async () => {
    const company = uniqueCompanyId();
    // 600 events of ~1.4 KB: ~850 KB, more than 128 KB a message and 256 KB a sendBatch.
    const events = Array.from({ length: 600 }, (_, i) =>
      event({ company_id: company, message: `large batch ${i} ${'x'.repeat(1300)}`, additional_data: { i } }),
    );
    const response = await postJson(`${BASE}/enqueue`, { events });
    expect(response.status, await response.clone().text()).toBe(202);
    expect(((await response.json()) as EnqueueBody).accepted).toBe(600);
    await storedOnce(company, 600);
    const [row] = await query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT message)::int AS distinct FROM auditevents_all WHERE companyid = $1',
      [company],
    );
    expect(row).toEqual({ n: 600, distinct: 600 });
  });
});

describe('enqueue in the OpenAPI document', () => {
  it('documents either body (create or batch) and the 202/207 result', async () => {
    const response = await get('/pyaudit/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      paths: Record<string, { post?: { requestBody: unknown; responses: Record<string, unknown> } }>;
    };
    const post = doc.paths['/pyaudit/api/audit-events/enqueue']?.post;
    expect(JSON.stringify(post?.requestBody)).toContain('#/components/schemas/AuditEventBatch');
    expect(JSON.stringify(post?.requestBody)).toContain('#/components/schemas/AuditEventCreate');
    expect(Object.keys(post?.responses ?? {})).toEqual(expect.arrayContaining(['202', '207', '422', '503']));
  });
});

describe('enqueue: tenants and scopes', () => {
  it('a key limited to a company may enqueue only for it (403 for a single body, per item in a batch)', async () => {
    const mine = uniqueCompanyId();
    const other = uniqueCompanyId();
    const key = await createKey({ scopes: ['events:write'], companies: [mine] });
    const single = await as(key.key).post(`${BASE}/enqueue`, event({ company_id: other }));
    expect(single.status).toBe(403);
    const batch = await as(key.key).post(`${BASE}/enqueue`, {
      events: [event({ company_id: mine }), event({ company_id: other })],
    });
    expect(batch.status).toBe(207);
    const body = (await batch.json()) as EnqueueBody;
    expect(body.results[1]?.errors?.[0]).toMatchObject({ loc: ['body', 'events', 1, 'company_id'], type: 'forbidden' });
    await storedOnce(mine, 1);
    expect(await countEventsOf(other)).toBe(0);
  });

  it('a key without events:write is refused (403), whatever the body', async () => {
    const reader = await createKey({ scopes: ['events:read'] });
    const company = uniqueCompanyId();
    const response = await as(reader.key).post(`${BASE}/enqueue`, event({ company_id: company }));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ detail: 'This API key lacks the scope events:write' });
  });
});

describe('enqueue with the database unreachable', () => {
  it('still answers 202 (catalogue left to the consumer) and the events are stored once it can', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(
      `${BASE}/enqueue`,
      { events: [event({ company_id: company }), event({ company_id: company })] },
      CLOSED_PORT,
    );
    expect(response.status).toBe(202);
    const body = (await response.json()) as EnqueueBody;
    expect(body).toMatchObject({ accepted: 2, catalogue_checked: false, delivery: 'queued' });
    // The queue's consumer runs with the Worker's own binding, which reaches the database.
    await storedOnce(company, 2);
  });

  it('an event the catalogue would refuse is accepted, then dead-lettered by the consumer with its reason', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(
      `${BASE}/enqueue`,
      event({ company_id: company, functionality: 'NoSuchThing' }),
      CLOSED_PORT,
    );
    expect(response.status).toBe(202);
    const eventId = ((await response.json()) as EnqueueBody).results[0]?.event_id;
    await eventually(async () => (await deadLettersOf(company)).length > 0, 'the dead letter');
    expect(await deadLettersOf(company)).toEqual([
      expect.objectContaining({ event_id: eventId, reason: 'unknown_functionality', failures: 1 }),
    ]);
    expect(await countEventsOf(company)).toBe(0);
  });
});

describe('enqueue without a queue binding (npm run serve: workerd has no Queues)', () => {
  const NO_QUEUE = { INGEST_QUEUE: undefined } as unknown as Partial<Env>;

  it('writes directly: 202 with delivery "stored", the rows committed before the answer', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(
      `${BASE}/enqueue`,
      { events: [event({ company_id: company }), event({ company_id: company })] },
      NO_QUEUE,
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: 2, delivery: 'stored', catalogue_checked: true });
    expect(await countEventsOf(company)).toBe(2);
    const status = (await (await get('/pyaudit/api/admin/ingest/status', {}, NO_QUEUE)).json()) as {
      queue_bound: boolean;
    };
    expect(status.queue_bound).toBe(false);
  });

  it('with the database down there is nowhere to keep the events: 503, as for create', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/enqueue`, event({ company_id: company }), { ...NO_QUEUE, ...CLOSED_PORT });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0);
  });
});
