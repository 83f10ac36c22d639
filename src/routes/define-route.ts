import { OpenAPIHono, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { requireApiKey } from '../lib/auth';
import { declaredQueryNames, reportIgnoredParameters } from '../lib/ignored-parameters';
import { parseJsonBody } from '../lib/json-body';
import { refuseNulInUrl } from '../lib/query-text';
import { limitRatePerKey } from '../lib/rate-limit';
import type { RouteRules } from '../lib/route-rules';
import { requireScope } from '../lib/route-scopes';
import { recordSelfAudit } from '../lib/self-audit';

/** Declarations by the middleware that carries them: how the startup check finds them. */
const declarations = new WeakMap<MiddlewareHandler<AppEnv>, RouteRules>();

/**
 * The guards of a route, in the order they run: what the route declares goes on the context
 * first, then key, per-key rate limit, the audit of the auditors (so it sees every answer,
 * refusals included), scope, NUL in the URL (docs/security-keys.md), then the report of query
 * parameters the route does not declare (queryNames; null: report nothing). A public route
 * skips key to scope. Each guard is its own Hono handler, so a refusal becomes the response the
 * self-audit then records.
 */
export function guardsFor(rules: RouteRules, queryNames: ReadonlySet<string> | null): MiddlewareHandler<AppEnv>[] {
  const declare: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('route', rules);
    await next();
  };
  declarations.set(declare, rules);
  const access = rules.scope === 'public' ? [] : [requireApiKey, limitRatePerKey, recordSelfAudit, requireScope];
  return [declare, ...access, refuseNulInUrl, reportIgnoredParameters(queryNames)];
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `'GET /audit-events/recent'`: the method and the path (relative to the API prefix) in one line. */
export type RouteLine = `${Method} /${string}`;

/** What createRoute calls method and path, read from the route line (types follow the literal). */
type MethodAndPath<L> = L extends `${infer M extends Method} ${infer P}` ? { method: Lowercase<M>; path: P } : never;

type RouteSpec = Omit<RouteConfig, 'method' | 'path'> & RouteRules & { route: RouteLine };

type Declared<R extends RouteSpec> = Omit<R, keyof RouteRules | 'route'> &
  MethodAndPath<R['route']> & { operationId: string };

/** A handler typed by its route: `c.req.valid('query')` from the request's schemas, `c.json` from the answers'. */
type HandlerOf<D> = D extends RouteConfig ? RouteHandler<D, AppEnv> : never;

export type AppOpenAPI = OpenAPIHono<AppEnv>;

/** A declared route with its handler, ready for its area's router (createRouter). */
export interface AppRoute {
  readonly addTo: (router: AppOpenAPI) => void;
}

/**
 * A route and its handler: createRoute with the route's permission and audit action declared
 * beside its path and schema, then the handler, typed by that declaration (as Hono's
 * `router.openapi(route, handler)`):
 * `defineRoute({ operationId, scope, audit, route: 'GET /audit-events/recent', tags, request,
 * responses, ... }, async (c) => ...)`. The path is relative to the API prefix (the area's
 * sub-router is mounted there, src/routes/index.ts); tags are the area's constant (its schemas.ts).
 */
export function defineRoute<const R extends RouteSpec>(spec: R, handler: HandlerOf<Declared<R>>): AppRoute {
  const { scope, audit, tenantAdmin, route, ...config } = spec;
  const space = route.indexOf(' ');
  // A required JSON body is read by parseJsonBody before the validator (422 for malformed JSON,
  // 415 for another type); a route with an optional body brings its own reader (run-maintenance).
  const body = config.request?.body;
  const json = body?.required === true && body.content['application/json'] !== undefined ? [parseJsonBody] : [];
  const own = config.middleware === undefined ? [] : [config.middleware].flat();
  const declared: RouteConfig = {
    ...config,
    method: route.slice(0, space).toLowerCase() as RouteConfig['method'],
    path: route.slice(space + 1),
    middleware: [
      ...guardsFor(
        { operationId: config.operationId, scope, audit, tenantAdmin },
        declaredQueryNames(config.request?.query),
      ),
      ...json,
      ...own,
    ],
  };
  // The handler was typed by this declaration (Declared<R>); the router takes it as a handler of any route.
  const typed = handler as unknown as RouteHandler<RouteConfig, AppEnv>;
  return { addTo: (router) => router.openapi(declared, typed) };
}

/**
 * An area's sub-router with its routes, in the order of the OpenAPI document; the app's validation
 * hook reaches it when it is mounted.
 */
export function createRouter(...routes: AppRoute[]): AppOpenAPI {
  const router = new OpenAPIHono<AppEnv>();
  for (const route of routes) route.addTo(router);
  return router;
}

export interface RouteTableRow extends RouteRules {
  method: string;
  /** Hono's form: `/pyaudit/api/admin/keys/:name`. */
  path: string;
}

/** Every route of the app with a method (not middleware), with what it declares, if anything. */
export function routeTable(app: OpenAPIHono<AppEnv>): (RouteTableRow | { method: string; path: string })[] {
  const declared = new Map<string, RouteRules>();
  for (const route of app.routes) {
    const rules = declarations.get(route.handler as MiddlewareHandler<AppEnv>);
    if (rules) declared.set(`${route.method} ${route.path}`, rules);
  }
  const rows = new Map<string, RouteTableRow | { method: string; path: string }>();
  for (const { method, path } of app.routes) {
    if (method === 'ALL') continue;
    const key = `${method} ${path}`;
    const rules = declared.get(key);
    rows.set(key, rules ? { method, path, ...rules } : { method, path });
  }
  // Operations of the OpenAPI document must be declared even if registered some other way.
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    const method = definition.route.method.toUpperCase();
    const path = definition.route.path.replaceAll(/\/{(.+?)}/g, '/:$1');
    const key = `${method} ${path}`;
    if (!rows.has(key)) rows.set(key, { method, path });
  }
  return [...rows.values()];
}

/**
 * The startup check: every route under the API prefix, and every operation of the OpenAPI
 * document, declares its scope through defineRoute; otherwise the app does not start. Routes
 * outside the prefix (the docs pages) are public pages, not operations.
 */
export function assertEveryRouteDeclared(app: OpenAPIHono<AppEnv>, apiPrefix: string): void {
  const operations = new Set(
    app.openAPIRegistry.definitions.flatMap((d) =>
      d.type === 'route' ? [`${d.route.method.toUpperCase()} ${d.route.path.replaceAll(/\/{(.+?)}/g, '/:$1')}`] : [],
    ),
  );
  const undeclared = routeTable(app).filter(
    (row) =>
      !('scope' in row) &&
      (row.path === apiPrefix || row.path.startsWith(`${apiPrefix}/`) || operations.has(`${row.method} ${row.path}`)),
  );
  if (undeclared.length > 0) {
    const names = undeclared.map((row) => `${row.method} ${row.path}`).join(', ');
    throw new Error(`Routes without a declared scope (define them with defineRoute): ${names}`);
  }
}
