import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import {
  addEventTypes,
  addFunctionality,
  isUniqueViolation,
  upsertCompany,
  upsertStore,
} from '../../db/queries/catalogue-admin';
import { forbidden, HttpError } from '../../lib/errors';
import { parseJsonBody } from '../../lib/json-body';
import { noteForAudit } from '../../lib/self-audit';
import { hasControlChars, hasNul, isBlank, isWellFormed } from '../../lib/text-rules';
import { createRouter, defineRoute } from '../define-route';
import { API_PREFIX } from '../paths';
import type { AppRouteHandler } from '../route-helpers';
import { errorResponses, IdSchema, jsonResponse } from '../schemas';

const base = '/admin';
const tags = ['Admin: catalogue and directory'];
const detail = z.object({ detail: z.string() });
const MAX_EVENT_TYPES = 100;

/** A name the dashboard shows: the column's length, storable, visible, no control characters. */
const displayName = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => !hasNul(v) && isWellFormed(v), 'Value must be valid Unicode without NUL characters')
    .refine((v) => !hasControlChars(v), 'Value must not contain control characters')
    .refine((v) => !isBlank(v), 'String should not be blank')
    .refine((v) => v === v.trim(), 'Value must not start or end with spaces');

const EventTypeNames = z
  .array(displayName(100))
  .max(MAX_EVENT_TYPES)
  .refine((names) => new Set(names).size === names.length, 'Event type names must not repeat');

const EventTypeSchema = z.object({ EventTypeID: z.number().int(), EventTypeName: z.string() });

const conflict = (message: string) => new HttpError(409, message);

/** A key limited to companies may name only those companies in the directory. */
function requireCompany(c: Context<AppEnv>, companyId: number) {
  const allowed = c.var.principal.companies;
  if (allowed !== null && !allowed.includes(companyId)) {
    throw forbidden(`This API key may not change company ${companyId}`);
  }
}

export const addFunctionalityRoute = defineRoute({
  operationId: 'addFunctionality',
  scope: 'admin',
  audit: 'Admin action',
  method: 'post',
  path: `${base}/functionalities`,
  tags,
  summary: 'Add a functionality with its event types',
  middleware: [parseJsonBody] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .strictObject({
              name: displayName(100).openapi({ example: 'Inventory' }),
              event_types: EventTypeNames.default([]).openapi({ example: ['Count started', 'Count finished'] }),
            })
            .openapi('FunctionalityCreate'),
        },
      },
    },
  },
  responses: {
    201: jsonResponse(
      z
        .object({
          StatusCode: z.literal(201),
          message: z.string(),
          FunctionalityID: z.number().int(),
          FunctionalityName: z.string(),
          EventTypes: z.array(EventTypeSchema),
        })
        .openapi('FunctionalityCreated'),
      'Added, with its event types',
    ),
    403: jsonResponse(detail, 'The calling key lacks admin, or is limited to companies'),
    409: jsonResponse(detail, 'A functionality with this name exists'),
    ...errorResponses,
  },
});

const addFunctionalityHandler: AppRouteHandler<typeof addFunctionalityRoute> = async (c) => {
  const { name, event_types } = c.req.valid('json');
  noteForAudit(c, { functionality: name, event_types });
  const exists = () => conflict(`Functionality ${name} already exists; add event types to it instead`);
  let added: Awaited<ReturnType<typeof addFunctionality>>;
  try {
    added = await addFunctionality(c.var.database().db, name, event_types);
  } catch (error) {
    if (isUniqueViolation(error)) throw exists();
    throw error;
  }
  if (!added) throw exists();
  return c.json(
    {
      StatusCode: 201 as const,
      message: 'Functionality added',
      FunctionalityID: added.id,
      FunctionalityName: name,
      EventTypes: added.eventTypes,
    },
    201,
  );
};

export const addEventTypesRoute = defineRoute({
  operationId: 'addEventTypes',
  scope: 'admin',
  audit: 'Admin action',
  method: 'post',
  path: `${base}/functionalities/{name}/event-types`,
  tags,
  summary: 'Add event types to a functionality',
  description: 'All of them or none: if any exists already, the answer is 409 naming it and nothing is added.',
  middleware: [parseJsonBody] as const,
  request: {
    params: z.object({
      name: z
        .string()
        .max(100)
        .openapi({ param: { name: 'name', in: 'path' }, example: 'Authenticate' }),
    }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .strictObject({
              event_types: EventTypeNames.pipe(z.array(z.string()).min(1)).openapi({ example: ['MFA'] }),
            })
            .openapi('EventTypesCreate'),
        },
      },
    },
  },
  responses: {
    201: jsonResponse(
      z
        .object({
          StatusCode: z.literal(201),
          message: z.string(),
          FunctionalityName: z.string(),
          EventTypes: z.array(EventTypeSchema),
        })
        .openapi('EventTypesCreated'),
      'Added',
    ),
    403: jsonResponse(detail, 'The calling key lacks admin, or is limited to companies'),
    404: jsonResponse(detail, 'No functionality has this name'),
    409: jsonResponse(detail, 'Some of the event types exist already (named in detail); nothing was added'),
    ...errorResponses,
  },
});

