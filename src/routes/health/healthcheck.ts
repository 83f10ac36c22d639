import { pingDatabase } from '../../db/queries/health';
import type { Config } from '../../env';
import { defineRoute } from '../define-route';
import { jsonResponse } from '../schemas';
import { cachedProbe } from './probe-cache';
import { HEALTH_TAGS, HealthSchema } from './schemas';

export const healthRoute = defineRoute(
  {
    operationId: 'healthcheck',
    scope: 'public',
    audit: null,
    route: 'GET /healthcheck',
    tags: HEALTH_TAGS,
    summary: 'Service and database status (no key needed)',
    description:
      'The database answer is reused for HEALTHCHECK_CACHE_MS (2 s by default) per isolate, so polling this route costs the database at most one probe per isolate in that time.',
    security: [],
    responses: {
      200: jsonResponse(HealthSchema, 'The service runs and the database answered a query'),
      503: jsonResponse(HealthSchema, 'The database did not answer in time'),
    },
  },
  async (c) => {
    const { config } = c.var;
    const timeoutMs = config.HEALTHCHECK_TIMEOUT_MS;
    const answer = await cachedProbe(targetOf(config), config.HEALTHCHECK_CACHE_MS, async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([pingDatabase(c.var.database().db), timeout]);
        return { ok: true };
      } catch (error) {
        const reason =
          error instanceof Error && error.message.startsWith('no answer') ? error.message : 'connection failed';
        return { ok: false, reason };
      } finally {
        clearTimeout(timer);
      }
    });
    if (answer.ok) {
      return c.json(
        {
          status: 'healthy' as const,
          message: 'Service is running and the database is reachable',
          database: 'ok' as const,
        },
        200,
      );
    }
    if (!answer.cached) c.var.logger.warn('healthcheck failed', { reason: answer.reason });
    c.header('Retry-After', '5');
    return c.json(
      {
        status: 'unhealthy' as const,
        message: 'Database unreachable',
        database: 'unreachable' as const,
        detail: `Database unreachable: ${answer.reason}`,
      },
      503,
    );
  },
);

/** Which database the probe is about: the answer is cached per target (kept in memory only). */
const targetOf = (config: Config) =>
  config.DB_DRIVER === 'neon'
    ? `neon ${config.NEON_DATABASE_URL}`
    : `hyperdrive ${config.hyperdrive?.connectionString}`;
