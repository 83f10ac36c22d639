import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ingestTracker } from '../../src/ingest/tracker-object';

describe('the ingest tracker (Durable Object)', () => {
  it('counts the backlog and the oldest pending event; settling twice counts once; a failed send is withdrawn', async () => {
    // An object of this test's own: the deployment's one is shared with every other test file.
    const tracker = ingestTracker(env, `test-${crypto.randomUUID()}`);
    if (!tracker) throw new Error('INGEST_TRACKER binding missing');
    const now = Date.now();
    expect(await tracker.enqueued(['1:a', '1:b', '1:c'], now - 60_000)).toBe(3);
    expect(await tracker.enqueued(['1:a'], now)).toBe(0); // a client's retry keeps the first time
    expect(await tracker.status(now)).toMatchObject({ backlog: 3, oldestEnqueuedMs: now - 60_000, enqueued: 3 });
    expect(await tracker.settled(['1:a', '1:b'], 'stored')).toBe(2);
    expect(await tracker.settled(['1:a'], 'stored')).toBe(0);
    await tracker.withdrawn(['1:c']);
    expect(await tracker.status(now)).toMatchObject({ backlog: 0, oldestEnqueuedMs: null, enqueued: 2, stored: 2 });
    await tracker.enqueued(['1:d'], now - 16 * 86_400_000);
    expect(await tracker.settled(['1:e'], 'deadLettered')).toBe(0);
    expect(await tracker.status(now)).toMatchObject({ backlog: 0, forgotten: 1, deadLettered: 0 });
  });
});
