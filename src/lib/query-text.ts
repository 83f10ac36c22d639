import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { type ValidationIssue, validationError } from './errors';
import { hasNul } from './text-rules';

/**
 * Query values and path parameters are compared with stored text, and PostgreSQL text cannot
 * hold NUL: `%00` would otherwise fail inside the database as a 500. Refused here for every
 * route, as a 422 that names the parameter. (Lone surrogates cannot arrive: a URL is UTF-8, and
 * bytes that do not decode stay as their %-escapes.)
 */
export const refuseNulInUrl: MiddlewareHandler<AppEnv> = async (c, next) => {
  const issues: ValidationIssue[] = [];
  if (/%00/.test(new URL(c.req.url).pathname)) {
    issues.push({ loc: ['path'], msg: 'The path must not contain NUL characters (%00)', type: 'string_nul' });
  }
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (hasNul(name) || values.some(hasNul)) {
      issues.push({
        loc: ['query', name],
        msg: 'Value must not contain NUL characters (%00)',
        type: 'string_nul',
      });
    }
  }
  if (issues.length > 0) throw validationError(issues);
  await next();
};

/** Names of the query parameters sent more than once. */
export const repeatedQueryNames = (queries: Record<string, string[]>): Set<string> =>
  new Set(
    Object.entries(queries)
      .filter(([, values]) => values.length > 1)
      .map(([name]) => name),
  );
