import { call, KEY } from './app';

/** Helpers for the API-key tests: make keys through the admin route, call as a key. */

export const ADMIN_BASE = '/pyaudit/api/admin';
export type ScopeName = 'events:write' | 'events:read' | 'admin';

/** A key name no other test uses. */
export const uniqueKeyName = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

export interface CreatedKey {
  key: string;
  name: string;
  prefix: string;
}

/** Creates a database key with the legacy (full-access) test key, through the admin route. */
export async function createKey(spec: {
  scopes: ScopeName[];
  companies?: number[] | null;
  name?: string;
}): Promise<CreatedKey> {
  const name = spec.name ?? uniqueKeyName('k');
  const response = await call(`${ADMIN_BASE}/keys`, {
    method: 'POST',
    headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, scopes: spec.scopes, companies: spec.companies }),
  });
  if (response.status !== 201) throw new Error(`key create failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as CreatedKey;
  return { key: body.key, name: body.name, prefix: body.prefix };
}

/** Calls made with one key (and optional Env overrides, e.g. API_KEY_CACHE_TTL_SECONDS). */
export function as(key: string, overrides: Partial<Env> = {}) {
  const send = (path: string, init: RequestInit = {}) =>
    call(path, { ...init, headers: { 'CSIQ-APIKEY': key, ...(init.headers as Record<string, string>) } }, overrides);
  const withBody = (method: string) => (path: string, body: unknown) =>
    send(path, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    call: send,
    get: (path: string) => send(path),
    post: withBody('POST'),
    put: withBody('PUT'),
    delete: (path: string) => send(path, { method: 'DELETE' }),
  };
}

/** No key cache: every request looks the key up, as another isolate would after the TTL. */
export const NO_KEY_CACHE = { API_KEY_CACHE_TTL_SECONDS: '0' } as Partial<Env>;

export async function detailOf(response: Response): Promise<unknown> {
  return ((await response.json()) as { detail: unknown }).detail;
}
