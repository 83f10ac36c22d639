import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { HttpError } from './errors';

/**
 * Per-key rate limit through the optional KEY_RATE_LIMITER binding ([[ratelimits]] in
 * wrangler.toml): each database key is its own counter; keys of the API_KEYS secret are not
 * limited, so an old-style deployment behaves as before. Past the limit: 429 with Retry-After
 * (the binding's period; it does not say when its window ends). Without the binding, or if the
 * binding fails, requests pass: the limiter protects capacity, it must not stop the audit trail.
 */
export const limitRatePerKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const limiter = (c.env as { KEY_RATE_LIMITER?: RateLimit }).KEY_RATE_LIMITER;
  const { principal, config } = c.var;
  if (limiter && principal.source === 'database' && principal.keyId !== null) {
    let allowed = true;
    try {
      allowed = (await limiter.limit({ key: `api-key:${principal.keyId}` })).success;
    } catch (error) {
      c.var.logger.warn('rate limiter failed; request allowed', {
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
    if (!allowed) {
      const seconds = config.RATE_LIMIT_PERIOD_SECONDS;
      throw new HttpError(
        429,
        `Too many requests for API key ${principal.name}; retry after ${seconds} seconds`,
        {},
        { 'Retry-After': String(seconds) },
      );
    }
  }
  await next();
};
