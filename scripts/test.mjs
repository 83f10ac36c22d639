// npm test: the vitest suite (inside workerd, against a real PostgreSQL), then the browser tests
// of the console (test/browser, node:test + Debian's Chromium). Arguments go to vitest; with any,
// only vitest runs (a file or filter while iterating).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const require = createRequire(import.meta.url);
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const run = (command, commandArgs) => spawnSync(command, commandArgs, { stdio: 'inherit' }).status ?? 1;

const status = run(process.execPath, [vitest, 'run', ...args]);
if (status !== 0 || args.length > 0) process.exit(status);
process.exit(run(process.execPath, ['--test', '--test-concurrency=1', 'test/browser/*.test.mjs']));
