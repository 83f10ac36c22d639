import { z } from '@hono/zod-openapi';
import { createKey, KeyNameTaken } from '../../db/queries/admin-keys';
import { generateApiKey, unique } from '../../lib/api-keys';
import { HttpError } from '../../lib/errors';
import { noteForAudit } from '../../lib/self-audit';
import { defineRoute } from '../define-route';
import { errorResponse, errorResponses, jsonBody, jsonResponse } from '../schemas';
import { ApiKeySchema, KEYS_TAGS, KeyCreateSchema, notAdminResponse, toApiKey } from './schemas';

export const createKeyRoute = defineRoute(
  {
    operationId: 'createApiKey',
    scope: 'admin',
    audit: 'Admin action',
    route: 'POST /admin/keys',
    tags: KEYS_TAGS,
    summary: 'Create an API key (the key is in this answer and nowhere else)',
    request: { body: jsonBody(KeyCreateSchema) },
    responses: {
      201: jsonResponse(
        ApiKeySchema.extend({
          StatusCode: z.literal(201),
          message: z.string(),
          key: z.string().openapi({ description: 'Store it now: only its SHA-256 is kept' }),
        }).openapi('ApiKeyCreated'),
        'Created; `key` is shown once',
      ),
      403: notAdminResponse,
      409: errorResponse('A key with this name exists (names are never reused)'),
      ...errorResponses,
    },
  },
  async (c) => {
    const input = c.req.valid('json');
    const spec = {
      name: input.name,
      scopes: unique(input.scopes),
      companies: input.companies ? unique(input.companies) : null,
    };
    noteForAudit(c, { target_key: spec.name, scopes: spec.scopes, companies: spec.companies });
    try {
      const { record, key } = await createKey(c.var.database().db, spec, generateApiKey);
      noteForAudit(c, { target_prefix: record.prefix });
      return c.json(
        {
          StatusCode: 201 as const,
          message: 'API key created; store the key now, it is not shown again',
          key,
          ...toApiKey(record),
        },
        201,
      );
    } catch (error) {
      if (error instanceof KeyNameTaken) throw new HttpError(409, error.message);
      throw error;
    }
  },
);
