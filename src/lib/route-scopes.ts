import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import type { Scope } from './api-keys';
import { forbidden } from './errors';

const API = '/pyaudit/api';
const EVENTS = `${API}/audit-events/`;
const ADMIN = `${API}/admin`;

/** Writes of events; every other POST under audit-events falls to the default (admin). */
const WRITE_PATHS = new Set([`${EVENTS}create`, `${EVENTS}batch`]);

/**
 * The one map from a request to the scope it needs, so routes added later are covered without
 * touching them: event writes need events:write, reads under audit-events (recent, search,
 * export, catalogue and directory) need events:read, everything under admin needs admin, and
 * anything not named here needs admin too (deny by default). Public paths never get here.
 */
export function requiredScope(method: string, path: string): Scope {
  if (path === ADMIN || path.startsWith(`${ADMIN}/`)) return 'admin';
  if (method === 'POST' && WRITE_PATHS.has(path)) return 'events:write';
  if ((method === 'GET' || method === 'HEAD') && path.startsWith(EVENTS)) return 'events:read';
  return 'admin';
}

/** 403 when the calling key lacks the scope the request needs. Runs after requireApiKey. */
export const requireScope: MiddlewareHandler<AppEnv> = async (c, next) => {
  const scope = requiredScope(c.req.method, new URL(c.req.url).pathname);
  if (!c.var.principal.scopes.includes(scope)) throw forbidden(`This API key lacks the scope ${scope}`);
  await next();
};
