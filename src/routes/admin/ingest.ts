import { z } from '@hono/zod-openapi';
import {
  type DeadLetterRow,
  deadLetterSummary,
  getDeadLetter,
  listDeadLetters,
  markFailedAgain,
  markReplayed,
} from '../../db/queries/dead-letters';
import { ingestEvents } from '../../db/queries/ingest';
import { ingestQueue } from '../../ingest/enqueue';
import { QueuedEventSchema, trackingKey } from '../../ingest/queue-message';
import { isPermanentRowError, sqlStateOf } from '../../ingest/store-events';
import { ingestTracker } from '../../ingest/tracker-object';
import { describeError, HttpError, notFound } from '../../lib/errors';
import { noteForAudit } from '../../lib/self-audit';
import { notifyLiveTail } from '../../live/notify';
import { createRouter, defineRoute } from '../define-route';
import { unknownNameMessage } from '../events/prepare-event';
import type { AppRouteHandler } from '../route-helpers';
import { errorResponses, jsonResponse } from '../schemas';

const base = '/admin/ingest';
const tags = ['Admin: queued ingest'];
const detail = z.object({ detail: z.string() });

const StatusSchema = z
  .object({
    mode: z.enum(['direct', 'queue']).openapi({ description: 'INGEST_MODE: whether create and batch enqueue too' }),
    queue_bound: z.boolean().openapi({ description: 'false under npm run serve: enqueue writes directly' }),
    tracker: z
      .object({
        backlog: z.number().int().openapi({ description: 'Accepted events not yet stored or dead-lettered' }),
        oldest_enqueued_at: z.string().nullable(),
        oldest_age_seconds: z.number().nullable(),
        enqueued: z.number().int(),
        stored: z.number().int(),
        dead_lettered: z.number().int(),
        forgotten: z.number().int().openapi({ description: 'Entries dropped after 15 days without news' }),
      })
      .nullable()
      .openapi({ description: 'null when the tracker did not answer or is not bound' }),
    dead_letters: z
      .object({ pending: z.number().int(), oldest_failed_at: z.string().nullable() })
      .nullable()
      .openapi({ description: 'null when the database did not answer' }),
  })
  .openapi('IngestStatus');

export const ingestStatusRoute = defineRoute({
  operationId: 'getIngestStatus',
  scope: 'admin',
  audit: 'Admin action',
  method: 'get',
  path: `${base}/status`,
  tags,
  summary: 'The ingest queue: backlog, age of its oldest event, dead letters',
  description:
    'The backlog is what the tracker (a Durable Object) knows: events accepted by enqueue and not yet stored or dead-lettered, and the age of the oldest of them. Answers while the database is down (dead_letters is then null). docs/queued-ingest.md',
  responses: { 200: jsonResponse(StatusSchema, 'Queued ingest at a glance'), ...errorResponses },
});

export const ingestStatusHandler: AppRouteHandler<typeof ingestStatusRoute> = async (c) => {
  const { config, logger } = c.var;
  const stub = ingestTracker(c.env);
  const nowMs = Date.now();
  const [tracked, letters] = await Promise.all([
    stub?.status(nowMs).catch((error: unknown) => {
      logger.warn('ingest tracker status failed', describeError(error));
      return null;
    }) ?? null,
    deadLetterSummary(c.var.database().db).catch((error: unknown) => {
      logger.warn('dead letter summary failed', describeError(error));
      return null;
    }),
  ]);
  return c.json(
    {
      mode: config.INGEST_MODE as 'direct' | 'queue',
      queue_bound: ingestQueue(c.env) !== null,
      tracker: tracked && {
        backlog: tracked.backlog,
        oldest_enqueued_at: tracked.oldestEnqueuedMs === null ? null : new Date(tracked.oldestEnqueuedMs).toISOString(),
        oldest_age_seconds:
          tracked.oldestEnqueuedMs === null ? null : Math.max(0, (nowMs - tracked.oldestEnqueuedMs) / 1000),
        enqueued: tracked.enqueued,
        stored: tracked.stored,
        dead_lettered: tracked.deadLettered,
        forgotten: tracked.forgotten,
      },
      dead_letters: letters && { pending: letters.pending, oldest_failed_at: letters.oldest },
    },
    200,
  );
};

const DeadLetterSchema = z
  .object({
    id: z.number().int(),
    company_id: z.number().int().nullable(),
    event_id: z.string().nullable(),
    message_id: z.string().nullable(),
    event: z.unknown().openapi({ description: 'The event as enqueued (or the whole malformed message)' }),
    reason: z.string().openapi({
      description: 'unknown_functionality, unknown_event_type, rejected_by_database or malformed_message',
    }),
    detail: z.string(),
    enqueued_at: z.string().nullable(),
    first_failed_at: z.string(),
    last_failed_at: z.string(),
    failures: z.number().int(),
    replayed_at: z.string().nullable(),
    replayed_id: z.number().int().nullable(),
  })
  .openapi('IngestDeadLetter');