const addEventTypesHandler: AppRouteHandler<typeof addEventTypesRoute> = async (c) => {
  const { name } = c.req.valid('param');
  const { event_types } = c.req.valid('json');
  noteForAudit(c, { functionality: name, event_types });
  let outcome: Awaited<ReturnType<typeof addEventTypes>>;
  try {
    outcome = await addEventTypes(c.var.database().db, name, event_types);
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict('Some of these event types were added at the same time; nothing was added');
    throw error;
  }
  if (outcome.kind === 'unknown_functionality') throw new HttpError(404, `Unknown functionalityname: ${name}`);
  if (outcome.kind === 'exist') {
    throw conflict(`Event types already exist in ${name}: ${outcome.names.join(', ')}; nothing was added`);
  }
  return c.json(
    {
      StatusCode: 201 as const,
      message: 'Event types added',
      FunctionalityName: name,
      EventTypes: outcome.eventTypes,
    },
    201,
  );
};

const NameBody = z.strictObject({ name: displayName(200).openapi({ example: 'Acme Retail' }) });
const idParam = (name: string, example: number) =>
  IdSchema.openapi({ type: 'integer', param: { name, in: 'path' }, example });

export const upsertCompanyRoute = defineRoute({
  operationId: 'upsertCompany',
  scope: 'admin',
  audit: 'Admin action',
  tenantAdmin: true,
  method: 'put',
  path: `${base}/companies/{company_id}`,
  tags,
  summary: 'Add or rename a company in the directory',
  middleware: [parseJsonBody] as const,
  request: {
    params: z.object({ company_id: idParam('company_id', 5001) }),
    body: { required: true, content: { 'application/json': { schema: NameBody.openapi('CompanyUpsert') } } },
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          StatusCode: z.literal(200),
          message: z.string(),
          CompanyID: z.number().int(),
          CompanyName: z.string(),
        })
        .openapi('CompanyUpdated'),
      'Renamed',
    ),
    201: jsonResponse(
      z
        .object({
          StatusCode: z.literal(201),
          message: z.string(),
          CompanyID: z.number().int(),
          CompanyName: z.string(),
        })
        .openapi('CompanyCreated'),
      'Added',
    ),
    403: jsonResponse(detail, 'The calling key lacks admin, or may not change this company'),
    ...errorResponses,
  },
});

const upsertCompanyHandler: AppRouteHandler<typeof upsertCompanyRoute> = async (c) => {
  const { company_id } = c.req.valid('param');
  const { name } = c.req.valid('json');
  requireCompany(c, company_id);
  noteForAudit(c, { company_id, name });
  const row = await upsertCompany(c.var.database().db, company_id, name);
  const body = { CompanyID: row.CompanyID, CompanyName: row.CompanyName };
  return row.created
    ? c.json({ StatusCode: 201 as const, message: 'Company added', ...body }, 201)
    : c.json({ StatusCode: 200 as const, message: 'Company updated', ...body }, 200);
};

const StoreSchema = {
  CompanyID: z.number().int(),
  StoreLocationID: z.number().int(),
  StoreName: z.string(),
};

export const upsertStoreRoute = defineRoute({
  operationId: 'upsertStoreLocation',
  scope: 'admin',
  audit: 'Admin action',
  tenantAdmin: true,
  method: 'put',
  path: `${base}/companies/{company_id}/stores/{store_id}`,
  tags,
  summary: 'Add or rename a store location of a company',
  middleware: [parseJsonBody] as const,
  request: {
    params: z.object({ company_id: idParam('company_id', 5001), store_id: idParam('store_id', 101) }),
    body: { required: true, content: { 'application/json': { schema: NameBody.openapi('StoreUpsert') } } },
  },
  responses: {
    200: jsonResponse(
      z.object({ StatusCode: z.literal(200), message: z.string(), ...StoreSchema }).openapi('StoreUpdated'),
      'Renamed',
    ),
    201: jsonResponse(
      z.object({ StatusCode: z.literal(201), message: z.string(), ...StoreSchema }).openapi('StoreCreated'),
      'Added',
    ),
    403: jsonResponse(detail, 'The calling key lacks admin, or may not change this company'),
    404: jsonResponse(detail, 'The company is not in the directory; PUT it first'),
    ...errorResponses,
  },
});

const upsertStoreHandler: AppRouteHandler<typeof upsertStoreRoute> = async (c) => {
  const { company_id, store_id } = c.req.valid('param');
  const { name } = c.req.valid('json');
  requireCompany(c, company_id);
  noteForAudit(c, { company_id, store_id, name });
  const row = await upsertStore(c.var.database().db, company_id, store_id, name);
  if (!row) {
    throw new HttpError(
      404,
      `Company ${company_id} is not in the directory; add it first with PUT ${API_PREFIX}${base}/companies/${company_id}`,
    );
  }
  const body = { CompanyID: row.CompanyID, StoreLocationID: row.StoreLocationID, StoreName: row.StoreName };
  return row.created
    ? c.json({ StatusCode: 201 as const, message: 'Store location added', ...body }, 201)
    : c.json({ StatusCode: 200 as const, message: 'Store location updated', ...body }, 200);
};

export const adminCatalogueRoutes = createRouter()
  .openapi(addFunctionalityRoute, addFunctionalityHandler)
  .openapi(addEventTypesRoute, addEventTypesHandler)
  .openapi(upsertCompanyRoute, upsertCompanyHandler)
  .openapi(upsertStoreRoute, upsertStoreHandler);
