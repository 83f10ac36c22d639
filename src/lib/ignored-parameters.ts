import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';

/**
 * The old service ignored query parameters and body fields it did not know, and the clients
 * that call it rely on that (README, Compatibility with the old service's clients): a 422 would make the dashboard's export button do
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

/** The query parameter names a route declares: the keys of its query schema (the single source
 * of truth: the same schema validates, documents and types the query); none without one. */
export function declaredQueryNames(query: unknown): ReadonlySet<string> {
  return new Set(query && typeof query === 'object' && 'shape' in query ? Object.keys(query.shape as object) : []);
}

/**
 * Names the query parameters the route does not declare (with any body fields a handler
 * noted) in X-Ignored-Parameters and a WARNING log line. The query schemas are plain
 * (non-strict) objects, so zod drops these names before the handler sees the query. Each route
 * gets its own (defineRoute); requests that match no route (404, 405) get none: names null.
 */
export function reportIgnoredParameters(names: ReadonlySet<string> | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
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
