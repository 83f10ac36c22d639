// The real service for browser tests and screenshots: a fresh migrated database (beside
// DATABASE_URL, or an embedded PGlite) with the sample data, the production bundle under
// `workerd serve` on a free local port, and Debian's Chromium driven by playwright-core.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { spawnReady } from '../../scripts/lib/spawn-ready.mjs';
import { loadSampleData } from '../../scripts/sample-data.mjs';
import { startService, stopChild } from '../../scripts/serve/service.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const API_KEY = `browser-test-${process.pid}`;

/** Why the browser tests cannot run here, or null. */
export const skipReason = () =>
  existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium)`;

// Flags that keep Chromium from calling home: no background networking, updates, sync or QUIC.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/**
 * Starts everything; `stop()` ends it all (browser, service, database). `now` fixes the sample
 * data's clock so the data is the same on every run.
 */
export async function startConsoleEnvironment({ now = Date.now(), viewport = { width: 1280, height: 800 } } = {}) {
  const stops = [];
  const stop = async () => {
    while (stops.length > 0)
      await stops
        .pop()()
        .catch(() => {});
  };
  try {
    const database = await spawnReady(join(ROOT, 'scripts', 'test-database.mjs'), ['browser']);
    stops.push(() => stopChild(database.child, 10_000));
    const databaseUrl = database.value;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await loadSampleData(client, { now });
    } finally {
      await client.end();
    }

    const outDir = mkdtempSync(join(tmpdir(), 'pyaudit-browser-'));
    stops.push(async () => rmSync(outDir, { recursive: true, force: true }));
    const service = await startService({
      root: ROOT,
      outDir,
      databaseUrl,
      port: await freePort(),
      env: { ...process.env, API_KEYS: API_KEY, LOG_LEVEL: 'ERROR' },
      stdio: 'ignore',
    });
    stops.push(() => service.stop());

    const profile = mkdtempSync(join(tmpdir(), 'pyaudit-chromium-'));
    stops.push(async () => rmSync(profile, { recursive: true, force: true }));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    });
    stops.push(() => context.close());
    /** Every URL the browser asked for, to prove nothing left this machine. */
    const requests = [];
    context.on('request', (request) => requests.push(request.url()));
    return { baseUrl: service.url, context, requests, databaseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The API as the test sees it (to compare what the page shows with what the service says). */
export async function apiGet(baseUrl, path, params = {}) {
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
  const response = await fetch(`${baseUrl}${path}?${qs}`, { headers: { 'CSIQ-APIKEY': API_KEY } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Requests that went anywhere but this machine (data: and about: URLs never leave it). */
export const foreignRequests = (urls) =>
  urls.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('about:') || u.startsWith('blob:')) return false;
    const host = new URL(u).hostname;
    return host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]';
  });
