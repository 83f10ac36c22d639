import { describe, expect, it } from 'vitest';
import { BASE, createEvent, event, postJson, search, uniqueCompanyId } from '../../helpers/app';
import { countEventsOf, query } from '../../helpers/sql';

async function withDirectory(companyId: number) {
  await query(`INSERT INTO companies VALUES ($1, 'Acme Retail') ON CONFLICT DO NOTHING`, [companyId]);
  await query(`INSERT INTO storelocations VALUES ($1, 101, 'Downtown') ON CONFLICT DO NOTHING`, [companyId]);
}

describe('create', () => {
  it('stores the event and answers with the compat body and the new id', async () => {
    const company = uniqueCompanyId();
    await withDirectory(company);
    const response = await postJson(
      `${BASE}/create`,
      event({ company_id: company, event_timestamp: '2026-11-20T10:00:00-06:00' }),
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as { StatusCode: number; message: string; id: number; duplicate: boolean };
    expect(body).toMatchObject({ StatusCode: 201, message: 'Audit event created successfully', duplicate: false });
    const { events } = await search({ company_id: company });
    expect(events).toEqual([
      {
        Id: body.id,
        EventTimestamp: '11-20-2026 10:00:00',
        EventTimestampISO: '2026-11-20T10:00:00.000-06:00',
        Functionality: 'Authenticate',
        EventType: 'Login',
        StoreLocationID: 101,
        StoreName: 'Downtown',
        CompanyId: company,
        CompanyName: 'Acme Retail',
        UserName: 'jdoe',
        Message: 'User logged in successfully',
        Status: 'Success',
        AdditionalData: { ip: '192.168.1.10', browser: 'Chrome' },
      },
    ]);
  });

  it('reads a timestamp without an offset as Central Time, and Z as UTC', async () => {
    const company = uniqueCompanyId();
    await createEvent(event({ company_id: company, event_timestamp: '2026-07-04T09:15:00', user: 'naive' }));
    await createEvent(event({ company_id: company, event_timestamp: '2026-07-04T14:15:00Z', user: 'utc' }));
    const { events } = await search({ company_id: company });
    // Same instant, so newest id first.
    expect(events.map((e) => [e.UserName, e.EventTimestamp])).toEqual([
      ['utc', '07-04-2026 09:15:00'],
      ['naive', '07-04-2026 09:15:00'],
    ]);
    const rows = await query<{ t: string }>(
      `SELECT to_char(eventtimestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS t FROM auditevents WHERE companyid = $1`,
      [company],
    );
    expect(rows.map((r) => r.t)).toEqual(['2026-07-04 14:15', '2026-07-04 14:15']);
  });

  it('keeps the two 01:30 of the autumn DST change apart and in order', async () => {
    const company = uniqueCompanyId();
    // 2026-11-01 01:30 happens twice in Chicago: 06:30Z (CDT) and 07:30Z (CST).
    await createEvent(event({ company_id: company, event_timestamp: '2026-11-01T01:30:00-06:00', user: 'second' }));
    await createEvent(event({ company_id: company, event_timestamp: '2026-11-01T01:30:00-05:00', user: 'first' }));
    const { events } = await search({ company_id: company });
    expect(events.map((e) => [e.UserName, e.EventTimestamp, e.EventTimestampISO])).toEqual([
      ['second', '11-01-2026 01:30:00', '2026-11-01T01:30:00.000-06:00'],
      ['first', '11-01-2026 01:30:00', '2026-11-01T01:30:00.000-05:00'],
    ]);
  });

  it('defaults status to Success and accepts null store, user and additional_data', async () => {
    const company = uniqueCompanyId();
    const body = event({ company_id: company, store_id: null, user: null, additional_data: null });
    delete body.status;
    await createEvent(body);
    const [stored] = (await search({ company_id: company })).events;
    expect(stored).toMatchObject({
      Status: 'Success',
      StoreLocationID: null,
      StoreName: null,
      UserName: null,
      AdditionalData: null,
      CompanyName: null,
    });
  });

  it('accepts digit strings for ids, as the old service did', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/create`, {
      ...event({ company_id: company }),
      company_id: String(company),
      store_id: '7',
    });
    expect(response.status).toBe(201);
    expect((await search({ company_id: company })).events[0]).toMatchObject({ CompanyId: company, StoreLocationID: 7 });
  });

  it('stores the longest message allowed even when it does not compress (no index holds the message)', async () => {
    const company = uniqueCompanyId();
    const bytes = crypto.getRandomValues(new Uint8Array(7_500));
    const message = btoa(String.fromCharCode(...bytes)).slice(0, 10_000);
    expect(message.length).toBe(10_000);
    await createEvent(event({ company_id: company, message }));
    const [stored] = (await search({ company_id: company, message_pattern: message.slice(5_000, 5_040) })).events;
    expect(stored?.Message).toBe(message);
  });

  it('stores an event for a month that has no partition yet', async () => {
    const company = uniqueCompanyId();
    await createEvent(event({ company_id: company, event_timestamp: '2023-02-14T12:00:00Z' }));
    expect(await countEventsOf(company)).toBe(1);
  });
});

describe('idempotency', () => {
  it('a retried event_id returns the original id and stores one row', async () => {
    const company = uniqueCompanyId();
    const body = event({ company_id: company, event_id: crypto.randomUUID() });
    const first = (await (await postJson(`${BASE}/create`, body)).json()) as { id: number; duplicate: boolean };
    const again = await postJson(`${BASE}/create`, body);
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({ id: first.id, duplicate: true });
    expect(first.duplicate).toBe(false);
    expect(await countEventsOf(company)).toBe(1);
  });

  it('an event_id identifies an event within its company: another company reusing it stores its own', async () => {
    const [a, b] = [uniqueCompanyId(), uniqueCompanyId()];
    const eventId = crypto.randomUUID();
    const first = (await (await postJson(`${BASE}/create`, event({ company_id: a, event_id: eventId }))).json()) as {
      id: number;
    };
    const other = await postJson(`${BASE}/create`, event({ company_id: b, event_id: eventId }));
    expect(other.status).toBe(201);
    const body = (await other.json()) as { id: number; duplicate: boolean };
    expect(body.duplicate).toBe(false);
    expect(body.id).not.toBe(first.id);
    expect(await countEventsOf(a)).toBe(1);
    expect(await countEventsOf(b)).toBe(1);
  });

  it('concurrent copies of one event store one row and all get its id', async () => {
    const company = uniqueCompanyId();
    const body = event({ company_id: company, event_id: crypto.randomUUID() });
    const responses = await Promise.all(Array.from({ length: 8 }, () => postJson(`${BASE}/create`, body)));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { id: number; duplicate: boolean }[];
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    expect(await countEventsOf(company)).toBe(1);
  });
});
