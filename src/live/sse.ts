import { concatBytes } from '../lib/bytes';

/**
 * Server-sent events framing (text/event-stream). Every frame is one UTF-8 chunk ending in a
 * blank line; JSON.stringify never writes a raw newline, so `data:` is always a single line.
 */
const encoder = new TextEncoder();

/** Reconnect delay a client should use (EventSource honours it; the README's client too). */
export const RETRY_MS = 2000;

/** First frame: the reconnect delay and the position the stream starts after (id without data). */
export const openFrame = (position: string) => encoder.encode(`retry: ${RETRY_MS}\nid: ${position}\n\n`);

export const auditFrame = (position: string, json: string) =>
  encoder.encode(`id: ${position}\nevent: audit\ndata: ${json}\n\n`);

/** A comment line: ignored by clients, keeps proxies from closing an idle connection. */
export const heartbeatFrame = () => encoder.encode(`: keep-alive ${new Date().toISOString()}\n\n`);

/**
 * Several frames as one chunk: what one tick has for one stream is written once. Each chunk
 * crosses the object's stream, the route's relay and the socket one at a time, a trip through the
 * isolate's event loop for each; one chunk per event made a single busy stream fall seconds
 * behind on the loaded benchmark machine (docs/live-tail.md).
 */
export function joinFrames(frames: Uint8Array[]): Uint8Array {
  return frames.length === 1 ? (frames[0] as Uint8Array) : concatBytes(frames);
}

export type EndReason = 'revoked' | 'restart' | 'slow-consumer' | 'error';

/** Last frame before the server closes the stream on purpose: why, and that a reconnect resumes. */
export const endFrame = (reason: EndReason) =>
  encoder.encode(`event: end\ndata: ${JSON.stringify({ reason, reconnect: reason !== 'revoked' })}\n\n`);
