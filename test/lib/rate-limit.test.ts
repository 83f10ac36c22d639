import { describe, expect, it } from 'vitest';
import { BASE, get } from '../helpers/app';
import { as, createKey } from '../helpers/keys';

// wrangler.toml: [[ratelimits]] KEY_RATE_LIMITER, 600 requests per 60 s per key. Miniflare runs the
// binding locally with wall-clock-aligned windows; 2 x 600 + 2 requests sent within one minute
// span at most two windows, so one window must see more than 600 and answer 429.
const LIMIT = 600;

describe('per-key rate limit (KEY_RATE_LIMITER binding)', () => {
  it('answers 429 with Retry-After once a database key passes its limit, and other keys go on', async () => {
    // A write-only key asking for the catalogue: refused by scope right after the rate limit,
    // so each request is cheap and touches no database once the key is cached.
    const writer = await createKey({ scopes: ['events:write'] });
    const client = as(writer.key);
    let limited: Response | undefined;
    let sent = 0;
    while (!limited && sent < 2 * LIMIT + 2) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () => client.get(`${BASE}/get-all-auditfunctionalities`)),
      );
      sent += batch.length;
      limited = batch.find((r) => r.status === 429);
      for (const r of batch) if (r.status !== 429) expect(r.status).toBe(403);
    }
    expect(limited, `no 429 after ${sent} requests`).toBeDefined();
    expect(limited?.headers.get('Retry-After')).toBe('60');
    expect(await limited?.json()).toEqual({
      detail: `Too many requests for API key ${writer.name}; retry after 60 seconds`,
    });

    // Each key is its own counter, and the legacy keys of API_KEYS are not limited.
    const reader = await createKey({ scopes: ['events:read'] });
    expect((await as(reader.key).get(`${BASE}/get-all-auditfunctionalities`)).status).toBe(200);
    expect((await get(`${BASE}/get-all-auditfunctionalities`)).status).toBe(200);
  });
});
