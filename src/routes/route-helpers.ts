import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';

/** A handler typed by its route, kept in the route's own file (hono-open-api-starter style). */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
export type AppOpenAPI = OpenAPIHono<AppEnv>;

/** The envelope most routes answer with (compat). */
export const fetched = <T>(key: 'events' | 'Data', rows: T[]) => ({
  StatusCode: 200 as const,
  message: rows.length > 0 ? 'Data fetched successfully' : 'Data not found',
  count: rows.length,
  [key]: rows,
});
