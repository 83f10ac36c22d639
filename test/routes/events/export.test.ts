import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client';
import { type EventRow, eachEventBatch } from '../../../src/db/queries/events';
import { loadConfig } from '../../../src/env';
import { EXPORT_FORMATS } from '../../../src/export/formats';
import { streamExport } from '../../../src/export/stream-export';
import { formatCentralCompact } from '../../../src/lib/central-time';
import { BASE, call, createEvent, event, get, isEmbedded, uniqueCompanyId } from '../../helpers/app';
import { parseCsv } from '../../helpers/csv.mjs';
import { query } from '../../helpers/sql';
import { EXPORT_HEADER, readWorkbook, sheetValues, zipEntryText } from '../../helpers/xlsx';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const qs = (params: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

const download = (params: Record<string, string | number>, overrides: Partial<Env> = {}) =>
  get(`${BASE}/export?${qs(params)}`, {}, overrides);

async function ok(response: Response): Promise<Response> {
  expect(response.status, response.status === 200 ? '' : await response.clone().text()).toBe(200);
  return response;
}

async function workbookOf(response: Response) {
  return readWorkbook(await (await ok(response)).arrayBuffer());
}

interface SearchEvent {
  Id: number;
  EventTimestamp: string;
  [key: string]: unknown;
}
async function searchAll(params: Record<string, string | number>) {
  const response = await get(`${BASE}/search?${qs({ ...params, page_size: 5000 })}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { total_count: number; events: SearchEvent[] };
}

/** Rows straight into the table (fast fixtures for batch-sized exports), newest first by id. */
async function insertBulk(companyId: number, rows: number): Promise<void> {
  await query(
    `INSERT INTO auditevents (eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username, message, status, additionaldata)
     SELECT now() - make_interval(mins => 10, secs => g), 1, 1, 101, $1, 'bulk', 'Bulk event ' || g, 'Success', jsonb_build_object('n', g)
     FROM generate_series(1, $2::int) AS g`,
    [companyId, rows],
  );
}

/** The Worker pointed at the test database under a connection name, to find its connection in pg_stat_activity. */
function namedConnection(name: string): Partial<Env> {
  const url = new URL(env.TEST_DATABASE_URL);
  url.searchParams.set('application_name', name);
  return { HYPERDRIVE: { connectionString: url.toString() } as Hyperdrive };
}
const connectionsNamed = async (name: string) =>
  Number(
    (await query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [name]))[0]
      ?.n,
  );
async function waitForNoConnection(name: string): Promise<number> {
  for (let i = 0; i < 100 && (await connectionsNamed(name)) > 0; i++) await new Promise((r) => setTimeout(r, 200));
  return connectionsNamed(name);
}

const company = uniqueCompanyId();
const ids: Record<string, number> = {};

beforeAll(async () => {
  await query(`INSERT INTO companies VALUES ($1, 'Acme, "Retail" Inc.')`, [company]);
  await query(`INSERT INTO storelocations VALUES ($1, 101, 'Downtown')`, [company]);
  ids.tricky = await createEvent(
    event({
      company_id: company,
      event_timestamp: '2026-11-20T10:00:00-06:00',
      message: 'Price changed, "old" -> new\nsecond line & <b>',
      additional_data: { note: 'a,b', quote: '"q"' },
    }),
  );
  ids.failed = await createEvent(
    event({
      company_id: company,
      event_timestamp: '2026-11-19T08:30:15-06:00',
      event_type: 'Logout',
      status: 'Failed',
      store_id: null,
      user: 'alice',
      message: '  padded  ',
      additional_data: null,
    }),
  );
  ids.summer = await createEvent(
    event({
      company_id: company,
      event_timestamp: '2026-07-04T12:00:00Z',
      functionality: 'Price Management',
      event_type: 'Item updated',
      user: 'bob',
      message: 'Summer price',
    }),
  );
});

describe('export as xlsx', () => {
  it('is the old workbook: sheet, bold header, columns, Central timestamps, JSON text', async () => {
    const response = await download({ company_id: company });
    expect(response.headers.get('Content-Type')).toBe(XLSX_TYPE);
    const workbook = await workbookOf(response);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Audit Events']);
    const sheet = workbook.getWorksheet('Audit Events');
    expect(sheet?.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet?.getRow(1).getCell(10).font?.bold).toBe(true);
    expect(sheet?.getRow(2).getCell(1).font?.bold).toBeFalsy();
    expect(sheetValues(sheet)).toEqual([
      EXPORT_HEADER,
      [
        ids.tricky,
        '11-20-2026 10:00:00',
        'Authenticate',
        'Login',
        'Downtown',
        'Acme, "Retail" Inc.',
        'jdoe',
        'Price changed, "old" -> new\nsecond line & <b>',
        'Success',
        '{"note":"a,b","quote":"\\"q\\""}',
      ],
      [
        ids.failed,
        '11-19-2026 08:30:15',
        'Authenticate',
        'Logout',
        '',
        'Acme, "Retail" Inc.',
        'alice',
        '  padded  ',
        'Failed',
        '',
      ],
      [
        ids.summer,
        '07-04-2026 07:00:00',
        'Price Management',
        'Item updated',
        'Downtown',
        'Acme, "Retail" Inc.',
        'bob',
        'Summer price',
        'Success',
        '{"ip":"192.168.1.10","browser":"Chrome"}',
      ],
    ]);
    expect(sheet?.getColumn(8).width).toBeGreaterThan(sheet?.getColumn(1).width ?? 0);
  });

  it('has as many rows as search finds for the same filters, in the same order', async () => {
    const filters = { company_id: company, from_date: '11-01-2026', to_date: '11-30-2026' };
    const [workbook, found] = await Promise.all([workbookOf(await download(filters)), searchAll(filters)]);
    const rows = sheetValues(workbook.worksheets[0]).slice(1);
    expect(found.total_count).toBe(2);
    expect(rows.length).toBe(found.total_count);
    expect(rows.map((r) => r[0])).toEqual(found.events.map((e) => e.Id));
    expect(rows.map((r) => r[1])).toEqual(found.events.map((e) => e.EventTimestamp));
  });

  it('continues on "Audit Events 2", ... past the rows-per-sheet limit, each with the header', async () => {
    const workbook = await workbookOf(
      await download({ company_id: company }, { EXPORT_ROWS_PER_SHEET: '2' } as Partial<Env>),
    );
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Audit Events', 'Audit Events 2']);
    const [first, second] = workbook.worksheets.map((sheet) => sheetValues(sheet));
    expect(first?.[0]).toEqual(EXPORT_HEADER);
    expect(second?.[0]).toEqual(EXPORT_HEADER);
    expect(workbook.worksheets[1]?.getRow(1).getCell(1).font?.bold).toBe(true);
    expect([...(first ?? []).slice(1), ...(second ?? []).slice(1)].map((r) => r[0])).toEqual([
      ids.tricky,
      ids.failed,
      ids.summer,
    ]);
  });

  it('keeps text that XML cannot carry as is (control characters, CR, literal _xHHHH_)', async () => {
    // Rows written before the API checked text can hold control characters; the file must still open.
    const odd = uniqueCompanyId();
    const message = 'bell\u0007 cr\r\n literal _x0041_ end';
    await query(
      `INSERT INTO auditevents (eventtimestamp, functionalityid, eventtypeid, companyid, message) VALUES (now() - interval '1 minute', 1, 1, $1, $2)`,
      [odd, message],
    );
    const bytes = new Uint8Array(await (await ok(await download({ company_id: odd }))).arrayBuffer());
    const sheetXml = zipEntryText(bytes, 'xl/worksheets/sheet1.xml');
    expect(sheetXml).toContain('bell_x0007_ cr&#13;\n literal _x005F_x0041_ end');
    const workbook = await readWorkbook(bytes);
    expect(workbook.worksheets[0]?.getRow(2).getCell(8).value).toContain('cr\r\n literal');
  });

  it('is a valid workbook with just the header when nothing matches', async () => {
    const workbook = await workbookOf(await download({ company_id: uniqueCompanyId() }));
    expect(sheetValues(workbook.worksheets[0])).toEqual([EXPORT_HEADER]);
  });
});

describe('export as csv and ndjson', () => {
  it('csv: UTF-8 BOM, CRLF, RFC 4180 quoting of commas, quotes and line breaks', async () => {
    const response = await ok(await download({ company_id: company, format: 'csv' }));
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain(`\r\n${ids.tricky},11-20-2026 10:00:00,`);
    expect(text).toContain('"Price changed, ""old"" -> new\nsecond line & <b>"');
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(EXPORT_HEADER);
    expect(rows.slice(1)).toEqual([
      [
        String(ids.tricky),
        '11-20-2026 10:00:00',
        'Authenticate',
        'Login',
        'Downtown',
        'Acme, "Retail" Inc.',
        'jdoe',
        'Price changed, "old" -> new\nsecond line & <b>',
        'Success',
        '{"note":"a,b","quote":"\\"q\\""}',
      ],
      [
        String(ids.failed),
        '11-19-2026 08:30:15',
        'Authenticate',
        'Logout',
        '',
        'Acme, "Retail" Inc.',
        'alice',
        '  padded  ',
        'Failed',
        '',
      ],
      [
        String(ids.summer),
        '07-04-2026 07:00:00',
        'Price Management',
        'Item updated',
        'Downtown',
        'Acme, "Retail" Inc.',
        'bob',
        'Summer price',
        'Success',
        '{"ip":"192.168.1.10","browser":"Chrome"}',
      ],
    ]);
  });

  it('ndjson: one search-shaped event per line, the same events search returns', async () => {
    const response = await ok(await download({ company_id: company, format: 'ndjson' }));
    expect(response.headers.get('Content-Type')).toBe('application/x-ndjson; charset=utf-8');
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual((await searchAll({ company_id: company })).events);
  });
});

describe('export filters and headers', () => {
  it('applies the filters and the dashboard aliases, like search', async () => {
    const cases: [Record<string, string | number>, number[]][] = [
      [{ event_type_name: 'Logout' }, [ids.failed as number]],
      [{ functionality_name: 'Price Management' }, [ids.summer as number]],
      [{ username: 'bob' }, [ids.summer as number]],
      [{ store_location_id: 101 }, [ids.tricky as number, ids.summer as number]],
      [{ status: 'Failed' }, [ids.failed as number]],
      [{ message_pattern: 'SUMMER' }, [ids.summer as number]],
      [{ from_date: '11-20-2026', to_date: '11-20-2026' }, [ids.tricky as number]],
    ];
    for (const [filters, expected] of cases) {
      const params = { ...filters, company_id: company, format: 'ndjson' };
      const lines = (await (await ok(await download(params))).text()).trim().split('\n');
      expect(
        lines.map((l) => (JSON.parse(l) as { Id: number }).Id),
        JSON.stringify(filters),
      ).toEqual(expected);
      expect(expected.length).toBe((await searchAll({ ...filters, company_id: company })).total_count);
    }
  });

  it('names the file audit_events_search_MMDDYYYY_HHMMSS in Central time, per format', async () => {
    for (const [format, extension] of [
      ['xlsx', 'xlsx'],
      ['csv', 'csv'],
      ['ndjson', 'ndjson'],
    ]) {
      const before = formatCentralCompact(Date.now());
      const response = await ok(await download({ company_id: company, format: format as string }));
      const after = formatCentralCompact(Date.now());
      const disposition = response.headers.get('Content-Disposition') ?? '';
      const match = /^attachment; filename=audit_events_search_(\d{8}_\d{6})\.(\w+)$/.exec(disposition);
      expect(match, disposition).not.toBeNull();
      expect(match?.[2]).toBe(extension);
      expect([before.slice(0, 8), after.slice(0, 8)]).toContain(match?.[1]?.slice(0, 8));
      await response.body?.cancel();
    }
  });

  it('recent=true: the 500 newest matching events, named audit_events_recent_...', async () => {
    const bulk = uniqueCompanyId();
    await insertBulk(bulk, 620);
    const response = await ok(await download({ company_id: bulk, recent: 'true', format: 'ndjson' }));
    expect(response.headers.get('Content-Disposition')).toMatch(
      /^attachment; filename=audit_events_recent_\d{8}_\d{6}\.ndjson$/,
    );
    const events = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Id: number; Message: string });
    expect(events.length).toBe(500);
    const newest = await searchAll({ company_id: bulk, page_size: 500 });
    expect(events.map((e) => e.Id)).toEqual(newest.events.slice(0, 500).map((e) => e.Id));
    expect(events[0]?.Message).toBe('Bulk event 1');
    // Without recent, the whole result: every row, over several batches.
    const all = await (await ok(await download({ company_id: bulk, format: 'csv' }))).text();
    expect(parseCsv(all.slice(1)).length).toBe(620 + 1);
  });

  it('declares the three file types and the errors in the OpenAPI document', async () => {
    const doc = (await (await call('/pyaudit/openapi.json')).json()) as {
      paths: Record<string, { get: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    };
    const responses = doc.paths[`${BASE}/export`]?.get.responses ?? {};
    expect(Object.keys(responses['200']?.content ?? {}).sort()).toEqual(
      ['application/x-ndjson', 'text/csv', XLSX_TYPE].sort(),
    );
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '401', '422', '500', '503']));
  });
});

describe('export errors', () => {
  // An unknown parameter is ignored and named, as the old service ignored it (issue 11.2,
  // test/routes/events/ignored-parameters.test.ts).
  it('422 in JSON for a bad date, an unknown format or a bad flag', async () => {
    for (const [params, field] of [
      [{ from_date: 'yesterday' }, 'from_date'],
      [{ format: 'pdf' }, 'format'],
      [{ recent: 'maybe' }, 'recent'],
    ] as const) {
      const response = await download(params);
      expect(response.status, JSON.stringify(params)).toBe(422);
      expect(response.headers.get('Content-Type')).toMatch(/application\/json/);
      const body = (await response.json()) as { detail: { loc: string[] }[] };
      expect(body.detail.map((d) => d.loc.join('.'))).toContain(`query.${field}`);
    }
  });

  it('401 without the key, before anything is read', async () => {
    const response = await call(`${BASE}/export`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'API Key is missing' });
  });

  it('503 in JSON when the database is down before the first byte', async () => {
    const response = await download(
      { company_id: company },
      { HYPERDRIVE: { connectionString: 'postgres://postgres:x@127.0.0.1:1/nothing' } as Hyperdrive },
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('Content-Disposition')).toBeNull();
    expect(((await response.json()) as { detail: string }).detail).toMatch(/Database unavailable/);
  });
});

describe('export batches', () => {
  it('cuts a batch of large rows by stored bytes, without losing or reordering rows', async () => {
    const large = uniqueCompanyId();
    // ~5,800 characters of hex in additional data: compresses poorly, so each row stores several KB.
    await query(
      `INSERT INTO auditevents (eventtimestamp, functionalityid, eventtypeid, companyid, message, additionaldata)
       SELECT now() - make_interval(mins => 5, secs => g), 1, 1, $1, 'large ' || g,
              jsonb_build_object('blob', (SELECT string_agg(md5(g::text || '-' || k::text), '') FROM generate_series(1, 180) AS k))
       FROM generate_series(1, 30) AS g`,
      [large],
    );
    const handle = openDatabase(loadConfig(env), { statementTimeoutMs: 10_000 });
    try {
      const filter = { companyId: large, includeArchived: false, companies: null };
      const collect = async (maxBatchBytes?: number) => {
        const batches: number[][] = [];
        for await (const rows of eachEventBatch(handle.db, filter, { batchSize: 5000, maxBatchBytes })) {
          batches.push(rows.map((r) => r.id));
        }
        return batches;
      };
      const whole = await collect();
      const cut = await collect(40_000);
      expect(whole.length).toBe(1);
      expect(cut.length).toBeGreaterThan(2);
      expect(Math.max(...cut.map((b) => b.length))).toBeLessThan(30);
      expect(cut.flat()).toEqual(whole.flat());
    } finally {
      await handle.close();
    }
  });
});

describe('export streaming', () => {
  // pg_stat_activity and pg_terminate_backend need a real server; PGlite has one connection.
  it.skipIf(isEmbedded)('a cancelled download frees its connection and the service keeps answering', async () => {
    const bulk = uniqueCompanyId();
    await insertBulk(bulk, 12_001);
    const name = `export_cancel_${crypto.randomUUID().slice(0, 8)}`;
    const response = await ok(await download({ company_id: bulk, format: 'csv' }, namedConnection(name)));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(await connectionsNamed(name)).toBe(1); // still open: the rest has not been read
    await reader.cancel();
    expect(await waitForNoConnection(name)).toBe(0);
    expect((await get(`${BASE}/search?company_id=${bulk}&page_size=1`)).status).toBe(200);
  });

  it.skipIf(isEmbedded)('a failure after the first byte breaks the download instead of ending it', async () => {
    const bulk = uniqueCompanyId();
    await insertBulk(bulk, 12_001); // three batches: the last is read after the connection dies
    const name = `export_fail_${crypto.randomUUID().slice(0, 8)}`;
    const response = await ok(await download({ company_id: bulk, format: 'csv' }, namedConnection(name)));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    await query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
    const readRest = async () => {
      for (;;) if ((await reader.read()).done) return 'ended cleanly';
    };
    await expect(readRest()).rejects.toThrow();
    expect(await waitForNoConnection(name)).toBe(0);
  });

  it('an error from the row source errors the stream and releases the source once', async () => {
    const row = { id: 1, eventTimestamp: '2026-11-20 16:00:00+00', functionality: 'A', eventType: 'B' } as EventRow;
    async function* failingAfterOneBatch(): AsyncGenerator<EventRow[]> {
      yield [row];
      throw new Error('connection lost');
    }
    let releases = 0;
    const stream = await streamExport(
      { readBatches: failingAfterOneBatch, release: async () => void releases++ },
      EXPORT_FORMATS.csv,
      { rowsPerSheet: 10 },
    );
    const reader = stream.getReader();
    const chunks: string[] = [];
    const readAll = async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        chunks.push(new TextDecoder().decode(value));
      }
    };
    await expect(readAll()).rejects.toThrow('connection lost');
    expect(chunks.join('')).toContain('1,11-20-2026 10:00:00,A,B');
    expect(releases).toBe(1);
  });

  it('an error before the first batch rejects (a JSON error) and releases the source', async () => {
    // biome-ignore lint/correctness/useYield: fails before its first batch on purpose
    async function* failingAtOnce(): AsyncGenerator<EventRow[]> {
      throw new Error('database down');
    }
    let releases = 0;
    await expect(
      streamExport({ readBatches: failingAtOnce, release: async () => void releases++ }, EXPORT_FORMATS.xlsx, {
        rowsPerSheet: 10,
      }),
    ).rejects.toThrow('database down');
    expect(releases).toBe(1);
  });
});

describe('export batch sizing follows the bytes written, from the first batch on (issue 13.8)', () => {
  it('large compressible rows are cut by their text size, not their stored (compressed) size', async () => {
    const company = uniqueCompanyId();
    // 10,000 identical characters store as ~100 bytes; as text each row is ~20 KB.
    await query(
      `INSERT INTO auditevents (eventtimestamp, functionalityid, eventtypeid, companyid, message, additionaldata)
       SELECT now() - make_interval(mins => 5, secs => g), 1, 1, $1, repeat('x', 10000),
              jsonb_build_object('blob', repeat('y', 10000))
       FROM generate_series(1, 40) AS g`,
      [company],
    );
    const handle = openDatabase(loadConfig(env), { statementTimeoutMs: 10_000 });
    try {
      const filter = { companyId: company, includeArchived: false, companies: null };
      const batches: number[] = [];
      for await (const rows of eachEventBatch(handle.db, filter, { batchSize: 1000, maxBatchBytes: 100_000 })) {
        batches.push(rows.length);
      }
      expect(batches.reduce((a, b) => a + b, 0)).toBe(40);
      // 100 KB of ~20 KB rows: five, plus the one that crossed the line.
      expect(Math.max(...batches)).toBeLessThanOrEqual(6);
    } finally {
      await handle.close();
    }
  });

  it('the batch after a large one is already sized by it (not one batch late)', async () => {
    const big = (id: number) =>
      ({
        id,
        eventTimestamp: '2026-11-20 16:00:00+00',
        functionality: 'A',
        eventType: 'B',
        message: 'm'.repeat(10_000),
      }) as EventRow;
    const asked: number[] = [];
    async function* source(batchRows: () => number): AsyncGenerator<EventRow[]> {
      for (let batch = 0; batch < 3; batch++) {
        const n = batchRows();
        asked.push(n);
        yield Array.from({ length: n }, (_, i) => big(batch * 10_000 + i));
      }
    }
    const stream = await streamExport({ readBatches: source, release: async () => {} }, EXPORT_FORMATS.csv, {
      rowsPerSheet: 1_048_575,
    });
    const reader = stream.getReader();
    for (;;) if ((await reader.read()).done) break;
    // 1000 rows of ~10,000 characters made ~10 M characters: the next batch asks for ~400, not 1000.
    expect(asked[0]).toBe(1000);
    expect(asked[1]).toBeLessThan(500);
    expect(asked[2]).toBe(asked[1]);
  });
});
