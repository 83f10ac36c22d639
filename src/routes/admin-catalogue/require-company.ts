import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { forbidden } from '../../lib/errors';

/** A key limited to companies may name only those companies in the directory. */
export function requireCompany(c: Context<AppEnv>, companyId: number) {
  const allowed = c.var.principal.companies;
  if (allowed !== null && !allowed.includes(companyId)) {
    throw forbidden(`This API key may not change company ${companyId}`);
  }
}
