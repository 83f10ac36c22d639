import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { type DatabaseHandle, type OpenOptions, openDatabase } from '../db/client';
import { loadConfig } from '../env';
import { runDeferredWork } from './after-response';
import { createLogger } from './logger';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Per-request context: config, request id (a caller's X-Request-ID if it is safe, else a new
 * one), a logger that carries it, and a database connection opened on first use and closed
 * after the response (ctx.waitUntil) once the work queued for after the response has used it,
 * unless a streaming body took it over.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = loadConfig(c.env);
  const incoming = c.req.header('x-request-id');
  const requestId = incoming && REQUEST_ID_RE.test(incoming) ? incoming : crypto.randomUUID();
  const logger = createLogger(config.LOG_LEVEL, { request_id: requestId });
  c.set('config', config);
  c.set('requestId', requestId);
  c.set('logger', logger);

  let handle: DatabaseHandle | undefined;
  let taken = false;
  const open = (options?: OpenOptions) => {
    handle ??= openDatabase(config, options ?? { statementTimeoutMs: config.QUERY_TIMEOUT_MS });
    return handle;
  };
  c.set('database', () => open());
  c.set('deferredWork', []);
  c.set('takeDatabase', (options) => {
    taken = true;
    return open(options);
  });

  const started = Date.now();
  try {
    await next();
  } finally {
    // Queued after-response work runs on the request's connection, which is closed after it.
    const finishing = runDeferredWork(c, taken ? undefined : handle);
    try {
      c.executionCtx.waitUntil(finishing);
    } catch {
      await finishing; // no ExecutionContext (app.request in a script): finish inline
    }
    c.header('X-Request-ID', requestId);
    c.header('X-Content-Type-Options', 'nosniff');
    logger.info('request', {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      duration_ms: Date.now() - started,
    });
  }
};
