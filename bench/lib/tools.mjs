import { spawnSync } from 'node:child_process';
import { findPgbouncer } from '../../scripts/serve/pgbouncer.mjs';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

const TOOLS = {
  pgbouncer: { installed: () => findPgbouncer() !== null, apt: 'pgbouncer' },
  wrk: { installed: () => has('wrk'), apt: 'wrk' },
  pgbench: { installed: () => has('pgbench'), apt: 'postgresql' },
  psql: { installed: () => has('psql'), apt: 'postgresql-client' },
};

function apt(args) {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** Installs the missing tools with apt-get (refreshing the package lists once if needed). */
export function ensureTools(names, log) {
  const missing = names.filter((name) => !TOOLS[name].installed());
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((name) => TOOLS[name].apt))];
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    throw new Error(
      `Missing ${missing.join(', ')}; install them (Debian/Ubuntu: apt-get install -y ${packages.join(' ')})`,
    );
  }
  log(`installing ${packages.join(', ')} with apt-get...`);
  let result = apt(['install', '-y', '--no-install-recommends', ...packages]);
  if (!result.ok) {
    apt(['update']);
    result = apt(['install', '-y', '--no-install-recommends', ...packages]);
  }
  if (!result.ok) throw new Error(`apt-get install ${packages.join(' ')} failed:\n${result.output.slice(-2000)}`);
  const still = missing.filter((name) => !TOOLS[name].installed());
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}
