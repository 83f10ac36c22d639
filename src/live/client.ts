import { loadConfig } from '../env';
import type { LiveTail } from './live-tail-object';
import type { Subscription } from './subscription';

/**
 * The deployment's one fan-out object (src/live/live-tail-object.ts), as the routes use it:
 * open a stream, or say that events were committed.
 */
export interface LiveTailClient {
  /** Where notifications are coalesced per isolate (src/live/notify.ts): one key per object. */
  readonly key: string;
  /** The object's answer: a text/event-stream body (200), or a 429/503 with a JSON `detail`. */
  open(subscription: Subscription): Promise<Response>;
  notify(): Promise<void>;
}

/** The bindings that lead to the object; wrangler.toml declares only LIVE_TAIL. */
interface LiveTailBindings {
  /** The object's namespace, in this isolate's own runtime (Cloudflare, wrangler dev, one workerd). */
  LIVE_TAIL?: DurableObjectNamespace<LiveTail>;
  /**
   * The object in another process, over HTTP (src/live/gateway.ts): `npm run serve --workers N`
   * gives it to the serving processes, whose creates must reach the one object of the
   * deployment (scripts/serve/workerd-config.mjs). Wins over LIVE_TAIL.
   */
  LIVE_TAIL_REMOTE?: Fetcher;
}

/** The client for this isolate's bindings, or null when the live tail is not configured. */
export function liveTailClient(env: Env): LiveTailClient | null {
  const bindings = env as LiveTailBindings;
  const name = loadConfig(env).LIVE_TAIL_OBJECT;
  if (bindings.LIVE_TAIL_REMOTE) return remoteClient(bindings.LIVE_TAIL_REMOTE, name);
  if (!bindings.LIVE_TAIL) return null;
  const stub = bindings.LIVE_TAIL.get(bindings.LIVE_TAIL.idFromName(name));
  return {
    key: name,
    open: (subscription) =>
      stub.fetch('https://live-tail/open', { method: 'POST', body: JSON.stringify(subscription) }),
    notify: () => stub.notify(),
  };
}

/** The gateway's paths (src/live/gateway.ts); the object name travels with each call. */
function remoteClient(gateway: Fetcher, name: string): LiveTailClient {
  const url = (path: string) => `http://live-tail${path}?object=${encodeURIComponent(name)}`;
  return {
    key: `remote:${name}`,
    open: (subscription) => gateway.fetch(url('/open'), { method: 'POST', body: JSON.stringify(subscription) }),
    notify: async () => {
      const answer = await gateway.fetch(url('/notify'), { method: 'POST' });
      await answer.body?.cancel();
      if (!answer.ok) throw new Error(`live tail gateway: HTTP ${answer.status}`);
    },
  };
}
