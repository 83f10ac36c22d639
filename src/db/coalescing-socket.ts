import type { EventEmitter } from 'node:events';
import * as pgCloudflare from 'pg-cloudflare';
import { concatBytes } from '../lib/bytes';

type WriteCallback = (error?: unknown) => void;

interface CloudflareSocketLike extends EventEmitter {
  write(
    data: Uint8Array | string,
    encodingOrCallback?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): unknown;
}

// pg-cloudflare's types describe the module Node gets (empty); a Worker's bundle resolves its
// "workerd" export, the socket node-postgres itself uses there.
const { CloudflareSocket } = pgCloudflare as unknown as {
  CloudflareSocket: new (ssl: boolean) => CloudflareSocketLike;
};

/**
 * pg-cloudflare's socket, but the writes made in one turn of the event loop go out as one write.
 * node-postgres writes every protocol message on its own (Parse, Bind, Describe, Execute, Sync:
 * five writes a query; startup, Terminate), and each write is a trip through workerd's socket
 * and, for PostgreSQL, a separate read of the next message ("ClientRead"). The messages of one
 * query are written synchronously one after another, so a microtask sees them all.
 * Order is kept: every write, also end()'s Terminate, goes through the same queue.
 */
export class CoalescingSocket extends CloudflareSocket {
  private pending: Uint8Array[] = [];
  private callbacks: WriteCallback[] = [];
  private flushQueued = false;

  override write(data: Uint8Array | string, callback?: WriteCallback): true;
  override write(data: Uint8Array | string, encoding?: BufferEncoding, callback?: WriteCallback): true;
  override write(
    data: Uint8Array | string,
    encodingOrCallback?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): true {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : 'utf8';
    const bytes = typeof data === 'string' ? Buffer.from(data, encoding) : data;
    if (bytes.length > 0) this.pending.push(bytes);
    // An empty write (end() without data) still waits for the writes before it: end() closes
    // the socket from this callback.
    if (done) this.callbacks.push(done);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  private flush(): void {
    this.flushQueued = false;
    const parts = this.pending;
    const callbacks = this.callbacks;
    this.pending = [];
    this.callbacks = [];
    const answer = (error?: unknown) => {
      for (const done of callbacks) done(error);
    };
    if (parts.length === 0) {
      answer();
      return;
    }
    const bytes = parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts);
    try {
      this.send(bytes, answer);
    } catch (error) {
      // The synchronous throw of a write on a socket already gone would otherwise escape the
      // microtask; node-postgres learns of it as a socket error, as it would have from write().
      answer(error);
      this.emit('error', error);
    }
  }

  /** The one write to workerd's socket for a turn's messages. */
  protected send(bytes: Uint8Array, done: WriteCallback): void {
    super.write(bytes, done);
  }
}
