import { z } from '@hono/zod-openapi';
import { listEventTypesOf } from '../../db/queries/catalogue';
import { defineRoute } from '../define-route';
import { listEnvelope } from '../schemas';
import { CATALOGUE_TAGS, listResponses } from './schemas';

export const eventTypesRoute = defineRoute(
  {
    operationId: 'listEventTypesOfFunctionality',
    scope: 'events:read',
    audit: null,
    route: 'GET /audit-events/get-eventtypenames-by-functionalityname',
    tags: CATALOGUE_TAGS,
    summary: 'Event types of one functionality, by name',
    request: {
      query: z.object({
        functionalityname: z.string().min(1).max(100).openapi({ example: 'Authenticate' }),
      }),
    },
    responses: listResponses(
      'EventTypeList',
      'events',
      z.object({ EventTypeID: z.number().int(), EventTypeName: z.string() }),
      'Ordered by name; "Data not found" when the functionality is unknown',
    ),
  },
  async (c) => {
    const { functionalityname } = c.req.valid('query');
    return c.json(listEnvelope('events', await listEventTypesOf(c.var.database().db, functionalityname)), 200);
  },
);
