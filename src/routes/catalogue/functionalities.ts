import { z } from '@hono/zod-openapi';
import { listFunctionalities } from '../../db/queries/catalogue';
import { defineRoute } from '../define-route';
import { listEnvelope } from '../schemas';
import { CATALOGUE_TAGS, listResponses } from './schemas';

export const functionalitiesRoute = defineRoute(
  {
    operationId: 'listFunctionalities',
    scope: 'events:read',
    audit: null,
    route: 'GET /audit-events/get-all-auditfunctionalities',
    tags: CATALOGUE_TAGS,
    summary: 'All functionalities',
    responses: listResponses(
      'FunctionalityList',
      'Data',
      z.object({ FunctionalityID: z.number().int(), FunctionalityName: z.string() }),
      'Ordered by id',
    ),
  },
  async (c) => c.json(listEnvelope('Data', await listFunctionalities(c.var.database().db)), 200),
);
