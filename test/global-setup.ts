import { type ChildProcess, spawn } from 'node:child_process';
import type { TestProject } from 'vitest/node';

/**
 * Runs in Node before the workerd tests: databases (a fresh one on DATABASE_URL's server, or
 * embedded PGlite), the Neon WebSocket proxy, and the migrations for the migration tests.
 * Helpers are child processes: under vitest 5 this file resolves imports with browser
 * conditions, which would hand us stubs for `ws` and `net`.
 */
function start(script: string, args: string[]): Promise<{ child: ChildProcess; value: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${script} did not start in 90 s`));
    }, 90_000);
    child.stdout?.on('data', (chunk) => {
      buffer += chunk;
      const match = /READY (\S+)\n/.exec(buffer);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, value: match[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(resolve, 10_000).unref();
  });
}

type Started = Awaited<ReturnType<typeof start>>;

/**
 * Starts helpers side by side; if one fails, the others are stopped before the error is thrown,
 * so a failed setup (say, PostgreSQL out of connections) leaves no orphan holding a database.
 */
async function startAll(helpers: [script: string, args: string[]][], running: Started[]): Promise<Started[]> {
  const settled = await Promise.allSettled(helpers.map(([script, args]) => start(script, args)));
  const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all([...running, ...started].map((h) => stop(h.child)));
    throw failed.reason;
  }
  return started;
}

export default async function setup(project: TestProject) {
  const [main, lifecycle, proxy, libreoffice] = (await startAll(
    [
      ['scripts/test-database.mjs', ['main']],
      ['scripts/test-database.mjs', ['lifecycle']],
      ['scripts/neon-ws-proxy.mjs', ['--port', '0']],
      // Reads exported workbooks with LibreOffice for the tests (test/helpers/libreoffice-converter.mjs).
      ['test/helpers/libreoffice-converter.mjs', []],
    ],
    [],
  )) as [Started, Started, Started, Started];
  // The fault tests' proxy in front of the main database (test/helpers/fault-proxy.mjs).
  const mainUrl = new URL(main.value);
  const [faults] = (await startAll(
    [['test/helpers/fault-proxy.mjs', ['--target', `${mainUrl.hostname}:${mainUrl.port || 5432}`]]],
    [main, lifecycle, proxy, libreoffice],
  )) as [Started];
  const [faultProxyPort, faultControlPort] = faults.value.split(',');
  const { readMigrations } = await import('../scripts/lib/migrations.mjs');
  project.provide('databaseUrl', main.value);
  project.provide('lifecycleDatabaseUrl', lifecycle.value);
  project.provide('neonWsProxy', `127.0.0.1:${proxy.value}`);
  project.provide('embedded', !process.env.DATABASE_URL && !process.env.PG_HOST);
  project.provide('migrations', readMigrations());
  project.provide('faultProxyUrl', Object.assign(new URL(main.value), { port: faultProxyPort }).toString());
  project.provide('faultProxyControl', `http://127.0.0.1:${faultControlPort}`);
  project.provide('libreofficeConverter', libreoffice.value === 'none' ? '' : `http://127.0.0.1:${libreoffice.value}`);
  return async () => {
    await Promise.all([
      stop(main.child),
      stop(lifecycle.child),
      stop(proxy.child),
      stop(faults.child),
      stop(libreoffice.child),
    ]);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    lifecycleDatabaseUrl: string;
    neonWsProxy: string;
    embedded: boolean;
    migrations: { name: string; sql: string }[];
    faultProxyUrl: string;
    faultProxyControl: string;
    /** The LibreOffice converter's URL; empty when LibreOffice is not installed. */
    libreofficeConverter: string;
  }
}
