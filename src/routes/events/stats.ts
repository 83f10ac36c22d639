import { z } from '@hono/zod-openapi';
import { eventCountsByBucket } from '../../db/queries/events';
import { CENTRAL_TZ, formatCentralIso } from '../../lib/central-time';
import { defineRoute } from '../define-route';
import { okResponses } from '../schemas';
import { EVENTS_TAGS } from './schemas';
import { FilterQuerySchema, toEventFilter } from './search-query';

const StatsQuerySchema = FilterQuerySchema.extend({
  bucket: z
    .enum(['hour', 'day'])
    .optional()
    .openapi({ description: 'Bucket width, in Central Time (default hour)', example: 'hour' }),
});

const BucketSchema = z
  .object({
    start: z.string().openapi({
      description: 'Start of the bucket, ISO 8601 with the Central offset',
      example: '2026-11-20T10:00:00.000-06:00',
    }),
    start_ms: z.number().int().openapi({ description: 'Start of the bucket, epoch milliseconds' }),
    success: z.number().int(),
    failed: z.number().int(),
  })
  .openapi('StatsBucket');

const StatsSchema = z
  .object({
    StatusCode: z.literal(200),
    bucket: z.enum(['hour', 'day']),
    time_zone: z.literal(CENTRAL_TZ),
    total: z.number().int().openapi({ description: 'Events matching the filters (sum of the buckets)' }),
    success: z.number().int(),
    failed: z.number().int(),
    buckets: z.array(BucketSchema).openapi({ description: 'Oldest first; only buckets that hold events' }),
  })
  .openapi('EventStats');

export const statsRoute = defineRoute(
  {
    operationId: 'countAuditEventsByBucket',
    scope: 'events:read',
    audit: null,
    route: 'GET /audit-events/stats',
    tags: EVENTS_TAGS,
    summary: 'Events per hour or day for the search filters, split Success/Failed',
    description:
      'Takes the search filters (same names and aliases). Buckets are Central Time hours or calendar days (a DST day is 23 or 25 hours); buckets without events are left out.',
    request: { query: StatsQuerySchema },
    responses: okResponses(StatsSchema, 'Counts per bucket, oldest first'),
  },
  async (c) => {
    const query = c.req.valid('query');
    const filter = toEventFilter(query, c.var.principal);
    const bucket = query.bucket ?? 'hour';
    const rows = await eventCountsByBucket(c.var.database().db, filter, bucket);
    let success = 0;
    let failed = 0;
    const buckets = rows.map((r) => {
      success += r.success;
      failed += r.failed;
      return { start: formatCentralIso(r.startMs), start_ms: r.startMs, success: r.success, failed: r.failed };
    });
    return c.json(
      {
        StatusCode: 200 as const,
        bucket,
        time_zone: CENTRAL_TZ,
        total: success + failed,
        success,
        failed,
        buckets,
      },
      200,
    );
  },
);
