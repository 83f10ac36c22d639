import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { HttpError, unauthorized } from './errors';

export const API_KEY_HEADER = 'CSIQ-APIKEY';
export const SCOPES = ['events:write', 'events:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: a key's name, what it may do and which companies it may see (null = all). */
export interface Principal {
  name: string;
  scopes: readonly Scope[];
  companies: readonly number[] | null;
}

const encoder = new TextEncoder();
const sha256 = async (text: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));

/**
 * Constant-time check against every configured key: both sides are hashed to equal length and
 * compared with timingSafeEqual, and every key is compared, so timing says nothing.
 */
export async function matchesAnyKey(presented: string, keys: readonly string[]): Promise<boolean> {
  const presentedHash = await sha256(presented);
  let matched = false;
  for (const key of keys) {
    const keyHash = await sha256(key);
    if (crypto.subtle.timingSafeEqual(presentedHash, keyHash)) matched = true;
  }
  return matched;
}

/** Query parameter names under which callers have tried to pass a key; refused, never used. */
const KEY_QUERY_NAMES = ['csiq-apikey', 'api_key', 'apikey', 'api-key', 'key'];

export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  for (const name of url.searchParams.keys()) {
    if (KEY_QUERY_NAMES.includes(name.toLowerCase())) {
      throw new HttpError(400, `API keys are not accepted in the query string; send the ${API_KEY_HEADER} header`);
    }
  }
  const presented = c.req.header(API_KEY_HEADER);
  if (presented === undefined || presented === '') throw unauthorized('API Key is missing');
  if (!(await matchesAnyKey(presented, c.var.config.API_KEYS))) throw unauthorized('Invalid API Key');
  c.set('principal', { name: 'api-key', scopes: SCOPES, companies: null });
  await next();
};
