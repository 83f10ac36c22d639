import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { forbidden } from './errors';

/**
 * 403 when the calling key lacks the scope the matched route declares (c.var.route, set by the
 * route's own middleware). Runs after requireApiKey and the self-audit, so refusals are audited.
 */
export const requireScope: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { scope, tenantAdmin } = c.var.route;
  // Public routes have no key; 'any-key' routes (whoami) need a valid key and no scope.
  if (scope === 'public' || scope === 'any-key') return next();
  const { principal } = c.var;
  if (!principal.scopes.includes(scope)) throw forbidden(`This API key lacks the scope ${scope}`);
  if (scope === 'admin' && principal.companies !== null && !tenantAdmin) {
    throw forbidden('This admin action needs an admin key with access to every company');
  }
  await next();
};
