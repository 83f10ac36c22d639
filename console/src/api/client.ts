import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** The API types, generated from the service's own OpenAPI document (npm run console:types). */
export type Schemas = components['schemas'];
export type AuditEvent = Schemas['SearchResult']['events'][number];
export type SearchQuery = NonNullable<paths['/pyaudit/api/audit-events/search']['get']['parameters']['query']>;

const KEY_STORAGE = 'pyaudit.apiKey';

/** The key lives in sessionStorage: gone when the tab closes, never in the URL or a cookie. */
export const session = {
  get: () => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

const withKey: Middleware = {
  onRequest({ request }) {
    const key = session.get();
    if (key) request.headers.set('CSIQ-APIKEY', key);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: location.origin });
api.use(withKey);

/** An error body as the API words it: the detail string, or the 422 list as "field: message". */
export function describeApiError(error: unknown, status?: number): string {
  const detail = (error as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).slice(1).join('.') || 'request'}: ${d.msg ?? ''}`)
      .join('; ');
  }
  const message = (error as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message;
  return `The service answered ${status ?? 'with an error'}`;
}
