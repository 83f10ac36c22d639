import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { liveTailClient } from './client';
import { NotifyCoalescer } from './notify-coalescer';
import { COALESCE_MS } from './read-scheduler';

/**
 * Per isolate and object: at most one notification in flight, at most one per the object's
 * coalescing window (src/live/notify-coalescer.ts).
 */
const coalescers = new Map<string, NotifyCoalescer>();

/**
 * After events were committed: tell the fan-out, without waiting and without failing the
 * request. A lost notification only delays delivery until the object's next poll.
 */
export function notifyLiveTail(c: Context<AppEnv>): void {
  const client = liveTailClient(c.env);
  if (!client) return;
  let coalescer = coalescers.get(client.key);
  if (!coalescer) {
    coalescer = new NotifyCoalescer(COALESCE_MS);
    coalescers.set(client.key, coalescer);
  }
  const sending = coalescer.trigger(() => client.notify());
  if (!sending) return; // the notification in flight is followed by one more, after this commit
  const sent = sending.catch((error: unknown) => {
    c.var.logger.warn('live tail notify failed', { error: error instanceof Error ? error.name : 'unknown' });
  });
  try {
    c.executionCtx.waitUntil(sent);
  } catch {
    // app.request in a script has no ExecutionContext: the notification simply runs on.
  }
}
