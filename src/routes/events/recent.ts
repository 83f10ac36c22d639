import { createRoute, z } from '@hono/zod-openapi';
import { pageOfEvents } from '../../db/queries/events';
import { errorResponses, jsonResponse } from '../../lib/openapi/responses';
import { type AppRouteHandler, fetched } from '../route-helpers';
import { IdSchema } from './event-input';
import { EventSchema, toEventObject } from './event-output';

export const RECENT_DEFAULT = 500;

const RecentQuerySchema = z.object({
  limit: IdSchema.pipe(z.int().min(1).max(5000)).optional().openapi({
    type: 'integer',
    minimum: 1,
    maximum: 5000,
    example: 500,
    description: 'How many of the newest events (default 500)',
  }),
});

const RecentSchema = z
  .object({
    StatusCode: z.literal(200),
    message: z.string().openapi({ example: 'Data fetched successfully' }),
    count: z.number().int(),
    events: z.array(EventSchema),
  })
  .openapi('RecentEvents');

export const recentRoute = createRoute({
  method: 'get',
  path: '/pyaudit/api/audit-events/recent',
  tags: ['Audit events'],
  summary: 'The newest events (500 unless limit says otherwise)',
  request: { query: RecentQuerySchema },
  responses: {
    200: jsonResponse(RecentSchema, 'Newest first; message "Data not found" and count 0 when there are none'),
    ...errorResponses,
  },
});

export const recentHandler: AppRouteHandler<typeof recentRoute> = async (c) => {
  const { limit = RECENT_DEFAULT } = c.req.valid('query');
  const rows = await pageOfEvents(
    c.var.database().db,
    { includeArchived: false, companies: c.var.principal.companies },
    { limit, offset: 0 },
  );
  return c.json(fetched('events', rows.map(toEventObject)), 200);
};
