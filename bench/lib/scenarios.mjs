/**
 * What each scenario asks the service, derived from the loaded data so that every run (and
 * every dataset size) asks comparable questions. Each query scenario has a few variants
 * (different companies, users, ...) that wrk cycles through and pgbench picks from.
 */

const API = '/pyaudit/api/audit-events';
export const PAGE_SIZE = 500;
export const DEEP_ROW = 500_000;
export const EXPORT_ROWS = 100_000;
export const BATCH_EVENTS = 1000;

const query = (params) => new URLSearchParams(params).toString();

/** Facts about the dataset the scenarios need (one round of small queries). */
export async function datasetFacts(client, { rows, variants }) {
  const users = await client.query('SELECT username, companyid FROM bench_users ORDER BY u LIMIT $1', [variants]);
  const span = await client.query(
    `SELECT to_char((span_end - interval '45 days') AT TIME ZONE 'America/Chicago', 'MM-DD-YYYY HH24:MI:SS') AS user_from,
            to_char((span_end - interval '15 days') AT TIME ZONE 'America/Chicago', 'MM-DD-YYYY HH24:MI:SS') AS user_to
     FROM bench_dataset`,
  );
  const exportRows = Math.min(EXPORT_ROWS, rows);
  // The newest exportRows events: from the timestamp of the last of them (to the millisecond).
  const boundary = await client.query(
    `SELECT date_trunc('milliseconds', eventtimestamp) AS ts FROM auditevents
     ORDER BY eventtimestamp DESC, id DESC OFFSET $1 LIMIT 1`,
    [exportRows - 1],
  );
  const exportFrom = boundary.rows[0].ts;
  const exportCount = await client.query('SELECT count(*)::int AS n FROM auditevents WHERE eventtimestamp >= $1', [
    exportFrom,
  ]);
  const kinds = await client.query('SELECT functionality, event_type FROM bench_kinds ORDER BY k');
  const stores = await client.query('SELECT companyid, storelocationid FROM storelocations ORDER BY 1, 2');
  const allUsers = await client.query('SELECT username, companyid FROM bench_users ORDER BY u');
  return {
    rows,
    users: users.rows,
    allUsers: allUsers.rows,
    kinds: kinds.rows,
    stores: stores.rows,
    userFrom: span.rows[0].user_from,
    userTo: span.rows[0].user_to,
    deepRow: Math.min(DEEP_ROW, Math.floor(rows / 2 / PAGE_SIZE) * PAGE_SIZE),
    exportRows: exportCount.rows[0].n,
    exportFrom: exportFrom.toISOString(),
  };
}

/** The first company the search scenarios ask for (the SQL floors use it too). */
export const SEARCH_COMPANY = 5001;
const companies = (n) => Array.from({ length: n }, (_, i) => SEARCH_COMPANY + ((i * 7) % 50));
const MESSAGE_PATTERNS = ['logged in', 'price updated', 'rabbit MQ', 'Password reset', 'invalid password'];

