import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../lib/api-keys';
import { defineRoute } from '../define-route';
import type { AppRouteHandler } from '../route-helpers';
import { errorResponses, jsonResponse } from '../schemas';

const WhoamiSchema = z
  .object({
    StatusCode: z.literal(200),
    name: z.string().openapi({ example: 'support-dashboard' }),
    scopes: z.array(z.enum(SCOPES)),
    companies: z
      .array(z.number().int())
      .nullable()
      .openapi({ description: 'Companies the key may read and write; null = every company' }),
    source: z
      .enum(['legacy', 'database'])
      .openapi({ description: 'legacy = a key of the API_KEYS secret; database = an issued pak_ key' }),
    prefix: z
      .string()
      .nullable()
      .openapi({ description: 'The public prefix of an issued key (never the secret); null for legacy keys' }),
  })
  .openapi('Whoami');

export const whoamiRoute = defineRoute({
  operationId: 'whoami',
  // The console's sign-in: any valid key may ask, whatever its scopes.
  scope: 'any-key',
  audit: null,
  method: 'get',
  path: '/whoami',
  tags: ['Keys'],
  summary: 'The calling key: name, scopes and companies',
  description: 'Any valid key may call it, whatever its scopes. The key itself is never returned.',
  // No parameters: an unknown one is ignored and named in X-Ignored-Parameters, as on every route
  // (src/lib/ignored-parameters.ts, issue 11.2).
  request: { query: z.object({}) },
  responses: {
    200: jsonResponse(WhoamiSchema, 'Who is calling'),
    ...errorResponses,
  },
});

export const whoamiHandler: AppRouteHandler<typeof whoamiRoute> = (c) => {
  const { name, scopes, companies, source, prefix } = c.var.principal;
  return c.json(
    {
      StatusCode: 200 as const,
      name,
      scopes: [...scopes],
      companies: companies === null ? null : [...companies],
      source,
      prefix,
    },
    200,
  );
};
