#!/usr/bin/env node
// Lints the OpenAPI document exactly as the app serves it (issue 12.8): src/app.ts is bundled for
// Node with esbuild (packages stay external, resolved from node_modules), asked for
// /pyaudit/openapi.json with app.request (no database: the document needs none), written to
// node_modules/.cache/pyaudit-openapi/openapi.json, and linted by redocly with redocly.yaml.
//   npm run lint:openapi                 lint (exit code 1 on errors)
//   npm run lint:openapi -- --out FILE   only write the document to FILE
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, 'node_modules', '.cache', 'pyaudit-openapi');
mkdirSync(cache, { recursive: true });

const bundle = join(cache, 'app.mjs');
await build({
  entryPoints: [join(root, 'src', 'app.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: bundle,
  logLevel: 'warning',
});
const { createApp } = await import(`${pathToFileURL(bundle).href}?t=${Date.now()}`);
// Just enough configuration for the app to answer; the document route opens no connection.
const env = {
  HYPERDRIVE: { connectionString: 'postgres://unused@127.0.0.1:1/unused' },
  API_KEYS: 'unused',
  LOG_LEVEL: 'ERROR',
};
const response = await createApp().request('/pyaudit/openapi.json', {}, env);
if (response.status !== 200) {
  console.error(`GET /pyaudit/openapi.json answered ${response.status}: ${await response.text()}`);
  process.exit(1);
}
const text = `${JSON.stringify(await response.json(), null, 2)}\n`;

const outIndex = process.argv.indexOf('--out');
if (outIndex >= 0) {
  const out = resolve(process.argv[outIndex + 1] ?? 'openapi.json');
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
  process.exit(0);
}
const document = join(cache, 'openapi.json');
writeFileSync(document, text);
const redocly = join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const lint = spawnSync(process.execPath, [redocly, 'lint', document, '--config', join(root, 'redocly.yaml')], {
  stdio: 'inherit',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
process.exit(lint.status ?? 1);
