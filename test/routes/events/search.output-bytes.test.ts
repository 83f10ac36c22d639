import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, event, get, postJson, uniqueCompanyId } from '../../helpers/app';
import { query } from '../../helpers/sql';

// The exact bytes of the events a search, recent and the ndjson export answer, for rows that are
// easy to get subtly wrong: nulls from the left joins and the nullable columns, text that JSON
// must escape, the two 01:30s of the autumn DST change, microseconds, and additional data whose
// key order and numbers come from jsonb. Pins the output while the read path changes underneath
// (issue 18: rows read without drizzle's mapping, Central Time formatting cached per hour).
describe('event objects, byte for byte', () => {
  const company = uniqueCompanyId();
  const unnamed = uniqueCompanyId();
  const message = 'Prix mis à jour: "3,99 €" \\ 😀 <b>&amp;</b>';

  beforeAll(async () => {
    await query(`INSERT INTO companies VALUES ($1, 'Café "Ünïcode" 株式会社')`, [company]);
    await query(`INSERT INTO storelocations VALUES ($1, 7, 'Nord/Süd ✓')`, [company]);
    const body = {
      events: [
        event({
          company_id: company,
          store_id: 7,
          user: 'zoë',
          event_timestamp: '2026-11-01T06:30:00.123456Z', // 01:30:00.123 CDT, the first 01:30
          message,
          additional_data: {
            zeta: { list: [1, 'two', { three: null }, [true, false]], 'ü-key': 'é😀' },
            a: 1.5,
            big: 'BIG', // a 20-digit integer, written into the JSON text below
            exp: 1e21,
            empty: {},
            quote: 'say "hi"\\',
          },
        }),
        event({
          company_id: company,
          store_id: 8, // no such store: StoreName null
          user: null,
          event_timestamp: '2026-11-01T07:30:00Z', // 01:30:00 CST, the second 01:30
          message: 'second half hour',
          status: 'Failed',
          additional_data: null,
        }),
        event({
          company_id: company,
          store_id: null,
          event_timestamp: '2026-10-15T04:59:59.999Z', // 23:59:59.999 CDT the day before
          message: 'no store',
          additional_data: { n: 0, neg: -0.25, s: '' },
        }),
        event({ company_id: unnamed, event_timestamp: '2026-11-20T16:00:00Z', message: 'no company name' }),
      ],
    };
    const response = await postJson(`${BASE}/batch`, JSON.stringify(body).replace('"BIG"', '12345678901234567890'));
    expect(response.status).toBe(201);
  });

  const expected = [
    {
      Id: 0,
      EventTimestamp: '11-01-2026 01:30:00',
      EventTimestampISO: '2026-11-01T01:30:00.000-06:00',
      Functionality: 'Authenticate',
      EventType: 'Login',
      StoreLocationID: 8,
      StoreName: null,
      CompanyId: company,
      CompanyName: 'Café "Ünïcode" 株式会社',
      UserName: null,
      Message: 'second half hour',
      Status: 'Failed',
      AdditionalData: null,
    },
    {
      Id: 0,
      EventTimestamp: '11-01-2026 01:30:00',
      EventTimestampISO: '2026-11-01T01:30:00.123-05:00',
      Functionality: 'Authenticate',
      EventType: 'Login',
      StoreLocationID: 7,
      StoreName: 'Nord/Süd ✓',
      CompanyId: company,
      CompanyName: 'Café "Ünïcode" 株式会社',
      UserName: 'zoë',
      Message: message,
      Status: 'Success',
      // jsonb's key order (shorter keys first), its numbers as JavaScript reads them.
      AdditionalData: {
        a: 1.5,
        big: Number('12345678901234567890'), // 12345678901234567000 in JSON
        exp: 1e21,
        zeta: { list: [1, 'two', { three: null }, [true, false]], 'ü-key': 'é😀' },
        empty: {},
        quote: 'say "hi"\\',
      },
    },
    {
      Id: 0,
      EventTimestamp: '10-14-2026 23:59:59',
      EventTimestampISO: '2026-10-14T23:59:59.999-05:00',
      Functionality: 'Authenticate',
      EventType: 'Login',
      StoreLocationID: null,
      StoreName: null,
      CompanyId: company,
      CompanyName: 'Café "Ünïcode" 株式会社',
      UserName: 'jdoe',
      Message: 'no store',
      Status: 'Success',
      AdditionalData: { n: 0, s: '', neg: -0.25 },
    },
  ];

  /** The expected events with the ids the database gave them, in the answer's order. */
  const withIds = (ids: number[]) => expected.map((e, i) => ({ ...e, Id: ids[i] }));

  it('search answers exactly these bytes', async () => {
    const response = await get(`${BASE}/search?company_id=${company}`);
    const text = await response.text();
    const body = JSON.parse(text) as { events: { Id: number }[] };
    expect(body.events.length).toBe(3);
    // The envelope as the route wrote it, the events as expected: the same text.
    expect(text).toBe(JSON.stringify({ ...body, events: withIds(body.events.map((e) => e.Id)) }));
  });

  it('the ndjson export writes the same objects, one per line', async () => {
    const response = await get(`${BASE}/export?company_id=${company}&format=ndjson`);
    expect(response.status).toBe(200);
    const lines = (await response.text()).trimEnd().split('\n');
    const ids = lines.map((line) => (JSON.parse(line) as { Id: number }).Id);
    expect(lines).toEqual(withIds(ids).map((e) => JSON.stringify(e)));
  });

  it('a company without a directory entry has a null name', async () => {
    const text = await (await get(`${BASE}/search?company_id=${unnamed}`)).text();
    expect(text).toContain(`"CompanyId":${unnamed},"CompanyName":null,"UserName":"jdoe"`);
    expect(text).toContain(
      '"EventTimestamp":"11-20-2026 10:00:00","EventTimestampISO":"2026-11-20T10:00:00.000-06:00"',
    );
  });
});
