import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';

/** A handler typed by its route, kept in the route's own file (hono-open-api-starter style). */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
export type AppOpenAPI = OpenAPIHono<AppEnv>;
