import { connect } from 'cloudflare:sockets';
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';

/**
 * The Node-style socket postgres.js asks its `socket` option for, over workerd's TCP sockets.
 *
 * postgres.js's own Workers socket (postgres/cf/polyfills.js) emits 'error' when its read loop
 * fails after the connection ended, once postgres.js has removed every listener from it; an
 * 'error' nobody listens to throws, and each request's connection left an unhandled rejection
 * ("This socket has been closed."). This one reports an error only while someone listens.
 */
export function workerdSocket(host: string, port: number): EventEmitter {
  const raw = connect({ hostname: host, port });
  const writer = raw.writable.getWriter();
  const reader = raw.readable.getReader();
  const socket = Object.assign(new EventEmitter(), {
    readyState: 'open' as 'open' | 'closed',
    write(data: Uint8Array, done?: () => void) {
      writer.write(data).then(done, fail);
      return true;
    },
    end(data?: Uint8Array) {
      if (data) socket.write(data, close);
      else close();
    },
    destroy: () => close(),
  });
  const finish = () => {
    if (socket.readyState === 'closed') return;
    socket.readyState = 'closed';
    socket.emit('close');
  };
  function fail(error: unknown) {
    if (socket.readyState !== 'closed' && socket.listenerCount('error') > 0) socket.emit('error', error);
    finish();
  }
  function close() {
    raw.close().catch(() => {});
  }
  raw.closed.then(finish, fail);
  (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        socket.emit('data', Buffer.from(value));
      }
      finish();
    } catch (error) {
      fail(error);
    }
  })();
  return socket;
}
