import { beforeAll, describe, expect, it } from 'vitest';
import { formatCentral } from '../../src/lib/central-time';
import { call, event, KEY, postJson, uniqueCompanyId } from '../helpers/app';
// The downloaded workbook is read by exceljs, an independent reader (test/helpers/xlsx.ts).
import { readWorkbook, sheetValues } from '../helpers/xlsx';

/**
 * The support dashboard, replayed exactly as ../shared/CLIENTS.md (section 1) describes it: the
 * same requests in the same order, query strings built with URLSearchParams as the browser
 * builds them, and every answer read the way the dashboard reads it: the body's StatusCode
 * (never the HTTP status) for JSON, `Data` or `events` as each screen does, the file name from
 * Content-Disposition with its regex, a text/html answer as a failure, the workbook's rows.
 * Issue 11.7.
 */

const AUDIT = '/pyaudit';
const OLD_WARNING = 'Search may return more than 5000 rows. Please modify search criteria.';
const FILE_NAME = /filename="?([^"]+)"?/;
/** The event keys of the contract (CONTRACT.md, "The event object"): the grid's columns. */
const CONTRACT_KEYS = [
  'Id',
  'EventTimestamp',
  'Functionality',
  'EventType',
  'StoreLocationID',
  'StoreName',
  'CompanyId',
  'CompanyName',
  'UserName',
  'Message',
  'Status',
  'AdditionalData',
];

type Body = { StatusCode: number; message: string } & Record<string, unknown>;
type Row = Record<string, unknown>;

/** `${audit}/api/audit-events/<path>?<params>` with the CSIQ-APIKEY header, as the dashboard calls. */
function dashboardGet(path: string, params?: URLSearchParams): Promise<Response> {
  const query = params ? `?${params.toString()}` : '';
  return call(`${AUDIT}/api/audit-events/${path}${query}`, { headers: { 'CSIQ-APIKEY': KEY } });
}

/** The dashboard parses every JSON answer and looks only at the body's StatusCode. */
async function readJson(response: Response): Promise<Body> {
  expect(response.headers.get('Content-Type')).toMatch(/application\/json/);
  return (await response.json()) as Body;
}

/** The date pickers' values as sent: MM-DD-YYYY HH:MM:SS, Central Time; a `to` of 00:00:00 becomes 23:59:59. */
const centralDate = (ms: number) => formatCentral(ms).slice(0, 10);
function dateRange(fromMs: number, toMs: number): [string, string] {
  return [`${centralDate(fromMs)} 00:00:00`, `${centralDate(toMs)} 23:59:59`];
}

/** The Search button: page 1 of 5000, the range, then each field filled in. */
function searchParams(range: [string, string], fields: Record<string, string | number>): URLSearchParams {
  const params = new URLSearchParams();
  params.append('page_number', '1');
  params.append('page_size', '5000');
  params.append('from_date', range[0]);
  params.append('to_date', range[1]);
  for (const name of ['company_id', 'store_id', 'user', 'functionality', 'event_type', 'message_pattern']) {
    const value = fields[name];
    if (value !== undefined && value !== '') params.append(name, String(value));
  }
  return params;
}

/** The Export button: page_number=1, the range if chosen, each field, then recent/page_size. */
function exportParams(range: [string, string] | null, fields: Record<string, string | number>): URLSearchParams {
  const params = new URLSearchParams();
  params.append('page_number', '1');
  if (range) {
    params.append('from_date', range[0]);
    params.append('to_date', range[1]);
  }
  const names = [
    'company_id',
    'store_location_id',
    'username',
    'functionality_name',
    'event_type_name',
    'message_pattern',
  ];
  let anyFilter = range !== null;
  for (const name of names) {
    const value = fields[name];
    if (value !== undefined && value !== '') {
      params.append(name, String(value));
      anyFilter = true;
    }
  }
  if (anyFilter) {
    params.append('recent', 'false');
    params.append('page_size', '5000');
  } else {
    params.append('recent', 'true');
    params.append('page_size', '500');
  }
  return params;
}

/** What the dashboard does with an export answer: refuse text/html, name the file, keep the blob. */
async function download(response: Response): Promise<{ fileName: string; rows: unknown[][] }> {
  expect(response.headers.get('Content-Type') ?? '').not.toMatch(/text\/html/);
  expect(response.status, response.status === 200 ? '' : await response.clone().text()).toBe(200);
  const fileName = FILE_NAME.exec(response.headers.get('Content-Disposition') ?? '')?.[1];
  expect(fileName).toBeDefined();
  const workbook = await readWorkbook(await response.arrayBuffer());
  return { fileName: fileName ?? '', rows: sheetValues(workbook.worksheets[0]) };
}

