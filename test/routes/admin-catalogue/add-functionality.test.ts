import { describe, expect, it } from 'vitest';
import { BASE, event, KEY, uniqueCompanyId } from '../../helpers/app';
import { ADMIN_BASE, as, createKey, detailOf } from '../../helpers/keys';

const admin = as(KEY);

describe('POST /admin/functionalities', () => {
  it('adds a functionality with its event types, usable by create at once', async () => {
    const name = `Inventory ${crypto.randomUUID().slice(0, 8)}`;
    const response = await admin.post(`${ADMIN_BASE}/functionalities`, {
      name,
      event_types: ['Count started', 'Count finished'],
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { FunctionalityName: string; EventTypes: { EventTypeName: string }[] };
    expect(body.FunctionalityName).toBe(name);
    expect(body.EventTypes.map((t) => t.EventTypeName)).toEqual(['Count started', 'Count finished']);

    const types = await admin.get(
      `${BASE}/get-eventtypenames-by-functionalityname?functionalityname=${encodeURIComponent(name)}`,
    );
    expect(((await types.json()) as { count: number }).count).toBe(2);
    const company = uniqueCompanyId();
    const created = await admin.post(
      `${BASE}/create`,
      event({ company_id: company, functionality: name, event_type: 'Count started' }),
    );
    expect(created.status).toBe(201);
  });

  it('reports an existing functionality with 409', async () => {
    const duplicate = await admin.post(`${ADMIN_BASE}/functionalities`, { name: 'Authenticate', event_types: ['X'] });
    expect(duplicate.status).toBe(409);
    expect(await detailOf(duplicate)).toBe('Functionality Authenticate already exists; add event types to it instead');
  });

  it('validates names against the columns: 422 naming the field', async () => {
    const cases: [string, unknown, string][] = [
      [`${ADMIN_BASE}/functionalities`, { name: 'x'.repeat(101) }, 'name'],
      [`${ADMIN_BASE}/functionalities`, { name: '' }, 'name'],
      [`${ADMIN_BASE}/functionalities`, { name: '   ' }, 'name'],
      [`${ADMIN_BASE}/functionalities`, { name: 'Tab\there' }, 'name'],
      [`${ADMIN_BASE}/functionalities`, { name: 'Ok', event_types: ['y'.repeat(101)] }, 'event_types'],
      [`${ADMIN_BASE}/functionalities`, { name: 'Ok', event_types: ['A', 'A'] }, 'event_types'],
    ];
    for (const [path, input, field] of cases) {
      const response = await admin.post(path, input);
      expect(response.status, JSON.stringify(input)).toBe(422);
      const detail = (await detailOf(response)) as { loc: (string | number)[] }[];
      expect(detail[0]?.loc[1], JSON.stringify(detail)).toBe(field);
    }
  });

  it('needs a key with every company: the catalogue is shared', async () => {
    const limitedAdmin = await createKey({ scopes: ['admin'], companies: [uniqueCompanyId()] });
    const response = await as(limitedAdmin.key).post(`${ADMIN_BASE}/functionalities`, {
      name: `X ${crypto.randomUUID()}`,
    });
    expect(response.status).toBe(403);
    expect(await detailOf(response)).toBe('This admin action needs an admin key with access to every company');
  });

  it('keeps every admin route but the directory from a limited admin key (no cross-company totals)', async () => {
    const limitedAdmin = as((await createKey({ scopes: ['admin'], companies: [uniqueCompanyId()] })).key);
    const doc = (await (await admin.get('/pyaudit/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const adminRoutes = Object.entries(doc.paths).flatMap(([template, methods]) =>
      template.startsWith(`${ADMIN_BASE}/`)
        ? Object.keys(methods).map((m) => [m.toUpperCase(), template] as const)
        : [],
    );
    expect(adminRoutes.length).toBeGreaterThanOrEqual(8);
    for (const [method, template] of adminRoutes) {
      if (template.startsWith(`${ADMIN_BASE}/companies/`)) continue;
      // Refused before any handler runs, so even POST .../maintenance/run changes nothing.
      const response = await limitedAdmin.call(template.replace(/\{[^}]+\}/g, '1'), { method });
      expect(response.status, `${method} ${template}`).toBe(403);
    }
  });
});