const iso = (v: string | null) => (v === null ? null : new Date(v).toISOString());
const toDeadLetterObject = (r: DeadLetterRow) => ({
  ...r,
  enqueued_at: iso(r.enqueued_at),
  first_failed_at: new Date(r.first_failed_at).toISOString(),
  last_failed_at: new Date(r.last_failed_at).toISOString(),
  replayed_at: iso(r.replayed_at),
});

export const deadLettersRoute = defineRoute({
  operationId: 'listDeadLetters',
  scope: 'admin',
  audit: 'Admin action',
  method: 'get',
  path: `${base}/dead-letters`,
  tags,
  summary: 'Events the queue consumer could not store, with the reason',
  description:
    'Newest first; replayed ones only with include_replayed=true. Page with before_id = the last id of the previous page.',
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      before_id: z.coerce.number().int().min(1).optional(),
      include_replayed: z.enum(['true', 'false']).default('false'),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        StatusCode: z.literal(200),
        count: z.number().int(),
        dead_letters: z.array(DeadLetterSchema),
        next_before_id: z.number().int().nullable(),
      }),
      'Dead letters, newest first',
    ),
    ...errorResponses,
  },
});

export const deadLettersHandler: AppRouteHandler<typeof deadLettersRoute> = async (c) => {
  const query = c.req.valid('query');
  const rows = await listDeadLetters(c.var.database().db, {
    limit: query.limit,
    beforeId: query.before_id ?? null,
    includeReplayed: query.include_replayed === 'true',
  });
  return c.json(
    {
      StatusCode: 200 as const,
      count: rows.length,
      dead_letters: rows.map(toDeadLetterObject),
      next_before_id: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null,
    },
    200,
  );
};

export const replayRoute = defineRoute({
  operationId: 'replayDeadLetter',
  scope: 'admin',
  audit: 'Admin action',
  method: 'post',
  path: `${base}/dead-letters/{id}/replay`,
  tags,
  summary: 'Store a dead-lettered event now (after fixing the catalogue, say)',
  description:
    'Runs the ingest statement for the event, directly. 200 with the stored id (duplicate: true when its event_id had been stored meanwhile); 409 when it is refused again (the dead letter counts another failure) or was replayed already; 422 for a malformed message, which holds no event to store.',
  request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
  responses: {
    200: jsonResponse(
      z.object({
        StatusCode: z.literal(200),
        message: z.string(),
        id: z.number().int(),
        duplicate: z.boolean(),
      }),
      'Stored',
    ),
    404: jsonResponse(detail, 'No dead letter with this id'),
    409: jsonResponse(detail, 'Refused again, or replayed already'),
    ...errorResponses,
  },
});

export const replayHandler: AppRouteHandler<typeof replayRoute> = async (c) => {
  const { id } = c.req.valid('param');
  const { db } = c.var.database();
  const letter = await getDeadLetter(db, id);
  if (!letter) throw notFound();
  noteForAudit(c, { dead_letter: id, event_id: letter.event_id });
  if (letter.replayed_at !== null) {
    throw new HttpError(409, `Dead letter ${id} was replayed already: stored as id ${letter.replayed_id}`);
  }
  const parsed = QueuedEventSchema.safeParse(letter.event);
  if (!parsed.success) {
    throw new HttpError(422, `Dead letter ${id} holds no storable event (${letter.reason}); it cannot be replayed`);
  }
  const event = parsed.data;
  let outcome: Awaited<ReturnType<typeof ingestEvents>>[number] | undefined;
  try {
    [outcome] = await ingestEvents(db, [{ idx: 0, ...event }]);
  } catch (error) {
    if (!isPermanentRowError(error)) throw error;
    const why = `SQLSTATE ${sqlStateOf(error)}`;
    await markFailedAgain(db, id, 'rejected_by_database', why);
    throw new HttpError(409, `Refused again by the database (${why})`);
  }
  if (!outcome) throw new Error('ingest returned no outcome');
  if (outcome.error !== null) {
    const why = unknownNameMessage(outcome.error, { idx: 0, ...event });
    await markFailedAgain(db, id, outcome.error, why);
    throw new HttpError(409, `Refused again: ${why}`);
  }
  await markReplayed(db, id, outcome.id);
  if (!outcome.duplicate) notifyLiveTail(c);
  noteForAudit(c, { stored_id: outcome.id, tracking_key: trackingKey(event) });
  return c.json(
    {
      StatusCode: 200 as const,
      message: outcome.duplicate ? 'The event had been stored already' : 'Replayed: the event is stored',
      id: outcome.id,
      duplicate: outcome.duplicate,
    },
    200,
  );
};

/** Admin routes of queued ingest (docs/queued-ingest.md); each declares the admin scope. */
export const ingestAdminRoutes = createRouter()
  .openapi(ingestStatusRoute, ingestStatusHandler)
  .openapi(deadLettersRoute, deadLettersHandler)
  .openapi(replayRoute, replayHandler);
