// A TCP proxy in front of the test database that the fault tests control: cut every connection,
// refuse or hang new ones, or kill the connection that carries a given statement. Tests run
// inside workerd and cannot stop a database or spawn a process; they call this proxy's small
// HTTP control port instead. For tests only.
//
// Usage: node test/helpers/fault-proxy.mjs --target 127.0.0.1:5432
//   -> prints `READY <proxyPort>,<controlPort>`
//
// Control (POST, answers the state as JSON):
//   /up                      forward as normal (and disarm the trigger)
//   /down                    cut every open connection; new ones are accepted and closed at once
//   /hang                    cut every open connection; new ones are accepted and never answered
//   /arm?match=TEXT&skip=N&forward=0|1&after=up|down
//                            the (N+1)th client message containing TEXT kills its connection:
//                            forward=0 drops the message (the server never sees it), forward=1
//                            passes it on and cuts before any reply comes back; after=down keeps
//                            the database "dead" afterwards
//   /state                   { mode, open, accepted, fired, armed, killedPorts }
import { createServer as createHttpServer } from 'node:http';
import { createConnection, createServer } from 'node:net';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const [targetHost, targetPort] = arg('--target', '127.0.0.1:5432').split(':');

let mode = 'up';
let trigger = null;
let fired = 0;
let accepted = 0;
const pairs = new Set();
// Local ports of the server connections the trigger killed: a test finds their backends in
// pg_stat_activity (client_port) and waits until the server has finished with them.
const killedPorts = [];

function cutAll() {
  for (const pair of pairs) pair.kill();
}

const proxy = createServer((client) => {
  accepted += 1;
  client.on('error', () => {});
  if (mode === 'down') return client.destroy();
  if (mode === 'hang') {
    const pair = { kill: () => client.destroy() };
    pairs.add(pair);
    client.on('close', () => pairs.delete(pair));
    return;
  }
  const upstream = createConnection({ host: targetHost, port: Number(targetPort) });
  upstream.on('error', () => {});
  const pair = {
    kill() {
      client.destroy();
      upstream.destroy();
    },
  };
  pairs.add(pair);
  const close = () => {
    pairs.delete(pair);
    pair.kill();
  };
  client.on('close', close);
  upstream.on('close', close);
  client.on('data', (chunk) => {
    if (trigger && chunk.includes(trigger.match)) {
      if (trigger.skip > 0) {
        trigger.skip -= 1;
      } else {
        const { forward, after } = trigger;
        trigger = null;
        fired += 1;
        killedPorts.push(upstream.localPort);
        if (after === 'down') mode = 'down';
        // Forwarded: the server gets the statement and the client never hears back. The write
        // is flushed before the cut, so the server really receives it.
        if (forward) upstream.write(chunk, () => setTimeout(close, 50));
        else close();
        // Either way this client hears nothing more.
        client.pause();
        upstream.pause();
        if (after === 'down') cutAll();
        return;
      }
    }
    upstream.write(chunk);
  });
  upstream.on('data', (chunk) => client.write(chunk));
});

const state = () => ({ mode, open: pairs.size, accepted, fired, armed: trigger !== null, killedPorts });

const control = createHttpServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  switch (url.pathname) {
    case '/up':
      mode = 'up';
      trigger = null;
      break;
    case '/down':
    case '/hang':
      mode = url.pathname.slice(1);
      cutAll();
      break;
    case '/arm':
      trigger = {
        match: url.searchParams.get('match') ?? '',
        skip: Number(url.searchParams.get('skip') ?? 0),
        forward: url.searchParams.get('forward') === '1',
        after: url.searchParams.get('after') ?? 'up',
      };
      break;
    case '/state':
      break;
    default:
      response.writeHead(404).end();
      return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state()));
});

proxy.listen(0, '127.0.0.1', () => {
  control.listen(0, '127.0.0.1', () => {
    console.log(`READY ${proxy.address().port},${control.address().port}`);
  });
});

const stop = () => {
  cutAll();
  proxy.close();
  control.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
