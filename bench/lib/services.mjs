// What the HTTP scenarios run against: pgbouncer in front of the benchmark database, the built
// bundle under workerd, a second workerd whose database traffic goes through the capture proxy
// (the statements one request sends), and one admin connection for the benchmark's look-ups.
// Each registers its stop with onCleanup.
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { buildConsole } from '../../scripts/build-console.mjs';
import { buildBundle } from '../../scripts/serve/build.mjs';
import { startPgbouncer } from '../../scripts/serve/pgbouncer.mjs';
import { startService } from '../../scripts/serve/service.mjs';
import { startCaptureProxy } from './capture-proxy.mjs';
import { onCleanup } from './cleanup.mjs';
import { prepareDriver } from './drivers.mjs';
import { freePort } from './ports.mjs';

/** Starts everything; returns the scenarios' context (ctx) and what the live tail reuses. */
export async function startServices({ root, work, server, databaseName, benchUrl, args, settings, log }) {
  const pool = await startPgbouncer({
    serverUrl: benchUrl,
    workDir: join(work, 'pgbouncer'),
    listenPort: await freePort(),
    poolSize: settings.poolSize,
  });
  onCleanup('pgbouncer', pool.stop);
  const poolUrl = new URL(benchUrl);
  poolUrl.hostname = pool.host;
  poolUrl.port = String(pool.port);

  const apiKey = `bench-${randomBytes(12).toString('hex')}`;
  const outDir = join(work, 'dist');
  if (args['no-build']) log('serving the bundle already in bench/.work/dist (--no-build)');
  else {
    log('building the bundle (wrangler deploy --dry-run)...');
    // The bundle's static assets (docs pages, console) come from public/, which a fresh clone
    // has not built yet: without it wrangler refuses to build at all.
    await buildConsole({ quiet: true });
    await buildBundle(root, outDir);
  }
  const driver = await prepareDriver({ driver: args.driver, root });
  onCleanup('driver', driver.stop);
  log(`driver: ${args.driver}`);
  // The live tail scenario opens 200 streams with the one benchmark key.
  const env = { ...process.env, API_KEYS: apiKey, LOG_LEVEL: args['log-level'], LIVE_TAIL_MAX_STREAMS_PER_KEY: '1000' };
  /** startService's database options for a service whose database is `url`, on the chosen driver. */
  const onDriver = (url, baseEnv = env) => {
    const { env: driverEnv, ...rest } = driver.serviceOptions(url);
    return { databaseUrl: url, env: { ...baseEnv, ...driverEnv }, ...rest };
  };
  const inspectorPort = args.profile ? await freePort() : undefined;
  const service = await startService({
    root,
    outDir,
    ...onDriver(poolUrl.toString()),
    port: await freePort(),
    workers: settings.workers,
    inspectorPort,
    build: false,
    stdio: openSync(join(work, 'workerd.log'), 'w'),
  });
  onCleanup('workerd', service.stop);

  const capture = await startCaptureService({ root, work, outDir, onDriver, benchUrl, pool });

  // One connection for the benchmark's own look-ups (which backends serve the benchmark database).
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  onCleanup('admin connection', () => admin.end());
  log(
    `service ${service.url} (workerd pid ${service.pids.join(' ')}), pgbouncer ${pool.host}:${pool.port} (pid ${pool.pid})`,
  );
  const ctx = { apiKey, service, pool, admin, inspectorPort, databaseName, databaseUrl: benchUrl, capture };
  return { ctx, poolUrl, outDir, env, onDriver };
}

/** A second workerd, the same bundle, whose database traffic goes through the capture proxy. */
async function startCaptureService({ root, work, outDir, onDriver, benchUrl, pool }) {
  const proxy = await startCaptureProxy({ targetHost: pool.host, targetPort: pool.port });
  onCleanup('capture proxy', proxy.stop);
  const captureUrl = new URL(benchUrl);
  captureUrl.hostname = proxy.host;
  captureUrl.port = String(proxy.port);
  const captureService = await startService({
    root,
    outDir,
    ...onDriver(captureUrl.toString()),
    port: await freePort(),
    build: false,
    configName: 'workerd-capture.capnp',
    stdio: openSync(join(work, 'workerd-capture.log'), 'w'),
  });
  onCleanup('workerd (capture)', captureService.stop);
  return { url: captureService.url, proxy };
}
