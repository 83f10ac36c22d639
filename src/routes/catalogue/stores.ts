import { z } from '@hono/zod-openapi';
import { listStoresOf } from '../../db/queries/catalogue';
import { forbidden } from '../../lib/errors';
import { defineRoute } from '../define-route';
import { errorResponse, IdSchema, listEnvelope } from '../schemas';
import { CATALOGUE_TAGS, listResponses } from './schemas';

const StoreSchema = z.object({ CompanyID: z.number().int(), StoreLocationID: z.number().int(), StoreName: z.string() });

export const storesRoute = defineRoute(
  {
    operationId: 'listStoreLocationsOfCompany',
    scope: 'events:read',
    audit: null,
    route: 'GET /audit-events/get-storelocations-by-company',
    tags: CATALOGUE_TAGS,
    summary: 'Store locations of one company',
    request: {
      query: z.object({ company_id: IdSchema.openapi({ type: 'integer', example: 5001 }) }),
    },
    responses: listResponses('StoreList', 'Data', StoreSchema, 'Ordered by name', {
      403: errorResponse('The key may not read this company'),
    }),
  },
  async (c) => {
    const { company_id } = c.req.valid('query');
    const allowed = c.var.principal.companies;
    if (allowed !== null && !allowed.includes(company_id)) {
      throw forbidden(`This API key may not read company ${company_id}`);
    }
    return c.json(listEnvelope('Data', await listStoresOf(c.var.database().db, company_id)), 200);
  },
);
