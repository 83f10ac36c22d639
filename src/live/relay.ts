import { endFrame } from './sse';

/**
 * The fan-out object's stream, passed on to the client. If the object's side breaks (the object
 * was restarted, e.g. by a deploy), the client still gets a clean ending: an `end` frame saying
 * to reconnect, then the close; it resumes with Last-Event-ID and misses nothing. A client that
 * goes away cancels the object's stream, which then drops it.
 *
 * The frames are piped by the runtime, stream to stream, without a turn through JavaScript per
 * chunk (a JS `pull` per chunk was a serving process's cost for every stream and tick,
 * docs/live-tail.md). `preventAbort` keeps the client's side open when the object's side breaks,
 * so the `end` frame can still be written. The pipe lives as long as the response it feeds (not
 * in waitUntil: that would hold the request until the stream ends).
 */
export function relay(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream();
  body
    .pipeTo(writable, { preventAbort: true })
    .catch(async () => {
      // The object's side broke, or the client went away (then these writes fail: nothing to do).
      const writer = writable.getWriter();
      await writer.write(endFrame('restart'));
      await writer.close();
    })
    .catch(() => {});
  return readable;
}
