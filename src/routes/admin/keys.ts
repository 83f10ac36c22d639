import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import {
  type ApiKeyRecord,
  createKey,
  KeyNameTaken,
  listKeys,
  queryClientOf,
  revokeKey,
} from '../../db/queries/api-keys';
import { forgetKey } from '../../lib/api-key-cache';
import { companiesProblem, generateApiKey, KEY_NAME_MAX, nameProblem, SCOPES, unique } from '../../lib/api-keys';
import { HttpError } from '../../lib/errors';
import { parseJsonBody } from '../../lib/json-body';
import { noteForAudit } from '../../lib/self-audit';
import { createRouter, defineRoute } from '../define-route';
import type { AppRouteHandler } from '../route-helpers';
import { errorResponses, jsonResponse, listMessage } from '../schemas';

const base = '/admin/keys';
const tags = ['Admin: API keys'];
const detail = z.object({ detail: z.string() });

const KeyCreateSchema = z
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

const ApiKeySchema = z
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

const toApiKey = (r: ApiKeyRecord) => ({
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  companies: r.companies,
  created_at: r.createdAt,
  last_used_at: r.lastUsedAt,
  revoked_at: r.revokedAt,
});

export const createKeyRoute = defineRoute({
  operationId: 'createApiKey',
  scope: 'admin',
  audit: 'Admin action',
  method: 'post',
  path: base,
  tags,
  summary: 'Create an API key (the key is in this answer and nowhere else)',
  middleware: [parseJsonBody] as const,
  request: { body: { required: true, content: { 'application/json': { schema: KeyCreateSchema } } } },
  responses: {
    201: jsonResponse(
      ApiKeySchema.extend({
        StatusCode: z.literal(201),
        message: z.string(),
        key: z.string().openapi({ description: 'Store it now: only its SHA-256 is kept' }),
      }).openapi('ApiKeyCreated'),
      'Created; `key` is shown once',
    ),
    403: jsonResponse(detail, 'The calling key lacks admin, or is limited to companies'),
    409: jsonResponse(detail, 'A key with this name exists (names are never reused)'),
    ...errorResponses,
  },
});

const createKeyHandler: AppRouteHandler<typeof createKeyRoute> = async (c) => {
  const input = c.req.valid('json');
  const spec = {
    name: input.name,
    scopes: unique(input.scopes),
    companies: input.companies ? unique(input.companies) : null,
  };
  noteForAudit(c, { target_key: spec.name, scopes: spec.scopes, companies: spec.companies });
  try {
    const { record, key } = await createKey(queryClientOf(c.var.database().db), spec, generateApiKey);
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
};

export const listKeysRoute = defineRoute({
  operationId: 'listApiKeys',
  scope: 'admin',
  audit: 'Admin action',
  method: 'get',
  path: base,
  tags,
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
    403: jsonResponse(detail, 'The calling key lacks admin, or is limited to companies'),
    ...errorResponses,
  },
});

const listKeysHandler: AppRouteHandler<typeof listKeysRoute> = async (c) => {
  const keys = await listKeys(queryClientOf(c.var.database().db));
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
};

const NameParamSchema = z.object({
  name: z
    .string()
    .max(KEY_NAME_MAX)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'dashboard-acme' }),
});

const RevokedSchema = ApiKeySchema.extend({ StatusCode: z.literal(200), message: z.string() }).openapi('ApiKeyRevoked');

const revokeResponses = {
  200: jsonResponse(RevokedSchema, 'Revoked (or already revoked: the first time is kept)'),
  403: jsonResponse(detail, 'The calling key lacks admin, or is limited to companies'),
  404: jsonResponse(detail, 'No key has this name'),
  ...errorResponses,
};

export const revokeKeyRoute = defineRoute({
  operationId: 'revokeApiKey',
  scope: 'admin',
  audit: 'Admin action',
  method: 'post',
  path: `${base}/{name}/revoke`,
  tags,
  summary: 'Revoke an API key',
  description: 'Refused at once by this isolate, and by every other within API_KEY_CACHE_TTL_SECONDS (60 s at most).',
  request: { params: NameParamSchema },
  responses: revokeResponses,
});

export const deleteKeyRoute = defineRoute({
  operationId: 'deleteApiKey',
  scope: 'admin',
  audit: 'Admin action',
  method: 'delete',
  path: `${base}/{name}`,
  tags,
  summary: 'Revoke an API key (same as POST .../revoke; the row stays for the record)',
  request: { params: NameParamSchema },
  responses: revokeResponses,
});

async function revoke(c: Context<AppEnv>, name: string) {
  noteForAudit(c, { target_key: name });
  const outcome = await revokeKey(queryClientOf(c.var.database().db), { name });
  if (!outcome) throw new HttpError(404, `No API key is named ${name}`);
  forgetKey(outcome.record.id);
  noteForAudit(c, { target_prefix: outcome.record.prefix });
  return {
    StatusCode: 200 as const,
    message: outcome.alreadyRevoked ? 'API key was already revoked' : 'API key revoked',
    ...toApiKey(outcome.record),
  };
}

const revokeKeyHandler: AppRouteHandler<typeof revokeKeyRoute> = async (c) =>
  c.json(await revoke(c, c.req.valid('param').name), 200);

const deleteKeyHandler: AppRouteHandler<typeof deleteKeyRoute> = async (c) =>
  c.json(await revoke(c, c.req.valid('param').name), 200);

export const adminKeysRoutes = createRouter()
  .openapi(createKeyRoute, createKeyHandler)
  .openapi(listKeysRoute, listKeysHandler)
  .openapi(revokeKeyRoute, revokeKeyHandler)
  .openapi(deleteKeyRoute, deleteKeyHandler);
