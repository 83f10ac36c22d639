import { connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL (or pgbouncer) that records the statements clients run,
 * with their bound parameters, by reading the frontend protocol (Parse/Bind/Execute and simple
 * Query). The benchmark points a second workerd at it to learn exactly what SQL one HTTP request
 * runs, and then times that SQL alone. Bytes pass through unchanged.
 */
export async function startCaptureProxy({ targetHost, targetPort }) {
  const log = [];
  const server = createServer((client) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.pipe(client);
    const parser = frontendParser((entry) => log.push({ ...entry, at: Date.now() }));
    client.on('data', (chunk) => {
      parser(chunk);
      upstream.write(chunk);
    });
    client.on('end', () => upstream.end());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: server.address().port,
    /** Statements recorded since the last take(), after `quietMs` without new ones. */
    async take(quietMs = 300) {
      let seen = -1;
      while (seen !== log.length) {
        seen = log.length;
        await new Promise((resolve) => setTimeout(resolve, quietMs));
      }
      return log.splice(0, log.length).map(({ query, params, paramTypes }) => ({ query, params, paramTypes }));
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

function frontendParser(record) {
  let buffer = Buffer.alloc(0);
  let started = false;
  const prepared = new Map(); // statement name -> { query, paramTypes }
  let bound = null;
  const cstring = (buf, at) => {
    const end = buf.indexOf(0, at);
    return [buf.toString('utf8', at, end), end + 1];
  };
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST && code !== CANCEL_REQUEST) started = true;
        buffer = buffer.subarray(length);
        continue;
      }
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      const type = String.fromCharCode(buffer[0]);
      const body = buffer.subarray(5, 1 + length);
      buffer = buffer.subarray(1 + length);
      if (type === 'Q') {
        record({ query: cstring(body, 0)[0], params: [], paramTypes: [] });
      } else if (type === 'P') {
        const [name, afterName] = cstring(body, 0);
        const [query, afterQuery] = cstring(body, afterName);
        const count = body.readInt16BE(afterQuery);
        const paramTypes = [];
        for (let i = 0; i < count; i++) paramTypes.push(body.readInt32BE(afterQuery + 2 + i * 4));
        prepared.set(name, { query, paramTypes });
      } else if (type === 'B') {
        const [, afterPortal] = cstring(body, 0);
        const [statement, afterStatement] = cstring(body, afterPortal);
        let at = afterStatement;
        const formatCount = body.readInt16BE(at);
        const formats = [];
        for (let i = 0; i < formatCount; i++) formats.push(body.readInt16BE(at + 2 + i * 2));
        at += 2 + formatCount * 2;
        const paramCount = body.readInt16BE(at);
        at += 2;
        const params = [];
        for (let i = 0; i < paramCount; i++) {
          const size = body.readInt32BE(at);
          at += 4;
          if (size < 0) {
            params.push(null);
            continue;
          }
          const format = formats.length === 1 ? formats[0] : (formats[i] ?? 0);
          if (format !== 0) throw new Error('capture: binary parameters are not supported');
          params.push(body.toString('utf8', at, at + size));
          at += size;
        }
        bound = { ...(prepared.get(statement) ?? { query: '?', paramTypes: [] }), params };
      } else if (type === 'E' && bound) {
        record(bound);
      }
    }
  };
}
