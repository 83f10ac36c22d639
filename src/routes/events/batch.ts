import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { type IngestOutcome, type IngestRow, ingestEvents } from '../../db/queries/events';

import { noteIgnored } from '../../lib/ignored-parameters';
import { notifyLiveTail } from '../../live/notify';
import { defineRoute } from '../define-route';
import { errorResponses, jsonBody, jsonResponse, jsonResponses, ValidationErrorSchema } from '../schemas';
import { acceptForQueue } from './accept-for-queue';
import { batchVerdict, checkBatchItems } from './check-items';
import { unknownNameMessage } from './prepare-event';
import { BATCH_MAX_EVENTS, BatchInputSchema, batchTooLargeResponse, EVENTS_TAGS, IgnoredFieldsSchema } from './schemas';

const ItemResultSchema = z.object({
  index: z.number().int(),
  id: z.number().int().nullable(),
  duplicate: z.boolean(),
  event_id: z.uuid().optional().openapi({ description: 'INGEST_MODE=queue only: the event_id of a queued event' }),
  errors: ValidationErrorSchema.shape.detail.optional(),
  ignored_fields: IgnoredFieldsSchema,
});
type ItemResult = z.infer<typeof ItemResultSchema>;

const BatchResultSchema = z
  .object({
    StatusCode: z.union([z.literal(201), z.literal(202), z.literal(207), z.literal(422)]),
    message: z.string(),
    created: z.number().int(),
    duplicates: z.number().int(),
    failed: z.number().int(),
    queued: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'INGEST_MODE=queue only: events accepted by the ingest queue (ids null until stored)' }),
    results: z.array(ItemResultSchema),
    detail: ValidationErrorSchema.shape.detail
      .optional()
      .openapi({ description: "With 422 only: every item's errors in one FastAPI-shaped list" }),
  })
  .openapi('AuditEventBatchResult');

export const batchRoute = defineRoute(
  {
    operationId: 'createAuditEventBatch',
    scope: 'events:write',
    audit: null,
    route: 'POST /audit-events/batch',
    tags: EVENTS_TAGS,
    summary: `Store up to ${BATCH_MAX_EVENTS} events in one statement`,
    description: `Each item is validated like a create body. Valid items are stored together in one statement (all or nothing for the valid ones); every item gets a result with its index and either its id or its errors. 201 when every item was stored, 207 when some were refused, 422 when every item was refused (nothing stored). More than ${BATCH_MAX_EVENTS} events: 413. Unknown fields of an item are ignored (the item is stored) and named in its ignored_fields and the X-Ignored-Parameters header (as events[i].name).`,
    request: { body: jsonBody(BatchInputSchema) },
    responses: {
      ...jsonResponses(BatchResultSchema, {
        201: 'Every event stored (or already stored)',
        202: 'INGEST_MODE=queue only: every event accepted by the ingest queue',
        207: 'Some events refused; see results[].errors',
      }),
      413: batchTooLargeResponse,
      ...errorResponses,
      422: jsonResponse(
        z.union([BatchResultSchema, ValidationErrorSchema]),
        'The body is not a batch (detail only), or every event was refused and nothing stored (results[].errors and detail say why)',
      ),
    },
  },
  async (c) => {
    const { events } = c.req.valid('json');
    const { config, principal } = c.var;
    const checked = checkBatchItems(events, principal, config, Date.now());
    const { rows, ignoredByIndex } = checked;
    for (const [index, ignored] of ignoredByIndex) {
      noteIgnored(
        c,
        ignored.map((name) => `events[${index}].${name}`),
      );
    }
    const results: ItemResult[] = checked.failures.map((f) => ({
      index: f.index,
      id: null,
      duplicate: false,
      errors: f.errors,
    }));
    if (config.INGEST_MODE === 'queue') return queuedBatch(c, rows, results, ignoredByIndex);
    const outcomes = await ingestEvents(c.var.database().db, rows, (code, attempt) =>
      c.var.logger.warn('ingest retried after a transient conflict', { code, attempt }),
    );
    results.push(...storedResults(outcomes, rows));
    sortWithIgnoredFields(results, ignoredByIndex);
    const failed = results.filter((r) => r.errors).length;
    const duplicates = results.filter((r) => r.duplicate).length;
    const created = results.length - failed - duplicates;
    if (created > 0) notifyLiveTail(c);
    const { status, message } = batchVerdict(failed, results.length, 201);
    return c.json(
      {
        StatusCode: status,
        message,
        created,
        duplicates,
        failed,
        results,
        ...(status === 422 ? { detail: results.flatMap((r) => r.errors ?? []) } : {}),
      },
      status,
    );
  },
);

/** INGEST_MODE=queue: the same body, 202 (or 207 / 422), ids null, each queued event's event_id. */
async function queuedBatch(
  c: Context<AppEnv>,
  rows: IngestRow[],
  failures: ItemResult[],
  ignoredByIndex: Map<number, string[]>,
) {
  const outcome = await acceptForQueue(c, rows, (index) => ['body', 'events', index]);
  const results: ItemResult[] = [
    ...failures,
    ...outcome.refused.map((f) => ({ index: f.index, id: null, duplicate: false, errors: f.errors })),
    ...outcome.accepted.map((a) => ({ index: a.index, id: null, duplicate: false, event_id: a.event_id })),
  ];
  sortWithIgnoredFields(results, ignoredByIndex);
  const failed = results.length - outcome.accepted.length;
  const { status, message } = batchVerdict(failed, results.length, 202);
  return c.json(
    {
      StatusCode: status,
      message,
      created: 0,
      duplicates: 0,
      failed,
      queued: outcome.accepted.length,
      results,
      ...(status === 422 ? { detail: results.flatMap((r) => r.errors ?? []) } : {}),
    },
    status,
  );
}

/** Each item's result from the ingest statement's outcome: its id, or the catalogue's refusal. */
function storedResults(outcomes: IngestOutcome[], rows: IngestRow[]): ItemResult[] {
  const rowByIndex = new Map(rows.map((r) => [r.idx, r]));
  return outcomes.map((outcome) => {
    const row = rowByIndex.get(outcome.idx);
    if (outcome.error === null || !row) return { index: outcome.idx, id: outcome.id, duplicate: outcome.duplicate };
    const field = outcome.error === 'unknown_functionality' ? 'functionality' : 'event_type';
    return {
      index: outcome.idx,
      id: null,
      duplicate: false,
      errors: [
        {
          loc: ['body', 'events', outcome.idx, field],
          msg: unknownNameMessage(outcome.error, row),
          type: outcome.error,
        },
      ],
    };
  });
}

/** Results in body order, each with the fields of its item that were ignored. */
function sortWithIgnoredFields(results: ItemResult[], ignoredByIndex: Map<number, string[]>) {
  results.sort((a, b) => a.index - b.index);
  for (const result of results) {
    const ignored = ignoredByIndex.get(result.index);
    if (ignored) result.ignored_fields = ignored;
  }
}
