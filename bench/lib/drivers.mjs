import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { stopChild } from '../../scripts/serve/service.mjs';

/**
 * The database drivers the bench can serve with (--driver), each through the same pgbouncer:
 * node-postgres and postgres.js over the Hyperdrive binding (a TCP socket, as Hyperdrive gives
 * them in production), and Neon's serverless driver, which speaks WebSocket, through the local
 * WebSocket-to-TCP proxy (scripts/neon-ws-proxy.mjs) in front of the pool.
 */
export const DRIVERS = {
  pg: 'hyperdrive',
  postgres: 'postgres-js',
  neon: 'neon',
};

/**
 * What the services need to run on `driver`: the Worker's DB_DRIVER, and for Neon a proxy started
 * here. `serviceOptions(databaseUrl)` gives startService's env additions, extra vars and outbound
 * network for a service whose database is `databaseUrl` (the pool, or the capture proxy).
 */
export async function prepareDriver({ driver, root }) {
  const name = DRIVERS[driver];
  if (!name) throw new Error(`--driver must be one of ${Object.keys(DRIVERS).join(', ')}`);
  if (name !== 'neon') {
    return { serviceOptions: () => ({ env: { DB_DRIVER: name } }), stop: async () => {} };
  }
  const proxy = spawn(process.execPath, [join(root, 'scripts', 'neon-ws-proxy.mjs'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    proxy.on('exit', (code) => reject(new Error(`neon-ws-proxy exited with ${code}`)));
    proxy.stdout.on('data', (chunk) => {
      const ready = /READY (\d+)/.exec(String(chunk));
      if (ready) resolve(Number(ready[1]));
    });
  });
  return {
    serviceOptions: (databaseUrl) => ({
      env: { DB_DRIVER: name, NEON_DATABASE_URL: databaseUrl },
      extraVars: { NEON_LOCAL_WS_PROXY: `127.0.0.1:${port}` },
      // workerd's default network reaches public addresses only: "connecting to 127.0.0.1:… is
      // not allowed" without this.
      outboundAllow: ['public', 'private', 'local'],
    }),
    stop: () => stopChild(proxy),
  };
}
