// A local WebSocket-to-TCP proxy speaking the Neon serverless driver's protocol, so the Neon
// path runs against a local PostgreSQL: ws://127.0.0.1:PORT/v1?address=host:port, each binary
// message carries raw PostgreSQL protocol bytes. For tests and local work only.
// Usage: node scripts/neon-ws-proxy.mjs --port 0   -> prints `READY <port>`
import { createConnection } from 'node:net';
import { WebSocketServer } from 'ws';

const i = process.argv.indexOf('--port');
const wss = new WebSocketServer({ host: '127.0.0.1', port: i >= 0 ? Number(process.argv[i + 1]) : 0 });

wss.on('connection', (ws, request) => {
  const address = new URL(request.url ?? '/', 'http://localhost').searchParams.get('address') ?? '';
  const [host, port] = address.split(':');
  const socket = createConnection({ host, port: Number(port) });
  const pending = [];
  socket.on('connect', () => {
    for (const chunk of pending.splice(0)) socket.write(chunk);
  });
  ws.on('message', (data) => {
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (socket.connecting) pending.push(chunk);
    else socket.write(chunk);
  });
  socket.on('data', (data) => ws.readyState === ws.OPEN && ws.send(data));
  socket.on('close', () => ws.close());
  socket.on('error', () => ws.close());
  ws.on('close', () => socket.destroy());
  ws.on('error', () => socket.destroy());
});

wss.on('listening', () => console.log(`READY ${wss.address().port}`));
const stop = () => wss.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
