import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { matchingKeyIndex } from '../../src/lib/auth';
import { BASE, call, event, isEmbedded, KEY, uniqueCompanyId } from '../helpers/app';
import { as, createKey } from '../helpers/keys';

/**
 * What the service must never reveal, in a response or a log line: a key (right or wrong), a
 * connection string or its password, SQL text, a stack trace. And what every response carries.
 */
const WRONG_KEY = 'wrong-key-c0ffee-0123456789abcdef';
const DB_PASSWORD = 'db-secret-pw-9f8e7d';

/** The test database with a password in the URL (trust auth ignores it) that must never show. */
function databaseWithPassword(extra: Record<string, string> = {}): string {
  const url = new URL(env.TEST_DATABASE_URL);
  url.password = DB_PASSWORD;
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return url.toString();
}
const hyperdrive = (connectionString: string) => ({ HYPERDRIVE: { connectionString } as Hyperdrive });

/**
 * A database whose tables cannot be found: the schema search path points nowhere, so every query
 * fails with "relation does not exist" (42P01), a genuine server-side failure, i.e. a 500.
 */
const BROKEN_SCHEMA = hyperdrive(databaseWithPassword({ options: '-c search_path=nowhere_at_all' }));
/** Nothing listens there: 503. */
const CLOSED_PORT = hyperdrive(`postgres://postgres:${DB_PASSWORD}@127.0.0.1:1/pyaudit`);

