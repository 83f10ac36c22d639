import { z } from '@hono/zod-openapi';
import { listCompanies, listEventTypesOf, listFunctionalities, listStoresOf } from '../../db/queries/catalogue';
import { forbidden } from '../../lib/errors';
import { createRouter, defineRoute } from '../define-route';
import type { AppRouteHandler } from '../route-helpers';
import { errorResponses, IdSchema, jsonResponse, listEnvelope, listEnvelopeSchema } from '../schemas';

const base = '/audit-events';
const tags = ['Catalogue and directory'];

export const eventTypesRoute = defineRoute({
  operationId: 'listEventTypesOfFunctionality',
  scope: 'events:read',
  audit: null,
  method: 'get',
  path: `${base}/get-eventtypenames-by-functionalityname`,
  tags,
  summary: 'Event types of one functionality, by name',
  request: {
    query: z.object({
      functionalityname: z.string().min(1).max(100).openapi({ example: 'Authenticate' }),
    }),
  },
  responses: {
    200: jsonResponse(
      listEnvelopeSchema(
        'EventTypeList',
        'events',
        z.object({ EventTypeID: z.number().int(), EventTypeName: z.string() }),
      ),
      'Ordered by name; "Data not found" when the functionality is unknown',
    ),
    ...errorResponses,
  },
});

const eventTypesHandler: AppRouteHandler<typeof eventTypesRoute> = async (c) => {
  const { functionalityname } = c.req.valid('query');
  return c.json(listEnvelope('events', await listEventTypesOf(c.var.database().db, functionalityname)), 200);
};

export const functionalitiesRoute = defineRoute({
  operationId: 'listFunctionalities',
  scope: 'events:read',
  audit: null,
  method: 'get',
  path: `${base}/get-all-auditfunctionalities`,
  tags,
  summary: 'All functionalities',
  responses: {
    200: jsonResponse(
      listEnvelopeSchema(
        'FunctionalityList',
        'Data',
        z.object({ FunctionalityID: z.number().int(), FunctionalityName: z.string() }),
      ),
      'Ordered by id',
    ),
    ...errorResponses,
  },
});

const functionalitiesHandler: AppRouteHandler<typeof functionalitiesRoute> = async (c) =>
  c.json(listEnvelope('Data', await listFunctionalities(c.var.database().db)), 200);

export const companiesRoute = defineRoute({
  operationId: 'listCompanies',
  scope: 'events:read',
  audit: null,
  method: 'get',
  path: `${base}/get-all-companies`,
  tags,
  summary: 'The company directory',
  responses: {
    200: jsonResponse(
      listEnvelopeSchema('CompanyList', 'Data', z.object({ CompanyID: z.number().int(), CompanyName: z.string() })),
      'Ordered by name; a key limited to companies sees only those',
    ),
    ...errorResponses,
  },
});

const companiesHandler: AppRouteHandler<typeof companiesRoute> = async (c) =>
  c.json(listEnvelope('Data', await listCompanies(c.var.database().db, c.var.principal.companies)), 200);

export const storesRoute = defineRoute({
  operationId: 'listStoreLocationsOfCompany',
  scope: 'events:read',
  audit: null,
  method: 'get',
  path: `${base}/get-storelocations-by-company`,
  tags,
  summary: 'Store locations of one company',
  request: {
    query: z.object({ company_id: IdSchema.openapi({ type: 'integer', example: 5001 }) }),
  },
  responses: {
    200: jsonResponse(
      listEnvelopeSchema(
        'StoreList',
        'Data',
        z.object({ CompanyID: z.number().int(), StoreLocationID: z.number().int(), StoreName: z.string() }),
      ),
      'Ordered by name',
    ),
    403: jsonResponse(z.object({ detail: z.string() }), 'The key may not read this company'),
    ...errorResponses,
  },
});

const storesHandler: AppRouteHandler<typeof storesRoute> = async (c) => {
  const { company_id } = c.req.valid('query');
  const allowed = c.var.principal.companies;
  if (allowed !== null && !allowed.includes(company_id)) {
    throw forbidden(`This API key may not read company ${company_id}`);
  }
  return c.json(listEnvelope('Data', await listStoresOf(c.var.database().db, company_id)), 200);
};

export const catalogueRoutes = createRouter()
  .openapi(eventTypesRoute, eventTypesHandler)
  .openapi(functionalitiesRoute, functionalitiesHandler)
  .openapi(companiesRoute, companiesHandler)
  .openapi(storesRoute, storesHandler);
