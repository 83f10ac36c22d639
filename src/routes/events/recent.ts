import { z } from '@hono/zod-openapi';
import { pageOfEvents, positionOf } from '../../db/queries/events';
import { EventSchema, toEventObject } from '../../lib/event-object';
import { defineRoute } from '../define-route';
import { limitSchema, listEnvelope, okResponses } from '../schemas';
import { EVENTS_TAGS } from './schemas';
import { encodeCursor } from './search-query';

export const RECENT_DEFAULT = 500;

const RecentQuerySchema = z.object({
  limit: limitSchema({
    max: 5000,
    example: RECENT_DEFAULT,
    description: 'How many of the newest events (default 500)',
  }),
});

const RecentSchema = z
  .object({
    StatusCode: z.literal(200),
    message: z.string().openapi({ example: 'Data fetched successfully' }),
    count: z.number().int(),
    truncated: z.boolean().openapi({
      description:
        'True when fewer than limit events came because they reached the size budget (PAGE_MAX_BYTES of message and additional data, 8 MB by default); next_cursor then gives the rest through GET /search?cursor=... (no other filters).',
    }),
    next_cursor: z.string().nullable().openapi({
      description: 'With truncated: a search cursor that continues right after the last event; otherwise null',
    }),
    events: z.array(EventSchema),
  })
  .openapi('RecentEvents');

export const recentRoute = defineRoute(
  {
    operationId: 'listRecentAuditEvents',
    scope: 'events:read',
    audit: 'Recent',
    route: 'GET /audit-events/recent',
    tags: EVENTS_TAGS,
    summary: 'The newest events (500 unless limit says otherwise)',
    request: { query: RecentQuerySchema },
    responses: okResponses(RecentSchema, 'Newest first; message "Data not found" and count 0 when there are none'),
  },
  async (c) => {
    const { limit = RECENT_DEFAULT } = c.req.valid('query');
    const { rows, truncated } = await pageOfEvents(
      c.var.database().db,
      { includeArchived: false, companies: c.var.principal.companies },
      { limit, offset: 0, maxBytes: c.var.config.PAGE_MAX_BYTES },
    );
    const last = rows[rows.length - 1];
    // The rest of a cut answer is a search without filters (also live events only), after the last row.
    const nextCursor = truncated && last ? encodeCursor({ ...positionOf(last), page: 1 }) : null;
    const { events, ...head } = listEnvelope('events', rows.map(toEventObject));
    return c.json({ ...head, truncated, next_cursor: nextCursor, events }, 200);
  },
);
