import { WorkerEntrypoint } from 'cloudflare:workers';
import type { LiveTail } from './live-tail-object';

/**
 * The fan-out object's door for other processes. `npm run serve --workers N` runs the object in
 * a process of its own and points this entrypoint at a private Unix socket; the serving
 * processes reach it there through their LIVE_TAIL_REMOTE binding (src/live/client.ts), so every
 * create of every process notifies the same object and every stream is held by it, as on
 * Cloudflare. Not reachable from the public socket (that serves the default entrypoint).
 */
export class LiveTailGateway extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Promise<Response> {
    return serveGateway(request, this.env);
  }
}

/** POST /open (a Subscription: the object's stream), POST /notify; ?object= names the object. */
export async function serveGateway(request: Request, env: Env): Promise<Response> {
  const namespace = (env as { LIVE_TAIL?: DurableObjectNamespace<LiveTail> }).LIVE_TAIL;
  if (!namespace) return Response.json({ detail: 'Live tail gateway without a LIVE_TAIL binding' }, { status: 503 });
  const url = new URL(request.url);
  const name = url.searchParams.get('object');
  if (!name || request.method !== 'POST') return new Response('Not Found', { status: 404 });
  const stub = namespace.get(namespace.idFromName(name));
  if (url.pathname === '/notify') {
    await stub.notify();
    return new Response(null, { status: 204 });
  }
  if (url.pathname === '/open') return stub.fetch('https://live-tail/open', { method: 'POST', body: request.body });
  return new Response('Not Found', { status: 404 });
}