async function admin(method: string, path: string, body: unknown): Promise<Row> {
  const response = await call(`${AUDIT}/api/admin/${path}`, {
    method,
    headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return (await response.json()) as Row;
}

describe('the support dashboard, replayed', () => {
  const tag = `${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
  const company = uniqueCompanyId();
  const companyName = `Dashboard Retail ${tag}`;
  const store = 4242;
  const storeName = `Main Street ${tag}`;
  const functionalityName = `Price Desk ${tag}`;
  let functionalityId = 0;
  let eventTypes: { EventTypeID: number; EventTypeName: string }[] = [];
  const created: { id: number; eventType: string; user: string; message: string }[] = [];
  const now = Date.now();
  const range = dateRange(now - 86_400_000, now);

  beforeAll(async () => {
    await admin('PUT', `companies/${company}`, { name: companyName });
    await admin('PUT', `companies/${company}/stores/${store}`, { name: storeName });
    const added = await admin('POST', 'functionalities', {
      name: functionalityName,
      event_types: ['Price Change', 'Price Check'],
    });
    functionalityId = added.FunctionalityID as number;
    eventTypes = added.EventTypes as typeof eventTypes;
    const samples = [
      { eventType: 'Price Change', user: 'mgr.alice', message: 'Price of SKU 100 changed from 2.99 to 3.49' },
      { eventType: 'Price Change', user: 'mgr.alice', message: 'Price of SKU 200 changed from 1.00 to 1.10' },
      { eventType: 'Price Check', user: 'mgr.alice', message: 'Price of SKU 100 checked' },
      { eventType: 'Price Change', user: 'clerk.bob', message: 'Price of SKU 100 changed from 3.49 to 2.99' },
    ];
    for (const [i, s] of samples.entries()) {
      const response = await postJson(
        `${AUDIT}/api/audit-events/create`,
        event({
          company_id: company,
          store_id: store,
          functionality: functionalityName,
          event_type: s.eventType,
          user: s.user,
          message: s.message,
          event_timestamp: new Date(now - (i + 1) * 60_000).toISOString(),
        }),
      );
      const body = (await response.json()) as Body;
      expect(body.StatusCode, JSON.stringify(body)).toBe(201);
      created.push({ id: body.id as number, ...s });
    }
  });

  it('loads: companies (Data), recent (events, every contract key in every row), functionalities (Data)', async () => {
    const companies = await readJson(await dashboardGet('get-all-companies'));
    expect(companies.StatusCode).toBe(200);
    const ours = (companies.Data as Row[]).find((c) => c.CompanyID === company);
    expect(ours).toEqual(expect.objectContaining({ CompanyID: company, CompanyName: companyName }));

    const recent = await readJson(await dashboardGet('recent'));
    expect(recent.StatusCode).toBe(200);
    const events = recent.events as Row[];
    expect(events.length).toBeGreaterThan(0);
    // The grid's columns come from the first event's keys: every row must have the same keys.
    const columns = Object.keys(events[0] ?? {});
    expect(columns).toEqual(expect.arrayContaining(CONTRACT_KEYS));
    for (const e of events) expect(Object.keys(e)).toEqual(columns);

    const functionalities = await readJson(await dashboardGet('get-all-auditfunctionalities'));
    expect(functionalities.StatusCode).toBe(200);
    expect(functionalities.Data as Row[]).toContainEqual(
      expect.objectContaining({ FunctionalityID: functionalityId, FunctionalityName: functionalityName }),
    );
    expect(typeof (functionalities.Data as Row[])[0]?.FunctionalityID).toBe('number');
  });

  it('company chosen: its stores (Data); functionality chosen: its event types (events, by name with spaces)', async () => {
    const stores = await readJson(
      await dashboardGet('get-storelocations-by-company', new URLSearchParams({ company_id: String(company) })),
    );
    expect(stores.StatusCode).toBe(200);
    expect(stores.Data).toEqual([expect.objectContaining({ StoreLocationID: store, StoreName: storeName })]);

    // The name is put into the URL as it is; the browser escapes its spaces as %20.
    const response = await call(
      `${AUDIT}/api/audit-events/get-eventtypenames-by-functionalityname?functionalityname=${functionalityName}`,
      { headers: { 'CSIQ-APIKEY': KEY } },
    );
    const types = await readJson(response);
    expect(types.StatusCode).toBe(200);
    expect(types.events).toEqual(
      expect.arrayContaining(
        eventTypes.map((t) => expect.objectContaining({ EventTypeID: t.EventTypeID, EventTypeName: t.EventTypeName })),
      ),
    );
  });

  it('Search with every field filled in', async () => {
    const body = await readJson(
      await dashboardGet(
        'search',
        searchParams(range, {
          company_id: company,
          store_id: store,
          user: 'mgr.alice',
          functionality: functionalityName,
          event_type: 'Price Change',
          message_pattern: 'sku 100',
        }),
      ),
    );
    expect(body.StatusCode).toBe(200);
    const events = body.events as Row[];
    expect(events.map((e) => e.Id)).toEqual([created[0]?.id]);
    expect(events[0]).toMatchObject({
      Functionality: functionalityName,
      EventType: 'Price Change',
      StoreLocationID: store,
      StoreName: storeName,
      CompanyId: company,
      CompanyName: companyName,
      UserName: 'mgr.alice',
      Status: 'Success',
    });
  });

  it('Export with every filter: ids in the alias names, page_number, page_size, recent=false', async () => {
    const changeId = eventTypes.find((t) => t.EventTypeName === 'Price Change')?.EventTypeID;
    const params = exportParams(range, {
      company_id: company,
      store_location_id: store,
      username: 'mgr.alice',
      functionality_name: functionalityId,
      event_type_name: changeId ?? -1,
      message_pattern: 'SKU',
    });
    expect(params.get('recent')).toBe('false');
    expect(params.get('page_size')).toBe('5000');
    const { fileName, rows } = await download(await dashboardGet('export', params));
    expect(fileName).toMatch(/^audit_events_search_\d{8}_\d{6}\.xlsx$/);
    expect(rows[0]?.[0]).toBe('ID');
    const alicesChanges = created.filter((c) => c.user === 'mgr.alice' && c.eventType === 'Price Change');
    expect(rows.slice(1).map((r) => r[0])).toEqual(alicesChanges.map((c) => c.id));
    expect(rows.slice(1).map((r) => r[7])).toEqual(alicesChanges.map((c) => c.message));
    expect(rows[1]?.slice(2, 7)).toEqual([functionalityName, 'Price Change', storeName, companyName, 'mgr.alice']);
  });

  it('Export with no filter: recent=true&page_size=500', async () => {
    const params = exportParams(null, {});
    expect(params.toString()).toBe('page_number=1&recent=true&page_size=500');
    const { fileName, rows } = await download(await dashboardGet('export', params));
    expect(fileName).toMatch(/^audit_events_recent_\d{8}_\d{6}\.xlsx$/);
    expect(rows[0]?.[0]).toBe('ID');
    // This company's events are among the newest of the database, so the file must hold them.
    expect(rows.length).toBeGreaterThan(created.length);
    expect(rows.length).toBeLessThanOrEqual(501);
    for (const row of rows.slice(1)) expect(typeof row[0]).toBe('number');
  });
});

describe('the support dashboard, a search over 5000 rows', () => {
  const company = uniqueCompanyId();
  const TOTAL = 5_001;
  const now = Date.now();

  beforeAll(async () => {
    for (let start = 0; start < TOTAL; start += 1000) {
      const events = Array.from({ length: Math.min(1000, TOTAL - start) }, (_, i) =>
        event({
          company_id: company,
          additional_data: null,
          message: `row ${start + i}`,
          event_timestamp: new Date(now - (start + i + 1) * 1000).toISOString(),
        }),
      );
      const response = await postJson(`${AUDIT}/api/audit-events/batch`, { events });
      expect(response.status).toBe(201);
    }
  });

  it('body StatusCode 400 with the old warning as message, and still the 5000 events to show', async () => {
    const response = await dashboardGet(
      'search',
      searchParams(dateRange(now - 86_400_000, now), { company_id: company }),
    );
    const body = await readJson(response);
    // What the dashboard does: StatusCode 400 -> show message as a warning, still display events.
    expect(body.StatusCode).toBe(400);
    expect(body.message).toBe(OLD_WARNING);
    expect((body.events as Row[]).length).toBe(5000);
    // What a new client reads instead: the HTTP status, the total and the cursor.
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ total_count: TOTAL, warning: OLD_WARNING });
    expect(body.next_cursor).toEqual(expect.any(String));
  });
});
