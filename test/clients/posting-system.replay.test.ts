import { describe, expect, it } from 'vitest';
import { formatCentral } from '../../src/lib/central-time';
import { call, KEY, search, uniqueCompanyId } from '../helpers/app';

/**
 * The systems that post events, replayed as ../shared/CLIENTS.md (section 2) describes them:
 * the seed's create body one event at a time, reading only the body's StatusCode and message.
 * Some send an offset, some a naive (Central Time) time, some fractional seconds; some send
 * fields the service does not know, and optional fields as null. Every one of those events must
 * be stored, and come back as sent. Issue 11.7.
 */

const CREATE = '/pyaudit/api/audit-events/create';

/** A posting system: JSON.stringify of its body, the key header, and nothing else read but the body. */
async function post(body: Record<string, unknown>): Promise<{ StatusCode: number; message: string; id?: number }> {
  const response = await call(CREATE, {
    method: 'POST',
    headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as { StatusCode: number; message: string; id?: number };
}

/** Yesterday's Central date as YYYY-MM-DD: inside the live partitions and never in the future. */
function centralYesterday(): string {
  const [month, day, year] = formatCentral(Date.now() - 86_400_000)
    .slice(0, 10)
    .split('-');
  return `${year}-${month}-${day}`;
}

describe('a posting system, replayed', () => {
  const company = uniqueCompanyId();
  const day = centralYesterday();
  const seed = (overrides: Record<string, unknown>) => ({
    event_timestamp: `${day}T10:30:00Z`,
    functionality: 'Authenticate',
    event_type: 'Login',
    store_id: 101,
    company_id: company,
    user: 'jdoe',
    message: 'User logged in successfully',
    status: 'Success',
    additional_data: { ip: '192.168.1.10', browser: 'Chrome' },
    ...overrides,
  });

  const cases: { name: string; body: Record<string, unknown>; instant: number; status?: string }[] = [
    {
      name: 'offset -05:00',
      body: seed({ message: 'offset', event_timestamp: `${day}T10:30:00-05:00` }),
      instant: Date.parse(`${day}T15:30:00Z`),
    },
    {
      name: 'offset +05:30',
      body: seed({ message: 'offset plus', event_timestamp: `${day}T22:00:00+05:30` }),
      instant: Date.parse(`${day}T16:30:00Z`),
    },
    {
      name: 'naive time (Central)',
      body: seed({ message: 'naive', event_timestamp: `${day}T10:30:00` }),
      // Checked below through the Central display, whatever the offset of that day.
      instant: Number.NaN,
    },
    {
      name: 'fractional seconds with Z',
      body: seed({ message: 'fraction z', event_timestamp: `${day}T10:30:00.123456Z` }),
      instant: Date.parse(`${day}T10:30:00.123Z`),
    },
    {
      name: 'fractional seconds with an offset',
      body: seed({ message: 'fraction offset', event_timestamp: `${day}T10:30:00.5-06:00` }),
      instant: Date.parse(`${day}T16:30:00.500Z`),
    },
    {
      name: 'naive fractional seconds',
      body: seed({ message: 'fraction naive', event_timestamp: `${day}T10:30:00.250` }),
      instant: Number.NaN,
    },
    {
      name: 'unknown fields',
      body: seed({ message: 'extra fields', source_system: 'POS-7', terminal: 12, retry: true, id: 99 }),
      instant: Date.parse(`${day}T10:30:00Z`),
    },
    {
      name: 'optional fields null: store_id, additional_data, status, event_id',
      body: seed({ message: 'nulls', store_id: null, additional_data: null, status: null, event_id: null }),
      instant: Date.parse(`${day}T10:30:00Z`),
      status: 'Success',
    },
    {
      name: 'an empty status',
      body: seed({ message: 'empty status', status: '' }),
      instant: Date.parse(`${day}T10:30:00Z`),
      status: 'Success',
    },
    {
      name: 'Failed',
      body: seed({ message: 'failed one', status: 'Failed' }),
      instant: Date.parse(`${day}T10:30:00Z`),
      status: 'Failed',
    },
  ];

  it('every event is answered StatusCode 201 "Audit event created successfully" and stored as sent', async () => {
    const ids = new Map<string, number>();
    for (const c of cases) {
      const answer = await post(c.body);
      // All a posting system reads.
      expect({ StatusCode: answer.StatusCode, message: answer.message }, c.name).toEqual({
        StatusCode: 201,
        message: 'Audit event created successfully',
      });
      ids.set(c.name, answer.id as number);
    }

    const stored = await search({ company_id: company, page_size: 100 });
    expect(stored.count).toBe(cases.length);
    for (const c of cases) {
      const e = stored.events.find((row) => row.Id === ids.get(c.name));
      expect(e, c.name).toBeDefined();
      expect(e?.Message, c.name).toBe(c.body.message);
      expect(e?.Status, c.name).toBe(c.status ?? c.body.status);
      const at = Date.parse(String(e?.EventTimestampISO));
      if (Number.isNaN(c.instant)) {
        // A naive time is Central wall-clock time: shown back exactly as sent.
        const [, hh, mm, ss] = /T(\d\d):(\d\d):(\d\d)/.exec(String(c.body.event_timestamp)) ?? [];
        const [y, m, d] = day.split('-');
        expect(e?.EventTimestamp, c.name).toBe(`${m}-${d}-${y} ${hh}:${mm}:${ss}`);
      } else {
        expect(at, c.name).toBe(c.instant);
      }
    }
    const nulls = stored.events.find((row) => row.Id === ids.get(cases[7]?.name ?? ''));
    expect(nulls).toMatchObject({ StoreLocationID: null, AdditionalData: null, Status: 'Success' });
    // The naive fractional time keeps its milliseconds.
    const naiveFraction = stored.events.find((row) => row.Id === ids.get('naive fractional seconds'));
    expect(String(naiveFraction?.EventTimestampISO)).toMatch(/T10:30:00\.250[-+]\d\d:\d\d$/);
  });

  it('a mistake is still answered in the body: StatusCode and message a posting system can log', async () => {
    const answer = await post(seed({ functionality: `Nope ${crypto.randomUUID()}` }));
    expect(answer.StatusCode).toBe(400);
    expect(answer.message).toMatch(/^Unknown functionalityname found: Nope/);
  });
});
