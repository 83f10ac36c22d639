import { describe, expect, it } from 'vitest';
import { BASE, event, get, KEY, uniqueCompanyId } from '../helpers/app';
import { ADMIN_BASE, as, createKey, uniqueKeyName } from '../helpers/keys';

interface AuditEvent {
  Id: number;
  Functionality: string;
  EventType: string;
  CompanyId: number;
  UserName: string;
  Message: string;
  Status: string;
  AdditionalData: {
    api_key: string;
    key_prefix: string | null;
    key_source: string;
    method: string;
    path: string;
    status_code: number;
    params: Record<string, string | string[]>;
    [more: string]: unknown;
  };
}

const exportAvailable = Boolean(
  ((await (await get('/pyaudit/openapi.json')).json()) as { paths: Record<string, unknown> }).paths[`${BASE}/export`],
);

/** The Audit Service events of one user, found the way an operator would: by search. */
async function auditEventsOf(user: string): Promise<AuditEvent[]> {
  const qs = new URLSearchParams({ functionality: 'Audit Service', user: user.slice(0, 20), page_size: '5000' });
  const response = await get(`${BASE}/search?${qs}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: AuditEvent[] }).events;
}

describe('the audit of the auditors', () => {
  it('records a search with the key name as user, the filters as data, and no key anywhere', async () => {
    const reader = await createKey({ scopes: ['events:read'] });
    const company = uniqueCompanyId();
    const response = await as(reader.key).get(`${BASE}/search?company_id=${company}&user=jdoe&page_size=10`);
    expect(response.status).toBe(200);

    const events = await auditEventsOf(reader.name);
    expect(events).toHaveLength(1);
    const [recorded] = events;
    expect(recorded).toMatchObject({
      Functionality: 'Audit Service',
      EventType: 'Search',
      CompanyId: 0,
      UserName: reader.name,
      Status: 'Success',
      AdditionalData: {
        api_key: reader.name,
        key_prefix: reader.prefix,
        key_source: 'database',
        method: 'GET',
        path: `${BASE}/search`,
        status_code: 200,
        params: { company_id: String(company), user: 'jdoe', page_size: '10' },
      },
    });
    expect(recorded?.Message).toBe(`Search by API key ${reader.name}: GET ${BASE}/search answered 200`);
    expect(JSON.stringify(recorded)).not.toContain(reader.key.slice(13));
  });

  it('records recent and export reads, and every admin action, but not writes or catalogue reads', async () => {
    const key = await createKey({ scopes: ['events:read', 'events:write', 'admin'] });
    const client = as(key.key);
    await client.get(`${BASE}/recent?limit=1`);
    await client.get(`${BASE}/get-all-companies`);
    await client.get(`${BASE}/get-all-auditfunctionalities`);
    await client.post(`${BASE}/create`, event({ company_id: uniqueCompanyId() }));
    if (exportAvailable) await client.get(`${BASE}/export?format=ndjson&company_id=${uniqueCompanyId()}`);
    const minted = uniqueKeyName('minted');
    const created = (await (
      await client.post(`${ADMIN_BASE}/keys`, { name: minted, scopes: ['events:read'] })
    ).json()) as {
      key: string;
    };
    await client.post(`${ADMIN_BASE}/keys/${minted}/revoke`, '');
    await client.get(`${ADMIN_BASE}/keys`);

    const events = await auditEventsOf(key.name);
    const types = events.map((e) => e.EventType).sort();
    expect(types).toEqual(
      [...(exportAvailable ? ['Export'] : []), 'Admin action', 'Admin action', 'Admin action', 'Recent'].sort(),
    );
    const creation = events.find(
      (e) => e.AdditionalData.method === 'POST' && e.AdditionalData.path === `${ADMIN_BASE}/keys`,
    );
    expect(creation?.AdditionalData).toMatchObject({
      target_key: minted,
      scopes: ['events:read'],
      companies: null,
      status_code: 201,
    });
    expect(creation?.AdditionalData.target_prefix).toBe(created.key.slice(4, 12));
    // The minted key's text is in the response only, never in the trail.
    expect(JSON.stringify(events)).not.toContain(created.key.slice(13));
    const revocation = events.find((e) => e.AdditionalData.path === `${ADMIN_BASE}/keys/${minted}/revoke`);
    expect(revocation?.AdditionalData).toMatchObject({ target_key: minted, status_code: 200 });
  });

  it('records refused attempts as Failed with the status they got', async () => {
    const writer = await createKey({ scopes: ['events:write'] });
    expect((await as(writer.key).get(`${BASE}/search?user=someone`)).status).toBe(403);
    expect((await as(writer.key).get(`${ADMIN_BASE}/keys`)).status).toBe(403);
    const events = await auditEventsOf(writer.name);
    expect(events.map((e) => [e.EventType, e.Status, e.AdditionalData.status_code]).sort()).toEqual([
      ['Admin action', 'Failed', 403],
      ['Search', 'Failed', 403],
    ]);
    const reader = await createKey({ scopes: ['events:read'] });
    expect((await as(reader.key).get(`${BASE}/search?from_date=not-a-date`)).status).toBe(422);
    const [invalid] = await auditEventsOf(reader.name);
    expect(invalid).toMatchObject({
      Status: 'Failed',
      AdditionalData: { status_code: 422, params: { from_date: 'not-a-date' } },
    });
  });

  it('names legacy keys legacy-key-<n> and keys limited to one company put the event in it', async () => {
    const marker = crypto.randomUUID();
    await get(`${BASE}/search?message_pattern=${marker}`);
    const legacy = (await auditEventsOf('legacy-key-1')).find(
      (e) => e.AdditionalData.params.message_pattern === marker,
    );
    expect(legacy).toMatchObject({ CompanyId: 0, AdditionalData: { key_source: 'legacy', key_prefix: null } });

    const company = uniqueCompanyId();
    const single = await createKey({ scopes: ['events:read'], companies: [company] });
    await as(single.key).get(`${BASE}/recent?limit=1`);
    expect((await auditEventsOf(single.name))[0]?.CompanyId).toBe(company);
    // ...where that tenant can see how its own key was used.
    const own = (await (await as(single.key).get(`${BASE}/search?functionality=Audit%20Service`)).json()) as {
      events: AuditEvent[];
    };
    expect(own.events.map((e) => e.UserName)).toContain(single.name);

    const several = await createKey({ scopes: ['events:read'], companies: [company, company + 1] });
    await as(several.key).get(`${BASE}/recent?limit=1`);
    expect((await auditEventsOf(several.name))[0]?.CompanyId).toBe(0);
  });

  it('truncates the user to the column (20) and keeps the full name in the data', async () => {
    const long = await createKey({
      scopes: ['events:read'],
      name: uniqueKeyName('a-rather-long-key-name-for-the-dashboard'),
    });
    await as(long.key).get(`${BASE}/recent?limit=1`);
    const [recorded] = await auditEventsOf(long.name.slice(0, 20));
    expect(recorded?.UserName).toBe(long.name.slice(0, 20));
    expect(recorded?.AdditionalData.api_key).toBe(long.name);
  });

  it('never stores a key passed as a filter value', async () => {
    const reader = await createKey({ scopes: ['events:read'] });
    await as(reader.key).get(`${BASE}/search?message_pattern=${reader.key}&user=${KEY}`);
    const [recorded] = await auditEventsOf(reader.name);
    expect(recorded?.AdditionalData.params).toEqual({ message_pattern: '[redacted]', user: '[redacted]' });
  });

  it('is off with SELF_AUDIT=false', async () => {
    const reader = await createKey({ scopes: ['events:read'] });
    await as(reader.key, { SELF_AUDIT: 'false' } as Partial<Env>).get(`${BASE}/recent?limit=1`);
    expect(await auditEventsOf(reader.name)).toEqual([]);
  });
});
