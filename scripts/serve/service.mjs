import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildConsole } from '../build-console.mjs';
import { waitUntilServing } from '../lib/wait-until-serving.mjs';
import { buildBundle, listModules } from './build.mjs';
import { renderWorkerdConfig } from './workerd-config.mjs';
import { readSecretNames, readWranglerConfig } from './wrangler-config.mjs';

/** The workerd binary that wrangler and the tests use (the `workerd` npm package). */
export function workerdBinary(root) {
  return createRequire(join(root, 'package.json'))('workerd').default;
}

/** postgres://user:password@host:port/database -> the parts a Hyperdrive binding takes. */
export function hyperdriveTarget(url) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    user: decodeURIComponent(u.username) || 'postgres',
    // The binding needs a password even when the server trusts local connections.
    password: decodeURIComponent(u.password) || 'local',
  };
}

/**
 * Writes the workerd config for the bundle in outDir: wrangler.toml's [vars], each overridden
 * by an environment variable of the same name, plus `extraVars` (bindings wrangler.toml does not
 * declare, e.g. the Neon driver's local WebSocket proxy for the bench); the secrets of .dev.vars.example that are set in
 * the environment (read by workerd at run time, not written to disk); every Hyperdrive binding
 * pointed at `databaseUrl`. The file holds the database password, so it is private (0600).
 */
export function writeWorkerdConfig({
  root,
  outDir,
  databaseUrl,
  host,
  port,
  env = process.env,
  configName = 'workerd.capnp',
  extraVars = {},
  outboundAllow,
  liveTail,
}) {
  const wrangler = readWranglerConfig(root);
  const vars = {
    ...Object.fromEntries(Object.entries(wrangler.vars).map(([name, value]) => [name, env[name] ?? value])),
    ...extraVars,
  };
  const secrets = readSecretNames(root).filter((name) => env[name] !== undefined && !(name in vars));
  const target = hyperdriveTarget(databaseUrl);
  const configPath = join(outDir, configName);
  // The shim keeps a name listModules() does not pick up as a module of the Worker itself.
  const assetsDirectory = join(root, 'public');
  const assets = existsSync(assetsDirectory) ? { directory: assetsDirectory, shim: 'assets-shim.worker' } : undefined;
  if (assets) copyFileSync(new URL('./assets-shim.js', import.meta.url), join(outDir, assets.shim));
  writeFileSync(
    configPath,
    renderWorkerdConfig({
      modules: listModules(outDir),
      compatibilityDate: wrangler.compatibilityDate,
      compatibilityFlags: wrangler.compatibilityFlags,
      vars,
      secrets,
      hyperdrives: wrangler.hyperdriveBindings.map((binding) => ({ binding, ...target })),
      durableObjects: wrangler.durableObjects,
      outboundAllow,
      address: `${host}:${port}`,
      assets,
      liveTail,
    }),
    { mode: 0o600 },
  );
  chmodSync(configPath, 0o600);
  return { configPath, vars, secrets };
}

/** The wrangler.toml binding of the live tail's fan-out object (docs/live-tail.md). */
const LIVE_TAIL_BINDING = 'LIVE_TAIL';

/** The live tail object's process: its own config beside the serving one, and its private socket. */
function liveTailPaths(outDir, configName = 'workerd.capnp') {
  const base = configName.replace(/\.capnp$/, '');
  return { configName: `${base}-live-tail.capnp`, socket: join(outDir, `${base}-live-tail.sock`) };
}

/**
 * Starts the process that holds the live tail's object and waits until its gateway answers on
 * the Unix socket (an unknown path: 404, without touching the object).
 */
