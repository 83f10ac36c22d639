import { z } from '@hono/zod-openapi';
import { addEventTypes } from '../../db/queries/admin-catalogue';
import { uniqueViolation } from '../../db/queries/errors';
import { HttpError } from '../../lib/errors';
import { noteForAudit } from '../../lib/self-audit';
import { defineRoute } from '../define-route';
import { errorResponse, errorResponses, jsonBody, jsonResponse } from '../schemas';
import { ADMIN_CATALOGUE_TAGS, EventTypeNames, EventTypeSchema, notAdminResponse } from './schemas';

export const addEventTypesRoute = defineRoute(
  {
    operationId: 'addEventTypes',
    scope: 'admin',
    audit: 'Admin action',
    route: 'POST /admin/functionalities/{name}/event-types',
    tags: ADMIN_CATALOGUE_TAGS,
    summary: 'Add event types to a functionality',
    description: 'All of them or none: if any exists already, the answer is 409 naming it and nothing is added.',
    request: {
      params: z.object({
        name: z
          .string()
          .max(100)
          .openapi({ param: { name: 'name', in: 'path' }, example: 'Authenticate' }),
      }),
      body: jsonBody(
        z
          .strictObject({
            event_types: EventTypeNames.pipe(z.array(z.string()).min(1)).openapi({ example: ['MFA'] }),
          })
          .openapi('EventTypesCreate'),
      ),
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
      403: notAdminResponse,
      404: errorResponse('No functionality has this name'),
      409: errorResponse('Some of the event types exist already (named in detail); nothing was added'),
      ...errorResponses,
    },
  },
  async (c) => {
    const { name } = c.req.valid('param');
    const { event_types } = c.req.valid('json');
    noteForAudit(c, { functionality: name, event_types });
    let outcome: Awaited<ReturnType<typeof addEventTypes>>;
    try {
      outcome = await addEventTypes(c.var.database().db, name, event_types);
    } catch (error) {
      if (uniqueViolation(error) !== null)
        throw new HttpError(409, 'Some of these event types were added at the same time; nothing was added');
      throw error;
    }
    if (outcome.kind === 'unknown_functionality') throw new HttpError(404, `Unknown functionalityname: ${name}`);
    if (outcome.kind === 'exist') {
      throw new HttpError(409, `Event types already exist in ${name}: ${outcome.names.join(', ')}; nothing was added`);
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
  },
);
