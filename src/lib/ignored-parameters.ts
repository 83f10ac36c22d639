import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../app-env';

/**
 * The old service ignored query parameters and body fields it did not know, and the clients
 * that call it rely on that (CLIENTS.md): a 422 would make the dashboard's export button do
 * nothing, or lose a posting system's events. So they are ignored here too, but never silently:
 * each is named in this response header and in a WARNING log line, so a typo can still be
 * found (issue 11.2, 11.3).
 */
export const IGNORED_PARAMETERS_HEADER = 'X-Ignored-Parameters';

/** A header stays small whatever the request holds; the log line says how many there were. */
const MAX_LISTED = 20;
const MAX_NAME_CHARS = 100;

/** One name as header text: percent-encoded, so commas, spaces and non-ASCII stay unambiguous. */
const headerName = (name: string) => encodeURIComponent(name.slice(0, MAX_NAME_CHARS));

/** Notes names this request ignored; the middleware below reports them with the response. */
export function noteIgnored(c: Context<AppEnv>, names: readonly string[]) {
  c.var.ignoredParameters?.push(...names);
}

/** `{id}` (OpenAPI) -> `:id` (Hono), as @hono/zod-openapi registers the path. */
const honoPath = (openApiPath: string) => openApiPath.replace(/\{([^}]+)\}/g, ':$1');

type QueryNamesByRoute = Map<string, ReadonlySet<string>>;

/**
 * Every route's query parameter names, read from the query schema it declares (the single
 * source of truth: the same schema validates, documents and types the query). A route without
 * a query schema knows no parameter.
 */
function queryNamesByRoute(app: OpenAPIHono<AppEnv>): QueryNamesByRoute {
  const byRoute: QueryNamesByRoute = new Map();
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    const { method, path, request } = definition.route;
    const query = request?.query;
    const names = query && 'shape' in query ? Object.keys(query.shape) : [];
    byRoute.set(`${method.toUpperCase()} ${honoPath(path)}`, new Set(names));
  }
  return byRoute;
}

/**
 * Names the query parameters the matched route does not declare (with any body fields a
 * handler noted) in X-Ignored-Parameters and a WARNING log line. The query schemas are plain
 * (non-strict) objects, so zod drops these names before the handler sees the query. Requests
 * that match no route (404, 405) report nothing.
 */
export function reportIgnoredParameters(app: OpenAPIHono<AppEnv>): MiddlewareHandler<AppEnv> {
  let known: QueryNamesByRoute | undefined;
  return async (c, next) => {
    known ??= queryNamesByRoute(app);
    const route = matchedRoutes(c).at(-1);
    const names = route ? known.get(`${route.method} ${route.path}`) : undefined;
    const ignored: string[] = [];
    if (names) {
      for (const name of new Set(new URL(c.req.url).searchParams.keys())) {
        if (!names.has(name)) ignored.push(name);
      }
    }
    c.set('ignoredParameters', ignored);
    await next();
    if (ignored.length === 0) return;
    const listed = ignored.slice(0, MAX_LISTED).map(headerName);
    if (ignored.length > MAX_LISTED) listed.push(`...(${ignored.length - MAX_LISTED} more)`);
    c.header(IGNORED_PARAMETERS_HEADER, listed.join(','));
    c.var.logger.warn('ignored unknown parameters', {
      path: new URL(c.req.url).pathname,
      ignored: ignored.slice(0, MAX_LISTED).map((name) => name.slice(0, MAX_NAME_CHARS)),
      ignored_count: ignored.length,
    });
  };
}
