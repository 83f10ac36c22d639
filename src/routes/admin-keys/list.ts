import { z } from '@hono/zod-openapi';
import { listKeys } from '../../db/queries/admin-keys';
import { defineRoute } from '../define-route';
import { errorResponses, jsonResponse, listMessage } from '../schemas';
import { ApiKeySchema, KEYS_TAGS, notAdminResponse, toApiKey } from './schemas';

export const listKeysRoute = defineRoute(
  {
    operationId: 'listApiKeys',
    scope: 'admin',
    audit: 'Admin action',
    route: 'GET /admin/keys',
    tags: KEYS_TAGS,
    summary: 'List API keys (never a key or its hash)',
    responses: {
      200: jsonResponse(
        z
          .object({
            StatusCode: z.literal(200),
            message: z.string(),
            count: z.number().int(),
            legacy_keys: z.number().int().openapi({ description: 'Keys in the API_KEYS secret (full access)' }),
            Data: z.array(ApiKeySchema),
          })
          .openapi('ApiKeyList'),
        'Every database key, revoked ones included, by name',
      ),
      403: notAdminResponse,
      ...errorResponses,
    },
  },
  async (c) => {
    const keys = await listKeys(c.var.database().db);
    return c.json(
      {
        StatusCode: 200 as const,
        message: listMessage(keys.length),
        count: keys.length,
        legacy_keys: c.var.config.API_KEYS.length,
        Data: keys.map(toApiKey),
      },
      200,
    );
  },
);
