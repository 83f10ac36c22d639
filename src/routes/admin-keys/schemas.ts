import { z } from '@hono/zod-openapi';
import type { ApiKeyRecord } from '../../db/queries/admin-keys';
import { companiesProblem, KEY_NAME_MAX, nameProblem, SCOPES } from '../../lib/api-keys';
import { errorResponse, errorResponses, jsonResponse } from '../schemas';

/** Shapes of the API key admin routes (docs/security-keys.md). */

export const KEYS_TAGS = ['Admin: API keys'];

/** The 403 of every key route: admin is needed, and a key limited to companies may not manage keys. */
export const notAdminResponse = errorResponse('The calling key lacks admin, or is limited to companies');

export const KeyCreateSchema = z
  .strictObject({
    name: z
      .string()
      .superRefine((name, ctx) => {
        const problem = nameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .openapi({ example: 'dashboard-acme', maxLength: KEY_NAME_MAX }),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .max(SCOPES.length * 2)
      .openapi({ example: ['events:read'] }),
    companies: z
      .array(z.int().min(0).max(Number.MAX_SAFE_INTEGER))
      .nullable()
      .optional()
      .superRefine((companies, ctx) => {
        const problem = companiesProblem(companies ?? null);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .openapi({ description: 'Companies the key may read and write; omit or null for all', example: [5001] }),
  })
  .openapi('ApiKeyCreate');

export const ApiKeySchema = z
  .object({
    name: z.string(),
    prefix: z.string().openapi({ description: 'The visible part of the key: pak_<prefix>_...', example: 'k3x9q2ab' }),
    scopes: z.array(z.enum(SCOPES)),
    companies: z.array(z.number().int()).nullable(),
    created_at: z.string(),
    last_used_at: z.string().nullable().openapi({ description: 'Updated at most once a minute' }),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

export const toApiKey = (r: ApiKeyRecord) => ({
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  companies: r.companies,
  created_at: r.createdAt,
  last_used_at: r.lastUsedAt,
  revoked_at: r.revokedAt,
});

export const NameParamSchema = z.object({
  name: z
    .string()
    .max(KEY_NAME_MAX)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'dashboard-acme' }),
});

const RevokedSchema = ApiKeySchema.extend({ StatusCode: z.literal(200), message: z.string() }).openapi('ApiKeyRevoked');

/** Revoke and delete answer alike (delete is the REST spelling of revoke). */
export const revokeResponses = {
  200: jsonResponse(RevokedSchema, 'Revoked (or already revoked: the first time is kept)'),
  403: notAdminResponse,
  404: errorResponse('No key has this name'),
  ...errorResponses,
};
