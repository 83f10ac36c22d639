import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { jsonResponse } from '../lib/openapi/responses';
import { createRouter, defineRoute } from './define-route';
import type { AppRouteHandler } from './route-helpers';

const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'unhealthy']),
    message: z.string(),
    database: z.enum(['ok', 'unreachable']),
    detail: z.string().optional(),
  })
  .openapi('Health');

export const healthRoute = defineRoute({
  operationId: 'healthcheck',
  scope: 'public',
  audit: null,
  method: 'get',
  path: '/healthcheck',
  tags: ['Health'],
  summary: 'Service and database status (no key needed)',
  security: [],
  responses: {
    200: jsonResponse(HealthSchema, 'The service runs and the database answered a query'),
    503: jsonResponse(HealthSchema, 'The database did not answer in time'),
  },
});

export const healthHandler: AppRouteHandler<typeof healthRoute> = async (c) => {
  const timeoutMs = c.var.config.HEALTHCHECK_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([c.var.database().db.execute(sql`SELECT 1`), timeout]);
    return c.json(
      {
        status: 'healthy' as const,
        message: 'Service is running and the database is reachable',
        database: 'ok' as const,
      },
      200,
    );
  } catch (error) {
    const reason =
      error instanceof Error && error.message.startsWith('no answer') ? error.message : 'connection failed';
    c.var.logger.warn('healthcheck failed', { reason });
    c.header('Retry-After', '5');
    return c.json(
      {
        status: 'unhealthy' as const,
        message: 'Database unreachable',
        database: 'unreachable' as const,
        detail: `Database unreachable: ${reason}`,
      },
      503,
    );
  } finally {
    clearTimeout(timer);
  }
};

export const healthRoutes = createRouter().openapi(healthRoute, healthHandler);
