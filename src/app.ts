import { type Hook, OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { AppEnv } from './app-env';
import { API_KEY_HEADER } from './lib/auth';
import { describeError, errorResponse, HttpError, toHttpError, validationError } from './lib/errors';
import { IGNORED_PARAMETERS_HEADER } from './lib/ignored-parameters';
import { redocPage } from './lib/openapi/redoc';
import { swaggerPage } from './lib/openapi/swagger';
import { repeatedQueryNames } from './lib/query-text';
import { requestContext } from './lib/request-context';
import { UNMATCHED } from './lib/route-rules';
import { explainRepeatedParameters, toValidationIssues } from './lib/validation-issues';
import { mountApi } from './routes';
import { assertEveryRouteDeclared, guardsFor } from './routes/define-route';
import { API_PREFIX, BASE_PATH } from './routes/paths';

/** The document's head; also read by scripts/console-api-types.mjs to type the console's client. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Audit Service',
    version: '2.0.0',
    description:
      'Audit events for the retail platform: create, search, export. Send the API key in the `CSIQ-APIKEY` header (Authorize button). Times are shown in Central Time (America/Chicago). ' +
      'Query parameters a route does not list, and fields of a create or batch item the schema does not list, are ignored (as the old service did) and named, percent-encoded and comma-separated, in the `X-Ignored-Parameters` response header. ' +
      'Read the HTTP status: the body `StatusCode` is kept for the old clients (a search matching more than 5000 rows says 400 there, with HTTP 200).',
    // An internal service, not open source.
    license: { name: 'Proprietary' },
  },
  // Relative: every deployment (dev, staging, production) serves its own document at its origin.
  servers: [{ url: '/', description: 'The deployment serving this document' }],
  security: [{ APIKeyHeader: [] }],
};

/** The OpenAPIHono factory: validation hook, errors, middleware, routes and docs in one place. */
export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: refuseInvalidRequest });
  useGlobalMiddleware(app);
  // Key, rate limit, self-audit and scope are each route's own middleware (defineRoute), read
  // from the route the router matched: no table keyed by URL text (docs/architecture.md).
  mountApi(app);
  refuseUnmatchedApiPaths(app);
  assertEveryRouteDeclared(app, API_PREFIX);
  serveDocs(app);
  app.notFound((c) => errorResponse(c, noRoute(app, c.req.path)));
  app.onError((error, c) => {
    const httpError = toHttpError(error);
    if (httpError.status >= 500)
      c.var.logger?.error('request failed', { status: httpError.status, ...describeError(error) });
    return errorResponse(c, httpError);
  });
  return app;
}

/** The zod validators' failures as FastAPI's 422 body; repeated query parameters explained. */
const refuseInvalidRequest: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (!result.success) {
    const target = result.target === 'json' ? 'body' : (result.target as 'query' | 'header' | 'path');
    const issues = toValidationIssues(result.error, target);
    throw validationError(
      target === 'query' ? explainRepeatedParameters(issues, repeatedQueryNames(c.req.queries())) : issues,
    );
  }
};

/** What every request goes through before its route: request context, CORS, the body limit. */
function useGlobalMiddleware(app: OpenAPIHono<AppEnv>) {
  app.use('*', requestContext);
  app.use(
    '*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      allowHeaders: [API_KEY_HEADER, 'Content-Type', 'X-Request-ID'],
      exposeHeaders: ['Content-Disposition', 'X-Request-ID', 'Retry-After', IGNORED_PARAMETERS_HEADER],
      maxAge: 600,
    }),
  );
  app.use('*', async (c, next) => {
    // The limit is read before the body is parsed: Content-Length first, then while streaming.
    const limit = c.var.config.MAX_BODY_BYTES;
    return bodyLimit({
      maxSize: limit,
      onError: () => {
        throw new HttpError(413, `Request body is larger than the limit of ${limit} bytes`);
      },
    })(c, next);
  });
}

/** What matched no route under the prefix: deny by default (UNMATCHED needs admin), then 404 or 405. */
function refuseUnmatchedApiPaths(app: OpenAPIHono<AppEnv>) {
  const answerNoRoute: MiddlewareHandler<AppEnv> = async (c) => {
    throw noRoute(app, c.req.path);
  };
  for (const handler of [...guardsFor(UNMATCHED, null), answerNoRoute]) app.all(`${API_PREFIX}/*`, handler);
}

/** The OpenAPI document and its two readers (Swagger UI, Redoc): public pages outside the API prefix. */
function serveDocs(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'APIKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: API_KEY_HEADER,
  });
  app.doc31(`${BASE_PATH}/openapi.json`, OPENAPI_DOCUMENT);
  app.get(`${BASE_PATH}/docs`, (c) => c.html(swaggerPage(`${BASE_PATH}/openapi.json`)));
  app.get(`${BASE_PATH}/redoc`, (c) => c.html(redocPage(`${BASE_PATH}/openapi.json`)));
}

/** 405 with Allow when the path has routes for other methods, else 404 (path as the router saw it). */
function noRoute(app: OpenAPIHono<AppEnv>, path: string): HttpError {
  const allowed = allowedMethods(app, path);
  if (allowed.length > 0) return new HttpError(405, 'Method Not Allowed', {}, { Allow: allowed.join(', ') });
  return new HttpError(404, 'Not Found');
}

function allowedMethods(app: OpenAPIHono<AppEnv>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.path === path && route.method !== 'ALL') methods.add(route.method);
  }
  return [...methods];
}
