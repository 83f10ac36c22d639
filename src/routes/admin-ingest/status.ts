import { deadLetterSummary } from '../../db/queries/admin-ingest';
import { ingestQueue } from '../../ingest/enqueue';
import { ingestTracker } from '../../ingest/tracker-object';
import { describeError } from '../../lib/errors';
import { defineRoute } from '../define-route';
import { okResponses } from '../schemas';
import { INGEST_ADMIN_TAGS, StatusSchema } from './schemas';

export const ingestStatusRoute = defineRoute(
  {
    operationId: 'getIngestStatus',
    scope: 'admin',
    audit: 'Admin action',
    route: 'GET /admin/ingest/status',
    tags: INGEST_ADMIN_TAGS,
    summary: 'The ingest queue: backlog, age of its oldest event, dead letters',
    description:
      'The backlog is what the tracker (a Durable Object) knows: events accepted by enqueue and not yet stored or dead-lettered, and the age of the oldest of them. Answers while the database is down (dead_letters is then null). docs/queued-ingest.md',
    responses: okResponses(StatusSchema, 'Queued ingest at a glance'),
  },
  async (c) => {
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
          oldest_enqueued_at:
            tracked.oldestEnqueuedMs === null ? null : new Date(tracked.oldestEnqueuedMs).toISOString(),
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
  },
);
