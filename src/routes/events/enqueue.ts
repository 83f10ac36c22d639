import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { validationError } from '../../lib/errors';
import { toValidationIssues } from '../../lib/validation-issues';
import { defineRoute } from '../define-route';
import {
  errorResponse,
  errorResponses,
  jsonBody,
  jsonResponse,
  jsonResponses,
  ValidationErrorSchema,
} from '../schemas';
import { acceptForQueue } from './accept-for-queue';
import { batchVerdict, checkBatchItems, type ItemFailure } from './check-items';
import { BATCH_MAX_EVENTS, BatchInputSchema, batchTooLargeResponse, EVENTS_TAGS, EventInputSchema } from './schemas';
import { prepareSingleEvent, queueSingleEvent } from './single-event';

const EnqueueItemSchema = z.object({
  index: z.number().int(),
  event_id: z.uuid().nullable().openapi({ description: 'The event_id sent, or the one generated for the event' }),
  errors: ValidationErrorSchema.shape.detail.optional(),
});

export const EnqueueResultSchema = z
  .object({
    StatusCode: z.union([z.literal(202), z.literal(207), z.literal(422)]),
    message: z.string(),
    accepted: z.number().int(),
    failed: z.number().int(),
    delivery: z.enum(['queued', 'stored']).openapi({
      description:
        'queued: the ingest queue has the events and will store them; stored: no queue is bound (npm run serve) and they were written directly',
    }),
    catalogue_checked: z.boolean().openapi({
      description:
        'false when the database did not answer in time: the consumer checks the catalogue, and a refused event goes to the dead letters',
    }),
    results: z.array(EnqueueItemSchema),
    detail: ValidationErrorSchema.shape.detail
      .optional()
      .openapi({ description: "With 422 only: every item's errors in one FastAPI-shaped list" }),
  })
  .openapi('AuditEventEnqueueResult');

/** Either body: the create schema or the batch schema, validated by the handler (one source each). */
const EnqueueBodySchema = z
  .custom<unknown>(() => true)
  .openapi({
    type: 'object',
    oneOf: [{ $ref: '#/components/schemas/AuditEventCreate' }, { $ref: '#/components/schemas/AuditEventBatch' }],
  });

export const enqueueRoute = defineRoute(
  {
    operationId: 'enqueueAuditEvents',
    scope: 'events:write',
    audit: null,
    route: 'POST /audit-events/enqueue',
    tags: EVENTS_TAGS,
    summary: 'Accept events for storing through the ingest queue (202), whatever the database is doing',
    description: `Takes a create body (one event) or a batch body (up to ${BATCH_MAX_EVENTS} events). Shape, timestamps and the key's companies are checked at once, and the catalogue too while the database answers; then the events go to the ingest queue and the answer is 202 with each event's event_id (the one sent, or a generated one). The queue consumer stores them with the batch ingest statement; an event_id is stored once, so a retry is harmless. With the database unreachable this still answers 202 (catalogue_checked: false). A batch with some items refused answers 207 (the others are queued), with every item refused 422. A single body is refused like create: 422, 403, or 400 for an unknown name. docs/queued-ingest.md`,
    request: { body: jsonBody(EnqueueBodySchema) },
    responses: {
      ...jsonResponses(EnqueueResultSchema, {
        202: 'Every event accepted: it will be stored',
        207: 'Some events refused (results[].errors); the others accepted',
      }),
      400: jsonResponse(
        z.object({ StatusCode: z.literal(400), message: z.string(), detail: z.string() }),
        'Single body: unknown functionality or event type',
      ),
      403: errorResponse('Single body: the key may not write events for this company'),
      413: batchTooLargeResponse,
      ...errorResponses,
      422: jsonResponse(
        z.union([EnqueueResultSchema, ValidationErrorSchema]),
        'The body is neither shape (detail only), or every event was refused and nothing queued',
      ),
      503: errorResponse(
        'The queue did not accept the events (or, with no queue bound, the database is down); retry with the same event_ids',
      ),
    },
  },
  async (c) => {
    const body = c.req.valid('json');
    const answer = isBatchBody(body) ? await enqueueBatch(c, body) : await enqueueOne(c, body);
    return c.json(answer, answer.StatusCode);
  },
);

const isBatchBody = (body: unknown) => typeof body === 'object' && body !== null && 'events' in body;

type EnqueueResult = z.infer<typeof EnqueueResultSchema>;

/** A create body: refused the way create refuses it, or queued. */
async function enqueueOne(c: Context<AppEnv>, body: unknown): Promise<EnqueueResult> {
  const parsed = EventInputSchema.safeParse(body);
  if (!parsed.success) throw validationError(toValidationIssues(parsed.error, 'body'));
  const outcome = await queueSingleEvent(c, prepareSingleEvent(c, parsed.data));
  return {
    StatusCode: 202,
    message: 'Audit event accepted; it will be stored',
    accepted: 1,
    failed: 0,
    delivery: outcome.delivery,
    catalogue_checked: outcome.catalogueChecked,
    results: outcome.accepted.map((a) => ({ index: a.index, event_id: a.event_id })),
  };
}

/** A batch body: every item checked like POST /batch, the valid ones queued together. */
async function enqueueBatch(c: Context<AppEnv>, body: unknown): Promise<EnqueueResult> {
  const parsed = BatchInputSchema.safeParse(body);
  if (!parsed.success) throw validationError(toValidationIssues(parsed.error, 'body'));
  const checked = checkBatchItems(parsed.data.events, c.var.principal, c.var.config, Date.now());
  const outcome = await acceptForQueue(c, checked.rows, (index) => ['body', 'events', index]);
  const failures: ItemFailure[] = [...checked.failures, ...outcome.refused];
  const results = [
    ...outcome.accepted.map((a) => ({ index: a.index, event_id: a.event_id })),
    ...failures.map((f) => ({ index: f.index, event_id: null, errors: f.errors })),
  ].sort((a, b) => a.index - b.index);
  const { status, message } = batchVerdict(failures.length, results.length, 202);
  return {
    StatusCode: status,
    message,
    accepted: outcome.accepted.length,
    failed: failures.length,
    delivery: outcome.delivery,
    catalogue_checked: outcome.catalogueChecked,
    results,
    ...(status === 422 ? { detail: failures.flatMap((f) => f.errors) } : {}),
  };
}
