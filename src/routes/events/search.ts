import { z } from '@hono/zod-openapi';
import { pageOfEvents, positionOf } from '../../db/queries/events';
import { searchTotal } from '../../db/search-total';
import { databaseTarget } from '../../env';
import { EventSchema, toEventObject } from '../../lib/event-object';
import { defineRoute } from '../define-route';
import { okResponses } from '../schemas';
import { resolveCatalogueIds } from './catalogue-ids';
import { EVENTS_TAGS } from './schemas';
import { decodeCursor, encodeCursor, SearchQuerySchema, toEventFilter } from './search-query';

/** The old service could return at most this many rows; clients may still look for the warning. */
export const OLD_ROW_LIMIT = 5000;
export const OLD_LIMIT_WARNING = 'Search may return more than 5000 rows. Please modify search criteria.';

const SearchResultSchema = z
  .object({
    StatusCode: z.union([z.literal(200), z.literal(400)]).openapi({
      description: `The old service's envelope code: 400 when more than ${OLD_ROW_LIMIT} rows match (the HTTP status is still 200 and the page's events are there), 200 otherwise. New clients should read the HTTP status and total_count.`,
    }),
    message: z.string().openapi({
      example: 'Search completed successfully',
      description: `'Search completed successfully', 'No audit events found', or with StatusCode 400 the old warning '${OLD_LIMIT_WARNING}'`,
    }),
    count: z.number().int().openapi({ description: 'Rows in this page' }),
    current_page: z.number().int(),
    total_pages: z.number().int(),
    page_size: z.number().int(),
    total_count: z.number().int().openapi({ description: 'Rows matching the filters, over all pages' }),
    next_cursor: z.string().nullable().openapi({
      description:
        'Pass as cursor for the next page; null on the last page. After a truncated page it continues right after its last event.',
    }),
    truncated: z.boolean().openapi({
      description:
        'True when this page stopped before page_size rows because its events reached the size budget (PAGE_MAX_BYTES of message and additional data, 8 MB by default). count says how many came; next_cursor continues exactly after the last one, and current_page stays the same until the page is complete.',
    }),
    warning: z
      .string()
      .optional()
      .openapi({
        description: `Present when more than ${OLD_ROW_LIMIT} rows match (the old service's warning, also in message with StatusCode 400); every row is still reachable`,
      }),
    events: z.array(EventSchema),
  })
  .openapi('SearchResult');

export const searchRoute = defineRoute(
  {
    operationId: 'searchAuditEvents',
    scope: 'events:read',
    audit: 'Search',
    route: 'GET /audit-events/search',
    tags: EVENTS_TAGS,
    summary: 'Filtered, paged search, newest first',
    description:
      'All filters combine with AND. Page with page_number, or with cursor (next_cursor of the previous page) for deep pages. The dashboard aliases store_location_id, username, functionality_name and event_type_name are accepted. ' +
      `A successful search is always HTTP 200. When more than ${OLD_ROW_LIMIT} rows match, the body keeps the old service's signal for the support dashboard, which reads only the body: StatusCode 400 and the warning as message, with the page's events, total_count and next_cursor as usual. New clients should read the HTTP status and total_count, not StatusCode.`,
    request: { query: SearchQuerySchema },
    responses: okResponses(SearchResultSchema, 'A page of matching events ("No audit events found" when none match)'),
  },
  async (c) => {
    const query = c.req.valid('query');
    const parsed = toEventFilter(query, c.var.principal);
    const pageSize = query.page_size ?? 500;
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    const currentPage = cursor?.page ?? query.page_number ?? 1;
    const { db } = c.var.database();
    const filter = await resolveCatalogueIds(db, parsed);

    const offset = (currentPage - 1) * pageSize;
    const { rows, truncated } = await pageOfEvents(db, filter, {
      limit: pageSize,
      offset,
      after: cursor,
      maxBytes: c.var.config.PAGE_MAX_BYTES,
    });
    // Counted only when the page cannot tell, and reused for a few seconds (src/db/search-total.ts).
    const total = await searchTotal(
      db,
      filter,
      { offset: cursor ? null : offset, rows: rows.length, pageSize, truncated },
      { reuseSeconds: c.var.config.SEARCH_COUNT_REUSE_SECONDS, target: databaseTarget(c.var.config) },
    );
    const events = rows.map(toEventObject);
    const totalPages = Math.ceil(total / pageSize);
    const last = rows[rows.length - 1];
    // A page cut by the size budget continues after its last row, still as this page (issue 13.2).
    const nextCursor = !last
      ? null
      : truncated
        ? encodeCursor({ ...positionOf(last), page: currentPage })
        : currentPage < totalPages
          ? encodeCursor({ ...positionOf(last), page: currentPage + 1 })
          : null;
    // The dashboard learns that more rows matched only from StatusCode 400 with the warning as
    // message (the old service's answer); the HTTP status stays 200 (issue 11.5).
    const overOldLimit = total > OLD_ROW_LIMIT;
    return c.json(
      {
        StatusCode: overOldLimit ? (400 as const) : (200 as const),
        message: overOldLimit
          ? OLD_LIMIT_WARNING
          : events.length > 0
            ? 'Search completed successfully'
            : 'No audit events found',
        count: events.length,
        current_page: currentPage,
        total_pages: totalPages,
        page_size: pageSize,
        total_count: total,
        next_cursor: nextCursor,
        truncated,
        ...(overOldLimit ? { warning: OLD_LIMIT_WARNING } : {}),
        events,
      },
      200,
    );
  },
);
