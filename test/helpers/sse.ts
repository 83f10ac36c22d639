import { expect } from 'vitest';
import { BASE, call, KEY } from './app';

/** One server-sent-events frame as a client parses it. */
export interface Frame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comments: string[];
}

/** How long a test waits for a frame before failing (generous: the machine is busy). */
const WAIT_MS = 30_000;

/** Reads frames from a text/event-stream response, the way the README's fetch client does. */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private done = false;

  constructor(readonly response: Response) {
    if (!response.body) throw new Error('no body');
    this.reader = response.body.getReader();
  }

  /** The next frame, or null when the stream has ended. */
  async next(): Promise<Frame | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parseFrame(block);
      }
      if (this.done) return null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no frame within ${WAIT_MS} ms`)), WAIT_MS);
      });
      try {
        const { done, value } = await Promise.race([this.reader.read(), timeout]);
        if (done) this.done = true;
        else this.buffer += this.decoder.decode(value, { stream: true });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** The next frame with data (audit or end), skipping heartbeats and id-only frames. */
  async nextEvent(): Promise<Frame | null> {
    for (;;) {
      const frame = await this.next();
      if (frame === null || frame.data !== undefined) return frame;
    }
  }

  /** The next `count` audit events; fails on an end frame or the end of the stream. */
  async audits(count: number): Promise<{ id: string; event: Record<string, unknown> }[]> {
    const out: { id: string; event: Record<string, unknown> }[] = [];
    while (out.length < count) {
      const frame = await this.nextEvent();
      if (!frame) throw new Error(`stream ended after ${out.length} of ${count} events`);
      expect(frame.event).toBe('audit');
      out.push({ id: frame.id as string, event: JSON.parse(frame.data as string) });
    }
    return out;
  }

  /**
   * Every audit event up to and including the one with this event Id (a sentinel created last):
   * what a test compares whole, so a duplicate or an extra event fails it.
   */
  async auditsUntil(eventId: number): Promise<{ id: string; event: Record<string, unknown> }[]> {
    const out: { id: string; event: Record<string, unknown> }[] = [];
    for (;;) {
      const [received] = await this.audits(1);
      if (!received) throw new Error('no event');
      out.push(received);
      if (received.event.Id === eventId) return out;
    }
  }

  /**
   * The frames that arrive within `ms` (the stream needs a short heartbeat, so reads return):
   * for checks that something was NOT sent while a condition held.
   */
  async framesFor(ms: number): Promise<Frame[]> {
    const until = Date.now() + ms;
    const out: Frame[] = [];
    while (Date.now() < until) {
      const frame = await this.next();
      if (!frame) break;
      out.push(frame);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}

function parseFrame(block: string): Frame {
  const frame: Frame = { comments: [] };
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      frame.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'id' || name === 'event' || name === 'data' || name === 'retry') frame[name] = value;
  }
  return frame;
}

/**
 * Opens a stream (legacy test key unless `key` is given) and reads its first frame, the
 * position it starts after: events committed from here on are delivered.
 */
export async function openStream(
  params: Record<string, string | number> = {},
  options: { key?: string; headers?: Record<string, string>; overrides?: Partial<Env> } = {},
): Promise<{ stream: SseReader; start: string }> {
  const response = await streamResponse(params, options);
  if (response.status !== 200) throw new Error(`stream failed: ${response.status} ${await response.text()}`);
  const stream = new SseReader(response);
  const first = await stream.next();
  if (!first?.id) throw new Error('stream did not start with its position');
  return { stream, start: first.id };
}

export function streamResponse(
  params: Record<string, string | number> = {},
  options: { key?: string; headers?: Record<string, string>; overrides?: Partial<Env> } = {},
): Promise<Response> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return call(
    `${BASE}/stream?${qs}`,
    { headers: { 'CSIQ-APIKEY': options.key ?? KEY, ...options.headers } },
    options.overrides,
  );
}
