import { z } from '@hono/zod-openapi';
import { eachEventBatch } from '../../db/queries/events';
import { MAX_BATCH_BYTES } from '../../export/batch-size';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS } from '../../export/formats';
import { withIntegrityFields } from '../../export/integrity-fields';
import { ndjsonIntegrityFormat } from '../../export/ndjson-writer';
import { streamExport } from '../../export/stream-export';
import { formatCentralCompact } from '../../lib/central-time';
import { defineRoute } from '../define-route';
import { errorResponses } from '../schemas';
import { resolveCatalogueIds } from './catalogue-ids';
import { RECENT_DEFAULT } from './recent';
import { EVENTS_TAGS } from './schemas';
import { booleanFlag, FilterQuerySchema, isTrue, SearchQuerySchema, toEventFilter } from './search-query';

const ExportQuerySchema = FilterQuerySchema.extend({
  recent: booleanFlag(`true: only the ${RECENT_DEFAULT} newest matching events`),
  format: z
    .enum(EXPORT_FORMAT_NAMES)
    .optional()
    .openapi({ description: 'xlsx (default), csv (UTF-8 with BOM, RFC 4180) or ndjson (one event per line)' }),
  // The support dashboard always sends page_number=1 and page_size (5000 with filters, 500
  // without); the old service accepted both. They are validated like search's and otherwise
  // ignored: the export is the whole filtered result (issue 11.1, README "Compatibility").
  page_number: SearchQuerySchema.shape.page_number.openapi({
    description: 'Accepted for old clients and ignored: the export is always the whole filtered result.',
  }),
  page_size: SearchQuerySchema.shape.page_size.openapi({
    description:
      'Accepted for old clients and ignored: the export is always the whole filtered result (recent=true caps it).',
  }),
  raw: booleanFlag(
    "CSV only. By default a text cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is written with a leading apostrophe (OWASP CSV injection); true writes every cell's text exactly as stored. xlsx cells are plain text either way.",
  ),
  integrity: booleanFlag(
    "NDJSON only. true adds to each event an Integrity object: utc_time, client_event_id, event_hash, block (the sealing block's seq, null while not sealed) and position, so `npm run verify -- --export` can check the file offline (docs/integrity.md).",
  ),
});

const fileSchema = z.string().openapi({ type: 'string', format: 'binary' });
const mediaType = (contentType: string) => contentType.split(';')[0] ?? contentType;

export const exportRoute = defineRoute(
  {
    operationId: 'exportAuditEvents',
    scope: 'events:read',
    audit: 'Export',
    route: 'GET /audit-events/export',
    tags: EVENTS_TAGS,
    summary: 'Download every matching event as .xlsx, CSV or NDJSON (streamed)',
    description:
      'Takes every search filter (and its dashboard aliases) plus recent and format. The whole filtered result is exported, newest first, streamed while it is read: ' +
      "sheet 'Audit Events' (continued on 'Audit Events 2', ... past Excel's 1,048,575 rows per sheet), bold header, timestamps in Central Time. " +
      'Errors before the download starts are JSON; a failure during the download aborts it (the file is never silently cut short).',
    request: { query: ExportQuerySchema },
    responses: {
      200: {
        description: 'The file, as an attachment named audit_events_(recent|search)_MMDDYYYY_HHMMSS.(xlsx|csv|ndjson)',
        headers: {
          'Content-Disposition': {
            description: 'attachment; filename=audit_events_search_11262026_143000.xlsx',
            schema: { type: 'string' },
          },
        },
        content: Object.fromEntries(
          Object.values(EXPORT_FORMATS).map((f) => [mediaType(f.contentType), { schema: fileSchema }]),
        ),
      },
      ...errorResponses,
    },
  },
  async (c) => {
    const query = c.req.valid('query');
    const parsed = toEventFilter(query, c.var.principal);
    const recent = isTrue(query.recent);
    const withIntegrity = query.format === 'ndjson' && isTrue(query.integrity);
    const format = withIntegrity ? ndjsonIntegrityFormat : EXPORT_FORMATS[query.format ?? 'xlsx'];
    const { config, logger } = c.var;
    // Only fixed text and digits reach the file name.
    const fileName = `audit_events_${recent ? 'recent' : 'search'}_${formatCentralCompact(Date.now())}.${format.extension}`;
    const headers = {
      'Content-Type': format.contentType,
      'Content-Disposition': `attachment; filename=${fileName}`,
      'Cache-Control': 'no-store',
    };
    // Hono answers HEAD with the GET handler and drops the body, so without this a HEAD would run
    // the first export query and leave its stream (and connection) unreleased (issue 13.7).
    if (c.req.method === 'HEAD') return c.body(null, 200, headers);

    const handle = c.var.takeDatabase({ statementTimeoutMs: config.EXPORT_QUERY_TIMEOUT_MS });
    const release = () => {
      const closing = handle.close();
      try {
        c.executionCtx.waitUntil(closing);
      } catch {
        // no ExecutionContext (app.request in a script): the caller awaits closing
      }
      return closing;
    };
    let filter: typeof parsed;
    try {
      filter = await resolveCatalogueIds(handle.db, parsed);
    } catch (error) {
      // The stream never started, so nothing else will close the connection this handler took.
      await release();
      throw error;
    }
    const started = Date.now();
    const log = (event: string, rows: number, extra: Record<string, unknown> = {}) =>
      logger.info(event, { format: query.format ?? 'xlsx', rows, duration_ms: Date.now() - started, ...extra });
    const body = await streamExport(
      {
        readBatches: (batchRows) => {
          const batches = eachEventBatch(handle.db, filter, {
            batchSize: batchRows,
            maxRows: recent ? RECENT_DEFAULT : undefined,
            maxBatchBytes: MAX_BATCH_BYTES,
          });
          return withIntegrity ? withIntegrityFields(handle.db, batches) : batches;
        },
        release,
      },
      format,
      { rowsPerSheet: config.EXPORT_ROWS_PER_SHEET, raw: isTrue(query.raw) },
      {
        onFinished: (rows) => log('export finished', rows),
        onCancelled: (rows) => log('export cancelled by the client', rows),
        // The driver's message can carry SQL text; the code is enough to diagnose.
        onFailed: (error, rows) =>
          logger.error('export failed mid-stream', { rows, code: (error as { code?: string } | undefined)?.code }),
      },
    );

    return c.body(body, 200, headers);
  },
);
