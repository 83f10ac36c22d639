import { z } from '@hono/zod-openapi';
import { countEvents, pageOfEvents, positionOf } from '../../db/queries/events';
import { errorResponses, jsonResponse } from '../../lib/openapi/responses';
import { defineRoute } from '../define-route';
import type { AppRouteHandler } from '../route-helpers';
import { EventSchema, toEventObject } from './event-output';
import { decodeCursor, encodeCursor, SearchQuerySchema, toEventFilter } from './search-query';

/** The old service could return at most this many rows; clients may still look for the warning. */
export const OLD_ROW_LIMIT = 5000;
export const OLD_LIMIT_WARNING = 'Search may return more than 5000 rows. Please modify search criteria.';

const SearchResultSchema = z
  .object({
    StatusCode: z.literal(200),
    message: z.string().openapi({ example: 'Search completed successfully' }),
    count: z.number().int().openapi({ description: 'Rows in this page' }),
    current_page: z.number().int(),
    total_pages: z.number().int(),
    page_size: z.number().int(),
    total_count: z.number().int().openapi({ description: 'Rows matching the filters, over all pages' }),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as cursor for the next page; null on the last page' }),
    warning: z
      .string()
      .optional()
      .openapi({
        description: `Present when more than ${OLD_ROW_LIMIT} rows match (the old service's warning); every row is still reachable`,
      }),
    events: z.array(EventSchema),
  })
  .openapi('SearchResult');

export const searchRoute = defineRoute({
  operationId: 'searchAuditEvents',
  scope: 'events:read',
  audit: 'Search',
  method: 'get',
  path: '/audit-events/search',
  tags: ['Audit events'],
  summary: 'Filtered, paged search, newest first',
  description:
    'All filters combine with AND. Page with page_number, or with cursor (next_cursor of the previous page) for deep pages. The dashboard aliases store_location_id, username, functionality_name and event_type_name are accepted.',
  request: { query: SearchQuerySchema },
  responses: {
    200: jsonResponse(SearchResultSchema, 'A page of matching events ("No audit events found" when none match)'),
    ...errorResponses,
  },
});

export const searchHandler: AppRouteHandler<typeof searchRoute> = async (c) => {
  const query = c.req.valid('query');
  const filter = toEventFilter(query, c.var.principal);
  const pageSize = query.page_size ?? 500;
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  const currentPage = cursor?.page ?? query.page_number ?? 1;
  const { db } = c.var.database();

  const total = await countEvents(db, filter);
  const rows = await pageOfEvents(db, filter, {
    limit: pageSize,
    offset: (currentPage - 1) * pageSize,
    after: cursor,
  });
  const events = rows.map(toEventObject);
  const totalPages = Math.ceil(total / pageSize);
  const last = rows[rows.length - 1];
  const nextCursor =
    last && currentPage < totalPages ? encodeCursor({ ...positionOf(last), page: currentPage + 1 }) : null;
  return c.json(
    {
      StatusCode: 200 as const,
      message: events.length > 0 ? 'Search completed successfully' : 'No audit events found',
      count: events.length,
      current_page: currentPage,
      total_pages: totalPages,
      page_size: pageSize,
      total_count: total,
      next_cursor: nextCursor,
      ...(total > OLD_ROW_LIMIT ? { warning: OLD_LIMIT_WARNING } : {}),
      events,
    },
    200,
  );
};