const FORBIDDEN_IN_OUTPUT: [string, RegExp][] = [
  ['the right key', new RegExp(KEY)],
  ['the other configured key', /test-key-secondary/],
  ['the wrong key', new RegExp(WRONG_KEY)],
  ['the database password', new RegExp(DB_PASSWORD)],
  ['a connection string', /postgres(ql)?:\/\//],
  // The database's own error message may name an object ('relation "x" does not exist'); the
  // statement and its parameters (drizzle's "Failed query: ... params: ...") must not appear.
  ['SQL text', /\bselect\b|\binsert into\b|\bfrom "?auditevents|failed query|params:|\$1\b/i],
  ['a stack trace', /\n\s+at |\bat \S+ \(\S+:\d+:\d+\)|\.ts:\d+|node_modules/],
];

function expectClean(where: string, text: string, allowed: string[] = []) {
  for (const [what, pattern] of FORBIDDEN_IN_OUTPUT) {
    let scrubbed = text;
    for (const a of allowed) scrubbed = scrubbed.replaceAll(a, '');
    const hit = pattern.exec(scrubbed);
    const around = hit ? scrubbed.slice(Math.max(0, hit.index - 300), hit.index + 200) : '';
    expect(hit === null, `${what} in ${where}: ...${around}...`).toBe(true);
  }
}

async function responseText(response: Response): Promise<string> {
  const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  const body = await response.text();
  return `${response.status}\n${headers}\n\n${body}`;
}

describe('nothing secret in responses or logs', () => {
  let spies: MockInstance[] = [];
  const logged = () =>
    spies
      .flatMap((spy) => spy.mock.calls)
      .map((args) => args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(' '))
      .join('\n');
  beforeEach(() => {
    spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation(() => {}),
    );
  });
  afterEach(() => {
    for (const spy of spies) spy.mockRestore();
  });

  it('the detector itself catches each kind of leak', () => {
    for (const leak of [
      `key ${KEY}`,
      `postgres://postgres:${DB_PASSWORD}@db:5432/x`,
      'Failed query: select "id" from "auditevents" where "companyid" = $1\nparams: 5',
      'Error: boom\n    at handler (src/routes/events/create.ts:42:7)',
    ]) {
      expect(() => expectClean('a sample', leak), leak).toThrow();
    }
  });

  it('across wrong keys, right keys, a database key, a 503 and a 500, at DEBUG level', async () => {
    const debug = { LOG_LEVEL: 'DEBUG' } as Partial<Env>;
    const company = uniqueCompanyId();
    const dbKey = await createKey({ scopes: ['events:read', 'events:write'] });
    const responses: [string, Response][] = [];
    const send = async (label: string, path: string, init: RequestInit, overrides: Partial<Env> = {}) => {
      const response = await call(path, init, { ...debug, ...overrides });
      responses.push([label, response]);
      return response;
    };
    const json = (key: string, body: unknown): RequestInit => ({
      method: 'POST',
      headers: { 'CSIQ-APIKEY': key, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

    expect((await send('wrong key', `${BASE}/recent`, { headers: { 'CSIQ-APIKEY': WRONG_KEY } })).status).toBe(401);
    expect(
      (await send('wrong key create', `${BASE}/create`, json(WRONG_KEY, event({ company_id: company })))).status,
    ).toBe(401);
    expect((await send('key in query', `${BASE}/recent?api_key=${KEY}`, {})).status).toBe(400);
    expect((await send('wrong key in query', `${BASE}/recent?key=${WRONG_KEY}`, {})).status).toBe(400);
    expect((await send('right key create', `${BASE}/create`, json(KEY, event({ company_id: company })))).status).toBe(
      201,
    );
    expect(
      (await send('right key search', `${BASE}/search?company_id=${company}`, { headers: { 'CSIQ-APIKEY': KEY } }))
        .status,
    ).toBe(200);
    expect(
      (await send('database key create', `${BASE}/create`, json(dbKey.key, event({ company_id: company })))).status,
    ).toBe(201);
    expect(
      (
        await send('database key tampered', `${BASE}/recent`, {
          headers: { 'CSIQ-APIKEY': `${dbKey.key.slice(0, -2)}zz` },
        })
      ).status,
    ).toBe(401);
    expect(
      (await send('export', `${BASE}/export?company_id=${company}&format=csv`, { headers: { 'CSIQ-APIKEY': KEY } }))
        .status,
    ).toBe(200);
    // Faults: the database unreachable (503), and a database that fails every query (500).
    const unavailable = await send(
      '503 create',
      `${BASE}/create`,
      json(KEY, event({ company_id: company })),
      CLOSED_PORT,
    );
    expect(unavailable.status).toBe(503);
    // The embedded PGlite ignores startup options (search_path), so nothing breaks there: the
    // 500 half runs on a real server only.
    if (!isEmbedded) {
      const broken = await send(
        '500 create',
        `${BASE}/create`,
        json(KEY, event({ company_id: company })),
        BROKEN_SCHEMA,
      );
      expect(broken.status).toBe(500);
      const brokenSearch = await send(
        '500 search',
        `${BASE}/search?company_id=${company}`,
        { headers: { 'CSIQ-APIKEY': KEY } },
        BROKEN_SCHEMA,
      );
      expect(brokenSearch.status).toBe(500);
      expect(await brokenSearch.clone().json()).toEqual({ detail: 'Internal Server Error' });
    }

    for (const [label, response] of responses) expectClean(`the response to "${label}"`, await responseText(response));
    const logs = logged();
    // The service did log: the failures are diagnosable (with the database's own error code).
    expect(logs).toMatch(/"level":"ERROR".*"status":503/);
    if (!isEmbedded) {
      expect(logs).toMatch(/"level":"ERROR".*"status":500/);
      expect(logs).toMatch(/42P01/);
    }
    expect(logs).toMatch(/"status":401/);
    expectClean('the logs', logs);
    expect(logs).not.toContain(dbKey.key);
    expect(logs).not.toContain(dbKey.key.slice(13));
  });
});

describe('keys', () => {
  it('are compared in constant time: every configured key is checked with timingSafeEqual, whatever matches', async () => {
    const keys = ['alpha-key-000001', 'bravo-key-000002', 'charlie-key-0003', 'delta-key-000004'];
    const spy = vi.spyOn(crypto.subtle, 'timingSafeEqual');
    try {
      const comparisonsFor = async (presented: string) => {
        spy.mockClear();
        const index = await matchingKeyIndex(presented, keys);
        return {
          index,
          comparisons: spy.mock.calls.length,
          lengths: spy.mock.calls.map(([a, b]) => [a.byteLength, b.byteLength]),
        };
      };
      const results = [];
      for (const presented of [
        'alpha-key-000001',
        'delta-key-000004',
        'nope',
        'x'.repeat(10_000),
        '',
        'alpha-key-00000',
      ]) {
        results.push(await comparisonsFor(presented));
      }
      expect(results.map((r) => r.index)).toEqual([0, 3, -1, -1, -1, -1]);
      // The same work whether the first, the last or no key matches, and for any length presented:
      // both sides are SHA-256 digests, so the compared buffers always have 32 bytes.
      for (const r of results) {
        expect(r.comparisons).toBe(keys.length);
        expect(r.lengths.flat().every((n) => n === 32)).toBe(true);
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('are refused in the query string even next to a valid header', async () => {
    for (const name of ['api_key', 'apikey', 'key', 'csiq-apikey', 'API_KEY']) {
      const response = await call(`${BASE}/recent?${name}=${KEY}`, { headers: { 'CSIQ-APIKEY': KEY } });
      expect(response.status, name).toBe(400);
      const text = await response.text();
      expect(text).toMatch(/not accepted in the query string; send the CSIQ-APIKEY header/);
      expect(text).not.toContain(KEY);
    }
  });

  it('a database key is never shown again after it is created', async () => {
    const created = await createKey({ scopes: ['events:read'] });
    const list = await as(KEY).get('/pyaudit/api/admin/keys');
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).toContain(created.prefix);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(created.key.slice(13));
  });
});

describe('headers on every response', () => {
  it.each([
    ['200 JSON', '/pyaudit/api/audit-events/get-all-auditfunctionalities', {}],
    ['healthcheck', '/pyaudit/api/healthcheck', {}],
    ['docs HTML', '/pyaudit/docs', {}],
    ['OpenAPI document', '/pyaudit/openapi.json', {}],
    ['401', '/pyaudit/api/audit-events/recent', { noKey: true }],
    ['404', '/pyaudit/api/nowhere', {}],
    ['405', '/pyaudit/api/audit-events/create', {}],
    ['422', '/pyaudit/api/audit-events/search?page_size=0', {}],
    ['503', '/pyaudit/api/audit-events/recent', { closed: true }],
    // PGlite ignores the search_path startup option: no 500 to provoke there.
    ...(isEmbedded ? [] : [['500', '/pyaudit/api/audit-events/recent', { broken: true }] as const]),
    ['export download', '/pyaudit/api/audit-events/export?format=csv&company_id=1', {}],
  ] as const)(
    '%s: X-Content-Type-Options nosniff, an X-Request-ID, JSON or a declared type',
    async (_label, path, how) => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const overrides = 'closed' in how ? CLOSED_PORT : 'broken' in how ? BROKEN_SCHEMA : {};
        const headers: Record<string, string> = 'noKey' in how ? {} : { 'CSIQ-APIKEY': KEY };
        const response = await call(path, { headers }, overrides);
        expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
        expect(response.headers.get('X-Request-ID')).toMatch(/^[0-9a-f-]{36}$/);
        expect(response.headers.get('Content-Type')).toBeTruthy();
        await response.arrayBuffer();
      } finally {
        errors.mockRestore();
      }
    },
  );
});

describe('the export file name', () => {
  it('is only fixed text and digits, whatever the filters say', async () => {
    const hostile = [
      ['user', 'x"; filename="evil.exe é😀\u202Etxt.exe'],
      ['message_pattern', '../../etc/passwd'],
      ['functionality', 'a\\b/c:d*e?f<g>h|i'],
      ['event_type', '=cmd|calc!A1'],
      ['store_location_id', '101'],
      ['from_date', '11-01-2026 00:00:00'],
    ];
    for (const format of ['xlsx', 'csv', 'ndjson']) {
      for (const recent of ['true', 'false']) {
        const qs = new URLSearchParams([...hostile, ['format', format], ['recent', recent]]);
        const response = await call(`${BASE}/export?${qs}`, { headers: { 'CSIQ-APIKEY': KEY } });
        expect(
          response.status,
          await response
            .clone()
            .text()
            .then((t) => t.slice(0, 300)),
        ).toBe(200);
        expect(response.headers.get('Content-Disposition')).toMatch(
          new RegExp(`^attachment; filename=audit_events_(recent|search)_\\d{8}_\\d{6}\\.${format}$`),
        );
        await response.arrayBuffer();
      }
    }
  });
});