/** The read scenarios: every one is also timed as bare SQL. */
export function readScenarios(facts, { variants }) {
  const get = (path, params) => ({ method: 'GET', path: `${API}/${path}?${query(params)}` });
  const deepPage = facts.deepRow / PAGE_SIZE + 1;
  return [
    {
      name: 'floor',
      title: 'catalogue (tiny authenticated read: the floor)',
      connections: 2,
      requests: [{ method: 'GET', path: `${API}/get-all-auditfunctionalities` }],
    },
    {
      // What the floor costs before its query: the reasons of issue 18 set the two side by side.
      name: 'floor_no_db',
      title: 'whoami (authenticated, no database: the floor less its query)',
      connections: 2,
      noSql: true,
      requests: [{ method: 'GET', path: '/pyaudit/api/whoami' }],
    },
    {
      name: 'recent',
      title: 'recent (500 newest)',
      connections: 8,
      requests: [get('recent', {})],
    },
    {
      name: 'search_company',
      title: 'search by company',
      connections: 2,
      requests: companies(variants).map((c) => get('search', { company_id: c })),
    },
    {
      name: 'search_company_message',
      title: 'search by company + message substring',
      connections: 2,
      requests: companies(variants).map((c, i) =>
        get('search', { company_id: c, message_pattern: MESSAGE_PATTERNS[i % MESSAGE_PATTERNS.length] }),
      ),
    },
    {
      name: 'search_user_range',
      title: 'search by user over 30 days',
      connections: 2,
      requests: facts.users.map((u) =>
        get('search', { user: u.username, from_date: facts.userFrom, to_date: facts.userTo }),
      ),
    },
    {
      name: 'stats_company_30d',
      title: 'stats per hour, one company over 30 days',
      connections: 2,
      requests: companies(variants).map((c) =>
        get('stats', { company_id: c, bucket: 'hour', from_date: facts.userFrom, to_date: facts.userTo }),
      ),
    },
    {
      name: 'page_first',
      title: 'first page, all events',
      connections: 2,
      requests: [get('search', { page_number: 1, page_size: PAGE_SIZE })],
    },
    {
      name: 'page_deep_number',
      title: `page at row ${facts.deepRow.toLocaleString('en-US')} by page_number`,
      connections: 2,
      requests: [get('search', { page_number: deepPage, page_size: PAGE_SIZE })],
    },
    {
      name: 'page_deep_cursor',
      title: `page at row ${facts.deepRow.toLocaleString('en-US')} by cursor`,
      connections: 2,
      // The cursor comes from the page before (resolveCursor).
      cursorFor: { page_number: deepPage - 1, page_size: PAGE_SIZE },
      requests: [],
    },
  ];
}

/** Fetches the page before and turns its next_cursor into the deep cursor request. */
export async function resolveCursor(scenario, baseUrl, apiKey) {
  const response = await fetch(`${baseUrl}${API}/search?${query(scenario.cursorFor)}`, {
    headers: { 'CSIQ-APIKEY': apiKey },
  });
  const body = await response.json();
  if (!body.next_cursor)
    throw new Error(`no next_cursor at page ${scenario.cursorFor.page_number}: ${response.status}`);
  scenario.requests = [
    { method: 'GET', path: `${API}/search?${query({ cursor: body.next_cursor, page_size: PAGE_SIZE })}` },
  ];
}

/** A realistic event for the write scenarios, varied by n. */
export function syntheticEvent(facts, n, timestamp) {
  const user = facts.allUsers[(n * 37) % facts.allUsers.length];
  const kind = facts.kinds[n % facts.kinds.length];
  const companyStores = facts.stores.filter((s) => Number(s.companyid) === Number(user.companyid));
  const store = companyStores[n % companyStores.length];
  const login = kind.functionality === 'Authenticate';
  return {
    event_timestamp: timestamp,
    functionality: kind.functionality,
    event_type: kind.event_type,
    store_id: Number(store.storelocationid),
    company_id: Number(user.companyid),
    user: user.username,
    message: login
      ? `User ${user.username} ${kind.event_type.toLowerCase()} from the benchmark`
      : `Item ${100000 + n} price updated from ${(n % 50) + 0.99} to ${(n % 40) + 1.49}`,
    status: n % 25 === 0 ? 'Failed' : 'Success',
    additional_data: login
      ? { ip: `10.1.${n % 256}.${(n >> 8) % 256}`, browser: 'Chrome', session_id: `bench${n}` }
      : { item_id: 100000 + n, currency: 'USD', source: 'benchmark' },
  };
}

export function writeScenarios(facts) {
  const now = () => new Date().toISOString();
  return [
    {
      name: 'create_single',
      title: 'single create',
      connections: 32,
      requests: Array.from({ length: 200 }, (_, n) => ({
        method: 'POST',
        path: `${API}/create`,
        body: syntheticEvent(facts, n, now()),
      })),
    },
    {
      name: 'create_batch',
      title: `batch create (${BATCH_EVENTS} events a request)`,
      connections: 4,
      eventsPerRequest: BATCH_EVENTS,
      requests: Array.from({ length: 4 }, (_, b) => ({
        method: 'POST',
        path: `${API}/batch`,
        body: {
          events: Array.from({ length: BATCH_EVENTS }, (_, n) => syntheticEvent(facts, b * BATCH_EVENTS + n, now())),
        },
      })),
    },
  ];
}

export function exportRequestPath(facts) {
  return `${API}/export?${query({ from_date: facts.exportFrom })}`;
}
