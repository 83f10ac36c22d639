import { endFrame } from './sse';

/**
 * The fan-out object's stream, passed on to the client. If the object's side breaks (the object
 * was restarted, e.g. by a deploy), the client still gets a clean ending: an `end` frame saying
 * to reconnect, then the close; it resumes with Last-Event-ID and misses nothing. A client that
 * goes away cancels the object's stream, which then drops it on the next write.
 */
export function relay(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        controller.enqueue(endFrame('restart'));
        controller.close();
      }
    },
    cancel(reason) {
      return reader.cancel(reason).catch(() => {});
    },
  });
}
