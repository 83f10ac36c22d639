import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { loadConfig } from '../env';
import { NotifyCoalescer } from './notify-coalescer';

/** The one fan-out object of a deployment (src/live/live-tail-object.ts), named LIVE_TAIL_OBJECT. */
export function liveTailStub(env: Env): DurableObjectStub<import('./live-tail-object').LiveTail> | null {
  const namespace = (env as { LIVE_TAIL?: DurableObjectNamespace<import('./live-tail-object').LiveTail> }).LIVE_TAIL;
  if (!namespace) return null;
  return namespace.get(namespace.idFromName(loadConfig(env).LIVE_TAIL_OBJECT));
}

/** Per isolate and object: at most one notification in flight (src/live/notify-coalescer.ts). */
const coalescers = new Map<string, NotifyCoalescer>();

/**
 * After events were committed: tell the fan-out, without waiting and without failing the
 * request. A lost notification only delays delivery until the object's next poll.
 */
export function notifyLiveTail(c: Context<AppEnv>): void {
  const stub = liveTailStub(c.env);
  if (!stub) return;
  const name = loadConfig(c.env).LIVE_TAIL_OBJECT;
  let coalescer = coalescers.get(name);
  if (!coalescer) {
    coalescer = new NotifyCoalescer();
    coalescers.set(name, coalescer);
  }
  const sending = coalescer.trigger(() => stub.notify());
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
