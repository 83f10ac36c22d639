import { z } from '@hono/zod-openapi';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createRouter, defineRoute } from '../../src/routes/define-route';
import { okResponses } from '../../src/routes/schemas';
import { call, get, KEY } from '../helpers/app';

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

describe('a required JSON body', () => {
  /** Every operation of the document whose body is required JSON: defineRoute gives each parseJsonBody. */
  async function jsonBodyOperations(): Promise<{ method: string; path: string }[]> {
    const doc = (await (await get('/pyaudit/openapi.json')).json()) as {
      paths: Record<string, Record<string, { requestBody?: { required?: boolean; content: object } }>>;
    };
    return Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.requestBody?.required === true && 'application/json' in op.requestBody.content)
        // Path parameters are read after the body (validators follow the route's middleware): any value.
        .map(([method]) => ({ method: method.toUpperCase(), path: path.replaceAll(/\{\w+\}/g, '1') })),
    );
  }

  it('is read by parseJsonBody on every route that takes one: 415 for another type, 422 for broken JSON', async () => {
    const operations = await jsonBodyOperations();
    expect(operations.length).toBeGreaterThanOrEqual(8);
    for (const { method, path } of operations) {
      const send = (contentType: string, body: string) =>
        call(path, { method, headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': contentType }, body });
      const plain = await send('text/plain', '{}');
      expect([path, plain.status]).toEqual([path, 415]);
      const broken = await send('application/json', '{"truncated": ');
      expect([path, broken.status]).toEqual([path, 422]);
      expect(JSON.stringify(await broken.json())).toContain('JSON decode error');
    }
  });
});
