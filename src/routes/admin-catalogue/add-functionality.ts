import { z } from '@hono/zod-openapi';
import { addFunctionality } from '../../db/queries/admin-catalogue';
import { uniqueViolation } from '../../db/queries/errors';
import { HttpError } from '../../lib/errors';
import { noteForAudit } from '../../lib/self-audit';
import { defineRoute } from '../define-route';
import { errorResponse, errorResponses, jsonBody, jsonResponse } from '../schemas';
import { ADMIN_CATALOGUE_TAGS, displayName, EventTypeNames, EventTypeSchema, notAdminResponse } from './schemas';

export const addFunctionalityRoute = defineRoute(
  {
    operationId: 'addFunctionality',
    scope: 'admin',
    audit: 'Admin action',
    route: 'POST /admin/functionalities',
    tags: ADMIN_CATALOGUE_TAGS,
    summary: 'Add a functionality with its event types',
    request: {
      body: jsonBody(
        z
          .strictObject({
            name: displayName(100).openapi({ example: 'Inventory' }),
            event_types: EventTypeNames.default([]).openapi({ example: ['Count started', 'Count finished'] }),
          })
          .openapi('FunctionalityCreate'),
      ),
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
      403: notAdminResponse,
      409: errorResponse('A functionality with this name exists'),
      ...errorResponses,
    },
  },
  async (c) => {
    const { name, event_types } = c.req.valid('json');
    noteForAudit(c, { functionality: name, event_types });
    const exists = () => new HttpError(409, `Functionality ${name} already exists; add event types to it instead`);
    let added: Awaited<ReturnType<typeof addFunctionality>>;
    try {
      added = await addFunctionality(c.var.database().db, name, event_types);
    } catch (error) {
      if (uniqueViolation(error) !== null) throw exists();
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
  },
);
