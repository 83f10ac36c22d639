import { z } from '@hono/zod-openapi';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createRouter, defineRoute } from '../../src/routes/define-route';
import { okResponses } from '../../src/routes/schemas';

/** A route carries its handler (issue 12): the handler's `c` is typed by the declaration before it. */
const typedRoute = defineRoute(
  {
    operationId: 'typedExample',
    scope: 'events:read',
    audit: null,
    route: 'GET /typed/{name}',
    summary: 'A route whose handler checks its own types',
    request: {
      params: z.object({ name: z.string() }),
      query: z.strictObject({ limit: z.coerce.number().int().optional() }),
    },
    responses: okResponses(z.object({ name: z.string(), limit: z.number() }), 'The example'),
  },
  (c) => {
    const { name } = c.req.valid('param');
    const { limit } = c.req.valid('query');
    expectTypeOf(name).toEqualTypeOf<string>();
    expectTypeOf(limit).toEqualTypeOf<number | undefined>();
    // @ts-expect-error the route declares no body
    c.req.valid('json');
    return c.json({ name, limit: limit ?? 0 }, 200);
  },
);

describe('defineRoute', () => {
  it("registers the operation with its route line's method and path, and no handler in the document", () => {
    const router = createRouter(typedRoute);
    const [definition] = router.openAPIRegistry.definitions;
    expect(definition?.type).toBe('route');
    if (definition?.type !== 'route') return;
    expect(definition.route.method).toBe('get');
    expect(definition.route.path).toBe('/typed/{name}');
    expect(definition.route.operationId).toBe('typedExample');
    expect(Object.keys(definition.route)).not.toContain('handler');
    expect(router.routes.map((r) => `${r.method} ${r.path}`)).toContain('GET /typed/:name');
  });
});
