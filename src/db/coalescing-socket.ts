import type { EventEmitter } from 'node:events';
import * as pgCloudflare from 'pg-cloudflare';
import { concatBytes } from '../lib/bytes';

type WriteCallback = (error?: unknown) => void;

interface CloudflareSocketLike extends EventEmitter {
  // pg-cloudflare's fields and read loop (not in its types; see listen() below).
  _cfSocket: { readable: ReadableStream<Uint8Array> } | null;
  _cfReader: { releaseLock(): void } | null;
  _listen(): Promise<void>;
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
 * Bytes asked for per read of the database's answer. workerd's default reader hands a socket's
 * bytes over 4 KiB at a time: a 500-event page (~290 KB) took ~75 reads, each a promise, a copy
 * (pg-cloudflare's Buffer.from) and, for the protocol message split by the chunk's end, a merge
 * copy in pg's parser. A read of up to 64 KiB returns what has arrived: ~5 reads for that page.
 */
export const READ_CHUNK_BYTES = 64 * 1024;

/**
 * pg-cloudflare's socket, but the writes made in one turn of the event loop go out as one write,
 * and the answers come in reads of up to READ_CHUNK_BYTES instead of 4 KiB.
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

  /**
   * pg-cloudflare's read loop (started after connecting, and again after a TLS upgrade) with a
   * BYOB reader: each read fills a fresh buffer of READ_CHUNK_BYTES with what has arrived, and
   * the bytes go to node-postgres without a copy. A fresh buffer each time, because pg's parser
   * keeps the unparsed tail of a chunk (and may write into it), and a BYOB read detaches the
   * whole ArrayBuffer it reads into. A stream without BYOB support keeps pg-cloudflare's loop.
   */
  override async _listen(): Promise<void> {
    const readable = this._cfSocket?.readable;
    let reader: ReadableStreamBYOBReader;
    try {
      if (!readable) throw new Error('no socket');
      this._cfReader?.releaseLock();
      reader = readable.getReader({ mode: 'byob' });
    } catch {
      if (readable && !readable.locked) this._cfReader = readable.getReader();
      return super._listen();
    }
    this._cfReader = reader;
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(READ_CHUNK_BYTES));
      if (done) return;
      this.emit('data', Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  }

  /** The one write to workerd's socket for a turn's messages. */
  protected send(bytes: Uint8Array, done: WriteCallback): void {
    super.write(bytes, done);
  }
}