async function startLiveTailProcess({ root, outDir, configPath, socket, env, stdio, inspectorPort }) {
  rmSync(socket, { force: true }); // left by a process that was killed
  const args = ['serve', configPath, '--verbose'];
  if (inspectorPort) args.push(`--inspector-addr=127.0.0.1:${inspectorPort}`);
  const child = spawn(workerdBinary(root), args, {
    cwd: outDir,
    env: { ...env, PWD: outDir },
    stdio: ['ignore', stdio, stdio],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd (live tail) exited with code ${child.exitCode}`);
    if (await answersOnSocket(socket)) return child;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`workerd (live tail) did not answer on ${socket} within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function answersOnSocket(socketPath) {
  return new Promise((resolve) => {
    const request = httpRequest({ socketPath, path: '/ready', method: 'GET', timeout: 2000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
    request.end();
  });
}

/** A listening socket made here, so several workerd processes can accept on the same port. */
function listenSocket(host, port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => resolve(server));
  });
}

/**
 * Builds (unless build = false), configures and starts `workerd serve`; resolves once it answers
 * HTTP. stdio: where workerd's output (the Worker's JSON log lines) goes, as for spawn().
 *
 * workers > 1 starts that many workerd processes on one port: one workerd runs the Worker's
 * JavaScript on a single thread (like one isolate), so this is how a machine with more cores
 * serves more. The socket is bound here and handed to each process (--socket-fd), the kernel
 * spreads connections between them; this process then closes its own copy and never accepts.
 *
 * liveProcess (default: workers > 1) runs the live tail's object in one more workerd process of
 * its own, reached by every serving process over a private Unix socket (src/live/gateway.ts):
 * one object for the deployment, as on Cloudflare, whichever process takes a create or a stream.
 */
export async function startService({
  root,
  outDir,
  databaseUrl,
  host = '127.0.0.1',
  port = 8787,
  workers = 1,
  build = true,
  env = process.env,
  stdio = 'inherit',
  configName,
  inspectorPort,
  extraVars,
  outboundAllow,
  liveInspectorPort,
  liveProcess = workers > 1,
  onBuilt = () => {},
}) {
  if (build) {
    await buildConsole({ quiet: true });
    await buildBundle(root, outDir);
    onBuilt();
  }
  const live = liveProcess ? liveTailPaths(outDir, configName) : null;
  const liveTail = (role) => (live ? { role, socket: live.socket, binding: LIVE_TAIL_BINDING } : undefined);
  // The serving processes and the live tail's object process run the same bundle and settings;
  // only the config's name and the live tail's role differ.
  const configFor = (name, role) =>
    writeWorkerdConfig({
      root,
      outDir,
      databaseUrl,
      host,
      port,
      env,
      configName: name,
      extraVars,
      outboundAllow,
      liveTail: liveTail(role),
    }).configPath;
  const configPath = configFor(configName, 'front');
  const liveChild = live
    ? await startLiveTailProcess({
        root,
        outDir,
        configPath: configFor(live.configName, 'object'),
        socket: live.socket,
        env,
        stdio,
        inspectorPort: liveInspectorPort,
      })
    : null;
  const shared = workers > 1 ? await listenSocket(host, port) : null;
  const children = [];
  for (let i = 0; i < workers; i++) {
    const args = ['serve', configPath, '--verbose'];
    if (shared) args.push('--socket-fd', 'http=3');
    // The V8 inspector (CPU profiles) of the first process only.
    if (inspectorPort && i === 0) args.push(`--inspector-addr=127.0.0.1:${inspectorPort}`);
    children.push(
      spawn(workerdBinary(root), args, {
        cwd: outDir,
        env: { ...env, PWD: outDir },
        stdio: ['ignore', stdio, stdio, ...(shared ? [shared._handle.fd] : [])],
      }),
    );
  }
  shared?.close();
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  // The object's process last: the serving processes' streams end before the object does.
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    if (liveChild) await stopChild(liveChild);
  };
  try {
    await Promise.all(children.map((child) => waitUntilServing({ url, child, timeoutMs: 60_000, name: 'workerd' })));
  } catch (error) {
    await stop();
    throw error;
  }
  const all = liveChild ? [...children, liveChild] : children;
  return {
    child: children[0],
    // Every process, the object's too: a caller that watches or measures them gets them all.
    children: all,
    pid: children[0].pid,
    pids: all.map((child) => child.pid),
    livePid: liveChild?.pid ?? null,
    liveInspectorPort: liveChild ? liveInspectorPort : undefined,
    inspectorPort,
    url,
    stop,
  };
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
export function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
