import { describe, expect, it } from 'vitest';
import { databaseOver } from '../src/db/client';
import { hashApiKey } from '../src/lib/api-keys';
import { runKeysCommand } from '../src/lib/keys-command';
import { BASE, event, KEY, uniqueCompanyId } from './helpers/app';
import { ADMIN_BASE, as, createKey, detailOf, NO_KEY_CACHE, uniqueKeyName } from './helpers/keys';
import { query, withClient } from './helpers/sql';

const admin = as(KEY);

describe('admin routes for keys', () => {
  it('create answers the key once; list shows every key but never a key or a hash', async () => {
    const name = uniqueKeyName('dashboard');
    const company = uniqueCompanyId();
    const created = await admin.post(`${ADMIN_BASE}/keys`, {
      name,
      scopes: ['events:read', 'events:read'],
      companies: [company, company],
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown> & { key: string };
    expect(body).toMatchObject({
      StatusCode: 201,
      name,
      scopes: ['events:read'],
      companies: [company],
      last_used_at: null,
      revoked_at: null,
    });
    expect(body.message).toMatch(/not shown again/);

    const list = await admin.get(`${ADMIN_BASE}/keys`);
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(body.key);
    expect(text).not.toContain(await hashApiKey(body.key));
    const listed = (JSON.parse(text) as { legacy_keys: number; Data: Record<string, unknown>[] }).Data.find(
      (k) => k.name === name,
    );
    expect(listed).toEqual({
      name,
      prefix: body.prefix,
      scopes: ['events:read'],
      companies: [company],
      created_at: body.created_at,
      last_used_at: null,
      revoked_at: null,
    });
    expect(JSON.parse(text).legacy_keys).toBe(2);
  });

  it('refuses a taken name (409, even after revocation) and bad input (422 naming the field)', async () => {
    const { name } = await createKey({ scopes: ['events:read'] });
    const again = await admin.post(`${ADMIN_BASE}/keys`, { name, scopes: ['admin'] });
    expect(again.status).toBe(409);
    expect(await detailOf(again)).toMatch(/already exists/);
    await admin.delete(`${ADMIN_BASE}/keys/${name}`);
    expect((await admin.post(`${ADMIN_BASE}/keys`, { name, scopes: ['admin'] })).status).toBe(409);

    const cases: [unknown, string][] = [
      [{ name: 'x', scopes: ['events:delete'] }, 'scopes'],
      [{ name: 'x', scopes: [] }, 'scopes'],
      [{ name: 'legacy-key-1', scopes: ['admin'] }, 'name'],
      [{ name: 'has space', scopes: ['admin'] }, 'name'],
      [{ name: 'x'.repeat(101), scopes: ['admin'] }, 'name'],
      [{ name: 'x', scopes: ['admin'], companies: [] }, 'companies'],
      [{ name: 'x', scopes: ['admin'], companies: [-1] }, 'companies'],
      [{ name: 'x', scopes: ['admin'], key: 'pak_chosen' }, 'key'],
    ];
    for (const [input, field] of cases) {
      const response = await admin.post(`${ADMIN_BASE}/keys`, input);
      expect(response.status, JSON.stringify(input)).toBe(422);
      const detail = (await detailOf(response)) as { loc: (string | number)[] }[];
      expect(
        detail.some((i) => i.loc[1] === field),
        JSON.stringify(detail),
      ).toBe(true);
    }
  });

  it('needs an admin key with every company: a limited admin cannot mint itself more', async () => {
    const limitedAdmin = await createKey({ scopes: ['admin'], companies: [uniqueCompanyId()] });
    const minted = await as(limitedAdmin.key).post(`${ADMIN_BASE}/keys`, {
      name: uniqueKeyName('escalate'),
      scopes: ['admin'],
    });
    expect(minted.status).toBe(403);
    expect(await detailOf(minted)).toBe('This admin action needs an admin key with access to every company');
    expect((await as(limitedAdmin.key).get(`${ADMIN_BASE}/keys`)).status).toBe(403);
    // A database admin key with every company may.
    const fullAdmin = await createKey({ scopes: ['admin'] });
    const byFull = await as(fullAdmin.key).post(`${ADMIN_BASE}/keys`, {
      name: uniqueKeyName('by-db-admin'),
      scopes: ['events:read'],
    });
    expect(byFull.status).toBe(201);
  });
});

describe('npm run keys (src/lib/keys-command.ts, the CLI core, against the database)', () => {
  const run = (argv: string[]) => withClient((client) => runKeysCommand(argv, databaseOver(client)));

  it('create prints the key once on stdout; the Worker accepts it with its scopes and companies', async () => {
    const name = uniqueKeyName('cli');
    const company = uniqueCompanyId();
    const created = await run([
      'create',
      '--name',
      name,
      '--scopes',
      'events:read,events:write',
      '--companies',
      `${company}`,
    ]);
    expect(created.code).toBe(0);
    expect(created.out).toHaveLength(1);
    const key = created.out[0] ?? '';
    expect(key).toMatch(/^pak_[a-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(created.err.join('\n')).toContain(`companies ${company}`);
    expect(created.err.join('\n')).not.toContain(key);

    const client = as(key, NO_KEY_CACHE);
    expect((await client.post(`${BASE}/create`, event({ company_id: company }))).status).toBe(201);
    expect((await client.post(`${BASE}/create`, event({ company_id: company + 1 }))).status).toBe(403);
    expect((await client.get(`${BASE}/search?company_id=${company}`)).status).toBe(200);
    expect((await client.get(`${ADMIN_BASE}/keys`)).status).toBe(403);

    const list = await run(['list']);
    expect(list.code).toBe(0);
    expect(list.out[0]).toMatch(/^name +prefix +scopes +companies +created +last used +revoked$/);
    const line = list.out.find((l) => l.startsWith(`${name} `));
    expect(line).toContain(key.slice(4, 12));
    expect(line).toContain('events:read,events:write');
    expect(list.out.join('\n')).not.toContain(key);

    const json = await run(['list', '--json']);
    const record = json.out
      .map((l) => JSON.parse(l) as { name: string; lastUsedAt: string | null })
      .find((r) => r.name === name);
    expect(record?.lastUsedAt).not.toBeNull();

    const revoked = await run(['revoke', '--prefix', key.slice(4, 12)]);
    expect(revoked.code).toBe(0);
    expect(revoked.out[0]).toMatch(/^revoked API key /);
    expect((await client.get(`${BASE}/search?company_id=${company}`)).status).toBe(401);
    expect((await run(['revoke', '--name', name])).out[0]).toMatch(/was already revoked/);
  });

  it('answers usage errors with code 2 and refusals with code 1', async () => {
    const taken = await createKey({ scopes: ['events:read'] });
    const cases: [string[], number, RegExp][] = [
      [[], 2, /no command given/],
      [['rotate'], 2, /unknown command rotate/],
      [['create', '--name', 'x'], 2, /scopes must name at least one/],
      [['create', '--name', 'x', '--scopes', 'events:read', '--companies', '5001,abc'], 2, /whole numbers: abc/],
      [['create', '--name', 'legacy-key-7', '--scopes', 'admin'], 2, /reserved/],
      [['create', '--name', taken.name, '--scopes', 'admin'], 1, /already exists/],
      [['revoke'], 2, /--name or --prefix/],
      [['revoke', '--prefix', 'XY'], 2, /8 characters/],
      [['revoke', '--name', `nobody-${crypto.randomUUID()}`], 1, /no API key with name/],
      [['list', '--verbose'], 2, /unknown option --verbose/],
    ];
    for (const [argv, code, message] of cases) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(code);
      expect(result.err.join('\n'), argv.join(' ')).toMatch(message);
    }
    const [row] = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM api_keys WHERE name IN ('x', 'legacy-key-7')",
    );
    expect(row?.n).toBe(0);
  });
});

describe('admin routes for the catalogue', () => {
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

    const added = await admin.post(`${ADMIN_BASE}/functionalities/${encodeURIComponent(name)}/event-types`, {
      event_types: ['Count cancelled'],
    });
    expect(added.status).toBe(201);
    const again = await admin.post(
      `${BASE}/create`,
      event({ company_id: company, functionality: name, event_type: 'Count cancelled' }),
    );
    expect(again.status).toBe(201);
  });

  it('reports conflicts with 409 and changes nothing', async () => {
    const duplicate = await admin.post(`${ADMIN_BASE}/functionalities`, { name: 'Authenticate', event_types: ['X'] });
    expect(duplicate.status).toBe(409);
    expect(await detailOf(duplicate)).toBe('Functionality Authenticate already exists; add event types to it instead');

    const partly = await admin.post(`${ADMIN_BASE}/functionalities/Authenticate/event-types`, {
      event_types: [`New ${crypto.randomUUID().slice(0, 8)}`, 'Login', 'Logout'],
    });
    expect(partly.status).toBe(409);
    expect(await detailOf(partly)).toBe('Event types already exist in Authenticate: Login, Logout; nothing was added');
    const [row] = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM auditeventtypes t JOIN auditfunctionalities f USING (functionalityid) WHERE f.functionalityname = 'Authenticate'",
    );
    expect(row?.n).toBe(4);

    const unknown = await admin.post(`${ADMIN_BASE}/functionalities/Nope%20${crypto.randomUUID()}/event-types`, {
      event_types: ['A'],
    });
    expect(unknown.status).toBe(404);
  });

  it('validates names against the columns: 422 naming the field', async () => {
    const cases: [string, unknown, string][] = [
      [`${ADMIN_BASE}/functionalities`, { name: 'x'.repeat(101) }, 'name'],
      [`${ADMIN_BASE}/functionalities`, { name: '' }, 'name'],
      [`${ADMIN_BASE}/functionalities`, { name: '   ' }, 'name'],
      [`${ADMIN_BASE}/functionalities`, { name: 'Tab\there' }, 'name'],
      [`${ADMIN_BASE}/functionalities`, { name: 'Ok', event_types: ['y'.repeat(101)] }, 'event_types'],
      [`${ADMIN_BASE}/functionalities`, { name: 'Ok', event_types: ['A', 'A'] }, 'event_types'],
      [`${ADMIN_BASE}/functionalities/Authenticate/event-types`, { event_types: [] }, 'event_types'],
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

describe('admin routes for the directory', () => {
  it('upserts companies and stores: 201 when added, 200 when renamed; events show the names', async () => {
    const company = uniqueCompanyId();
    const put = (path: string, name: string) => admin.put(`${ADMIN_BASE}/companies/${path}`, { name });
    const added = await put(`${company}`, 'Acme Retail');
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({
      StatusCode: 201,
      message: 'Company added',
      CompanyID: company,
      CompanyName: 'Acme Retail',
    });
    const renamed = await put(`${company}`, 'Acme Retail Group');
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { CompanyName: string }).CompanyName).toBe('Acme Retail Group');

    expect((await put(`${company}/stores/101`, 'Downtown')).status).toBe(201);
    expect((await put(`${company}/stores/101`, 'Downtown East')).status).toBe(200);
    await admin.post(`${BASE}/create`, event({ company_id: company, store_id: 101 }));
    const search = await admin.get(`${BASE}/search?company_id=${company}`);
    const [found] = ((await search.json()) as { events: { CompanyName: string; StoreName: string }[] }).events;
    expect(found).toMatchObject({ CompanyName: 'Acme Retail Group', StoreName: 'Downtown East' });

    const stores = await admin.get(`${BASE}/get-storelocations-by-company?company_id=${company}`);
    expect(((await stores.json()) as { Data: unknown[] }).Data).toEqual([
      { CompanyID: company, StoreLocationID: 101, StoreName: 'Downtown East' },
    ]);
  });

  it('refuses a store of a company not in the directory (404), and bad names (422)', async () => {
    const company = uniqueCompanyId();
    const orphan = await admin.put(`${ADMIN_BASE}/companies/${company}/stores/1`, { name: 'Nowhere' });
    expect(orphan.status).toBe(404);
    expect(await detailOf(orphan)).toMatch(new RegExp(`^Company ${company} is not in the directory`));
    for (const name of ['', 'x'.repeat(201), ' padded ', 'nul\u0000']) {
      expect((await admin.put(`${ADMIN_BASE}/companies/${company}`, { name })).status, JSON.stringify(name)).toBe(422);
    }
    expect((await admin.put(`${ADMIN_BASE}/companies/${company}`, { name: 'x'.repeat(200) })).status).toBe(201);
    expect((await admin.put(`${ADMIN_BASE}/companies/-5`, { name: 'Neg' })).status).toBe(422);
    expect((await admin.put(`${ADMIN_BASE}/companies/${company}`, { name: 'A', extra: 1 })).status).toBe(422);
  });

  it('lets a limited admin key change only its own companies', async () => {
    const own = uniqueCompanyId();
    const other = uniqueCompanyId();
    const limitedAdmin = as((await createKey({ scopes: ['admin'], companies: [own] })).key);
    expect((await limitedAdmin.put(`${ADMIN_BASE}/companies/${own}`, { name: 'Mine' })).status).toBe(201);
    expect((await limitedAdmin.put(`${ADMIN_BASE}/companies/${own}/stores/7`, { name: 'My store' })).status).toBe(201);
    const foreign = await limitedAdmin.put(`${ADMIN_BASE}/companies/${other}`, { name: 'Theirs' });
    expect(foreign.status).toBe(403);
    expect(await detailOf(foreign)).toBe(`This API key may not change company ${other}`);
    expect((await limitedAdmin.put(`${ADMIN_BASE}/companies/${other}/stores/7`, { name: 'Theirs' })).status).toBe(403);
    const [row] = await query<{ n: number }>('SELECT count(*)::int AS n FROM companies WHERE companyid = $1', [other]);
    expect(row?.n).toBe(0);
  });
});
