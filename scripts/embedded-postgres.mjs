// The embedded PostgreSQL (PGlite) used when no database is configured: `npm run dev` and
// `npm test` without DATABASE_URL. Usage: node scripts/embedded-postgres.mjs --port 0 [--data DIR]
// (no --data = in memory). Prints `READY <port>` when it accepts connections.
//
// PGlite is one session. @electric-sql/pglite-socket multiplexes clients per protocol message,
// which interleaves two clients' Parse/Bind/Execute and breaks them ("portal does not exist")
// under concurrency. This server multiplexes per unit instead: every message up to Sync (or a
// simple Query) runs without interruption, and while a client is inside a transaction the
// session is its own until the transaction ends.

import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
const UNIT_END = new Set(['S', 'Q', 'H']); // Sync, simple Query, Flush

const dataDir = arg('data');
if (dataDir) mkdirSync(dataDir, { recursive: true });
const db = await PGlite.create({ dataDir, extensions: { pg_trgm } });

// The session's owner while a transaction is open, and the units waiting to run.
let owner = null;
const waiting = [];
let running = false;

function schedule(client, messages) {
  return new Promise((resolve, reject) => {
    waiting.push({ client, messages, resolve, reject });
    void drain();
  });
}

async function drain() {
  if (running) return;
  running = true;
  try {
    while (waiting.length > 0) {
      const index = owner ? waiting.findIndex((w) => w.client === owner) : 0;
      if (index < 0) break; // the owner's next unit has not arrived yet
      const [unit] = waiting.splice(index, 1);
      try {
        const output = [];
        for (const message of unit.messages) output.push(await db.execProtocolRaw(message));
        owner = db.isInTransaction() ? unit.client : null;
        unit.resolve(Buffer.concat(output));
      } catch (error) {
        unit.reject(error);
      }
    }
  } finally {
    running = false;
  }
}

async function release(client) {
  const index = waiting.findIndex((w) => w.client === client);
  while (index >= 0 && waiting[index]?.client === client) waiting.splice(index, 1)[0].reject(new Error('closed'));
  if (owner === client) {
    await db.exec('ROLLBACK').catch(() => {});
    owner = null;
  }
  void drain();
}

const server = createServer((socket) => {
  const client = Symbol('client');
  let buffer = Buffer.alloc(0);
  let started = false;
  let unit = [];
  let chain = Promise.resolve();
  socket.setNoDelay(true);

  const run = (messages) => {
    chain = chain
      .then(() => schedule(client, messages))
      .then((out) => {
        if (out.length > 0 && socket.writable) socket.write(out);
      })
      .catch(() => socket.destroy());
  };

  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        const code = buffer.readInt32BE(4);
        if (buffer.length < length) return;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST) socket.write('N');
        else if (code === CANCEL_REQUEST) socket.end();
        else if (code === PROTOCOL_3) {
          started = true;
          run([new Uint8Array(message)]);
        } else socket.destroy();
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const type = String.fromCharCode(buffer[0]);
      const message = new Uint8Array(buffer.subarray(0, length));
      buffer = buffer.subarray(length);
      if (type === 'X') {
        socket.end();
        return;
      }
      unit.push(message);
      if (UNIT_END.has(type)) {
        run(unit);
        unit = [];
      }
    }
  });
  const close = () => void release(client);
  socket.on('close', close);
  socket.on('error', close);
});

server.listen(Number(arg('port', '0')), '127.0.0.1', () => {
  console.log(`READY ${server.address().port}`);
});

const stop = async () => {
  server.close();
  await db.close().catch(() => {});
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
