import { z } from '@hono/zod-openapi';
import { defineRoute } from '../define-route';
import { okResponses } from '../schemas';
import { WHOAMI_TAGS, WhoamiSchema } from './schemas';

export const whoamiRoute = defineRoute(
  {
    operationId: 'whoami',
    // The console's sign-in: any valid key may ask, whatever its scopes.
    scope: 'any-key',
    audit: null,
    route: 'GET /whoami',
    tags: WHOAMI_TAGS,
    summary: 'The calling key: name, scopes and companies',
    description: 'Any valid key may call it, whatever its scopes. The key itself is never returned.',
    // No parameters: an unknown one is ignored and named in X-Ignored-Parameters, as on every route
    // (src/lib/ignored-parameters.ts, issue 11.2).
    request: { query: z.object({}) },
    responses: okResponses(WhoamiSchema, 'Who is calling'),
  },
  (c) => {
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
  },
);
