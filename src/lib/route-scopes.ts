import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import type { Scope } from './api-keys';
import { forbidden } from './errors';

const API = '/pyaudit/api';
const EVENTS = `${API}/audit-events/`;
const ADMIN = `${API}/admin`;
/** Integrity reads (verify, proof, blocks, public key): events:read like other reads of the trail. */
const INTEGRITY = `${API}/integrity/`;
const WHOAMI = `${API}/whoami`;

/** Writes of events; every other POST under audit-events falls to the default (admin). */
const WRITE_PATHS = new Set([`${EVENTS}create`, `${EVENTS}batch`, `${EVENTS}enqueue`]);

/**
 * The one map from a request to the scope it needs, so routes added later are covered without
 * touching them: event writes need events:write, reads under audit-events (recent, search,
 * export, catalogue and directory) need events:read, everything under admin needs admin, and
 * anything not named here needs admin too (deny by default); whoami needs only a valid key (null).
 * Public paths never get here.
 */
export function requiredScope(method: string, path: string): Scope | null {
  // Who am I: any valid key may ask, whatever its scopes (the console's sign-in).
  if ((method === 'GET' || method === 'HEAD') && path === WHOAMI) return null;
  if (path === ADMIN || path.startsWith(`${ADMIN}/`)) return 'admin';
  if (method === 'POST' && WRITE_PATHS.has(path)) return 'events:write';
  if ((method === 'GET' || method === 'HEAD') && (path.startsWith(EVENTS) || path.startsWith(INTEGRITY))) {
    return 'events:read';
  }
  return 'admin';
}

/**
 * The only admin requests a key limited to companies may make: directory changes, which the
 * route checks against its companies. Every other admin action (keys, the shared catalogue,
 * partitions and maintenance with their cross-company counts) needs a key with every company:
 * a limited key could otherwise mint itself more companies or read other tenants' totals.
 */
const TENANT_ADMIN_PATH = /^\/pyaudit\/api\/admin\/companies\/[^/]+(\/stores\/[^/]+)?$/;

/** 403 when the calling key lacks the scope the request needs. Runs after requireApiKey. */
export const requireScope: MiddlewareHandler<AppEnv> = async (c, next) => {
  const path = new URL(c.req.url).pathname;
  const scope = requiredScope(c.req.method, path);
  if (scope === null) return next();
  const { principal } = c.var;
  if (!principal.scopes.includes(scope)) throw forbidden(`This API key lacks the scope ${scope}`);
  if (scope === 'admin' && principal.companies !== null && !TENANT_ADMIN_PATH.test(path)) {
    throw forbidden('This admin action needs an admin key with access to every company');
  }
  await next();
};
