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

  it('the hash of every item is the one of its stored content, for values that need escaping or normalising', async () => {
    // The Worker builds each event's canonical text (src/integrity/ingest-canonical.ts) and the
    // statement hashes it: sent as a client would write it (number lexemes JavaScript rewrites,
    // an offset instant, an upper-case event_id, escapes, unicode keys), the stored hash must be
    // the one of what was stored.
    const company = uniqueCompanyId();
    const at = new Date(Date.now() - 3_600_000);
    const offset = new Date(at.getTime() - 6 * 3_600_000).toISOString().replace('Z', '-06:00');
    const body = `{"events": [
      {"event_timestamp": "${offset}", "functionality": "Authenticate", "event_type": "Login",
       "store_id": 7, "company_id": ${company}, "user": ${JSON.stringify('o"brien \\ back/slash')},
       "message": ${JSON.stringify('ünï – 😀 日本 \ttab line\nbreak "quoted"')}, "status": "Failed",
       "additional_data": {"zeta": 1.50, "a": 1e3, "é": -0, "😀": [1E-7, 1e21, true, null],
                           "nested": {"bb": {}, "a": []}, "": "empty key", "ctl": "\\u0001\\b\\f"},
       "event_id": "6F1C2D3E-4B5A-4C6D-8E7F-${String(company).padStart(12, '0').slice(-12)}"},
      {"event_timestamp": "${at.toISOString()}", "functionality": "Authenticate", "event_type": "Login",
       "company_id": ${company}, "message": "plain", "status": "Success", "additional_data": {"k": "v"}}
    ]}`;
    const response = await postJson(`${BASE}/batch`, body);
    expect(response.status, await response.clone().text()).toBe(201);
    const ids = ((await response.json()) as { results: { id: number }[] }).results.map((r) => r.id);
    expect(ids.length).toBe(2);
    for (const id of ids) expectHashMatches(await storedEvent(id));
  });
});
