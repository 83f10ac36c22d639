import { describe, expect, it } from 'vitest';
import { BASE, event, postJson, uniqueCompanyId } from '../helpers/app';
import { eventually } from '../helpers/ingest';
import { hyperdriveAt } from '../helpers/private-database';
import { countEventsOf, query } from '../helpers/sql';

/** INGEST_MODE=queue: create and batch take the queued path, keeping their response shapes. */
const QUEUE_MODE = { INGEST_MODE: 'queue' } as Partial<Env>;
const DOWN = { ...QUEUE_MODE, ...hyperdriveAt('postgres://postgres:x@127.0.0.1:1/x') } as Partial<Env>;

describe('INGEST_MODE=queue', () => {
  it('create answers 202 with id null and the event_id; the event is stored by the consumer', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(`${BASE}/create`, event({ company_id: company }), QUEUE_MODE);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { StatusCode: number; id: null; duplicate: boolean; event_id: string };
    expect(body).toMatchObject({ StatusCode: 202, id: null, duplicate: false });
    await eventually(async () => (await countEventsOf(company)) === 1, 'the event');
    const [row] = await query<{ eventid: string }>('SELECT eventid FROM auditevents_all WHERE companyid = $1', [
      company,
    ]);
    expect(row?.eventid).toBe(body.event_id);
  });

  it('create still refuses an unknown name with 400 while the database answers, and answers 202 while it is down', async () => {
    const company = uniqueCompanyId();
    const unknown = await postJson(`${BASE}/create`, event({ company_id: company, event_type: 'Nope' }), QUEUE_MODE);
    expect(unknown.status).toBe(400);
    const down = await postJson(`${BASE}/create`, event({ company_id: company }), DOWN);
    expect(down.status).toBe(202);
    await eventually(async () => (await countEventsOf(company)) === 1, 'the event accepted while down');
  });

  it('batch answers 202/207 with per-item event_ids, created 0 and queued n', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(
      `${BASE}/batch`,
      {
        events: [
          event({ company_id: company }),
          { ...event({ company_id: company }), user: '' },
          event({ company_id: company }),
        ],
      },
      QUEUE_MODE,
    );
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      StatusCode: number;
      created: number;
      queued: number;
      failed: number;
      results: { index: number; id: null; event_id?: string; errors?: unknown[] }[];
    };
    expect(body).toMatchObject({ StatusCode: 207, created: 0, queued: 2, failed: 1 });
    expect(body.results.map((r) => [r.index, r.id, typeof r.event_id, Boolean(r.errors)])).toEqual([
      [0, null, 'string', false],
      [1, null, 'undefined', true],
      [2, null, 'string', false],
    ]);
    await eventually(async () => (await countEventsOf(company)) === 2, 'the two events');
    const all = await postJson(`${BASE}/batch`, { events: [event({ company_id: company })] }, QUEUE_MODE);
    expect(all.status).toBe(202);
  });
});
