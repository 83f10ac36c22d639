import { z } from '@hono/zod-openapi';
import { listCompanies } from '../../db/queries/catalogue';
import { defineRoute } from '../define-route';
import { listEnvelope } from '../schemas';
import { CATALOGUE_TAGS, listResponses } from './schemas';

export const companiesRoute = defineRoute(
  {
    operationId: 'listCompanies',
    scope: 'events:read',
    audit: null,
    route: 'GET /audit-events/get-all-companies',
    tags: CATALOGUE_TAGS,
    summary: 'The company directory',
    responses: listResponses(
      'CompanyList',
      'Data',
      z.object({ CompanyID: z.number().int(), CompanyName: z.string() }),
      'Ordered by name; a key limited to companies sees only those',
    ),
  },
  async (c) => c.json(listEnvelope('Data', await listCompanies(c.var.database().db, c.var.principal.companies)), 200),
);
