import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const WRANGLER = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');

/**
 * `wrangler dev` on 127.0.0.1:`port` with Hyperdrive's local connection string pointed at
 * `databaseUrl`, no telemetry and no Cloudflare fetches: the one way npm run dev and the queued
 * ingest benchmark start it. `args` are further wrangler dev arguments; `options` go to spawn
 * (cwd, stdio, detached), `options.env` on top of this process's environment.
 */
export function spawnWranglerDev({ port, databaseUrl, args = [], options = {} }) {
  const { env = {}, ...spawnOptions } = options;
  return spawn(
    process.execPath,
    [WRANGLER, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false', ...args],
    {
      ...spawnOptions,
      env: {
        ...process.env,
        CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: databaseUrl,
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        WRANGLER_SEND_METRICS: 'false',
        ...env,
      },
    },
  );
}
