import { z } from '@hono/zod-openapi';
import { ingestGrouped } from '../../db/grouped-ingest';
import { badRequest } from '../../lib/errors';
import { noteIgnored } from '../../lib/ignored-parameters';
import { notifyLiveTail } from '../../live/notify';
import { defineRoute } from '../define-route';
import { errorResponse, errorResponses, jsonBody, jsonResponse } from '../schemas';
import { unknownNameMessage } from './prepare-event';
import { EVENTS_TAGS, EventInputSchema, IgnoredFieldsSchema, unknownFieldsOf } from './schemas';
import { prepareSingleEvent, queueSingleEvent } from './single-event';

const CreatedSchema = z
  .object({
    StatusCode: z.literal(201),
    message: z.string().openapi({ example: 'Audit event created successfully' }),
    id: z.number().int().openapi({ example: 1042 }),
    duplicate: z
      .boolean()
      .openapi({ description: 'true when this event_id had been stored before; id is the original one' }),
    ignored_fields: IgnoredFieldsSchema,
  })
  .openapi('AuditEventCreated');

/** INGEST_MODE=queue: the same fields, 202 and no row id yet (docs/queued-ingest.md). */
const AcceptedSchema = z
  .object({
    StatusCode: z.literal(202),
    message: z.string().openapi({ example: 'Audit event accepted; it will be stored' }),
    id: z.null().openapi({ description: 'No row id yet: the queue consumer stores the event' }),
    duplicate: z.literal(false),
    event_id: z.uuid().openapi({ description: 'The event_id sent, or the one generated for the event' }),
    ignored_fields: IgnoredFieldsSchema,
  })
  .openapi('AuditEventAccepted');

const UnknownNameSchema = z
  .object({ StatusCode: z.literal(400), message: z.string(), detail: z.string() })
  .openapi('UnknownName', {
    example: {
      StatusCode: 400,
      message: 'Unknown functionalityname found: Billing',
      detail: 'Unknown functionalityname found: Billing',
    },
  });

export const createEventRoute = defineRoute(
  {
    operationId: 'createAuditEvent',
    scope: 'events:write',
    audit: null,
    route: 'POST /audit-events/create',
    tags: EVENTS_TAGS,
    summary: 'Store one audit event',
    description:
      'Stores one event; answers 201 only after the row is committed (with INGEST_MODE=queue: 202 once the ingest queue has it, id null). event_timestamp without an offset is Central Time. With an event_id, a retry returns the original id (duplicate: true) instead of storing a second row. Fields the service does not know are ignored, as the old service did, and named in ignored_fields and the X-Ignored-Parameters header.',
    request: { body: jsonBody(EventInputSchema) },
    responses: {
      201: jsonResponse(CreatedSchema, 'Stored (or already stored, with the same event_id)'),
      202: jsonResponse(AcceptedSchema, 'INGEST_MODE=queue only: accepted by the ingest queue, stored by its consumer'),
      400: jsonResponse(UnknownNameSchema, 'Unknown functionality, or an event type that is not one of its types'),
      403: errorResponse('The key may not write events for this company'),
      413: errorResponse('Body larger than MAX_BODY_BYTES'),
      415: errorResponse('Body is not JSON'),
      ...errorResponses,
    },
  },
  async (c) => {
    const input = c.req.valid('json');
    // The validator parsed the body into Hono's cache; this reads that same object back.
    const ignoredFields = unknownFieldsOf(await c.req.json());
    noteIgnored(c, ignoredFields);
    const row = prepareSingleEvent(c, input);
    if (c.var.config.INGEST_MODE === 'queue') {
      const queued = await queueSingleEvent(c, row);
      return c.json(
        {
          StatusCode: 202 as const,
          message: 'Audit event accepted; it will be stored',
          id: null,
          duplicate: false as const,
          event_id: queued.accepted[0]?.event_id ?? '',
          ...(ignoredFields.length > 0 ? { ignored_fields: ignoredFields } : {}),
        },
        202,
      );
    }
    // Shares one INSERT with the creates arriving now in this isolate; answers after its commit.
    const outcome = await ingestGrouped(c, row, 'create', () => c.var.database().db);
    if (outcome.error !== null) throw badRequest(unknownNameMessage(outcome.error, row));
    if (!outcome.duplicate) notifyLiveTail(c);
    return c.json(
      {
        StatusCode: 201 as const,
        message: 'Audit event created successfully',
        id: outcome.id,
        duplicate: outcome.duplicate,
        ...(ignoredFields.length > 0 ? { ignored_fields: ignoredFields } : {}),
      },
      201,
    );
  },
);
