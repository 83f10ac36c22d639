import { z } from '@hono/zod-openapi';
import { getDeadLetter, markFailedAgain, markReplayed } from '../../db/queries/admin-ingest';
import { ingestEvents } from '../../db/queries/events';
import { QueuedEventSchema, trackingKey } from '../../ingest/queue-message';
import { isPermanentRowError, sqlStateOf } from '../../ingest/store-events';
import { HttpError, notFound } from '../../lib/errors';
import { noteForAudit } from '../../lib/self-audit';
import { notifyLiveTail } from '../../live/notify';
import { defineRoute } from '../define-route';
import { unknownNameMessage } from '../events/prepare-event';
import { errorResponse, errorResponses, jsonResponse } from '../schemas';
import { INGEST_ADMIN_TAGS } from './schemas';

export const replayRoute = defineRoute(
  {
    operationId: 'replayDeadLetter',
    scope: 'admin',
    audit: 'Admin action',
    route: 'POST /admin/ingest/dead-letters/{id}/replay',
    tags: INGEST_ADMIN_TAGS,
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
      404: errorResponse('No dead letter with this id'),
      409: errorResponse('Refused again, or replayed already'),
      ...errorResponses,
    },
  },
  async (c) => {
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
  },
);
