// The app's OpenAPI document, exactly as /pyaudit/openapi.json serves it, built in Node from
// src/app.ts with esbuild (workerd-only modules and pg-cloudflare stubbed; bare imports stay external and resolve
// to node_modules). Used by `npm run console:types` and `npm run lint:openapi`.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { workerdStubs } from './workerd-stubs.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function openApiDocument() {
  // Inside the project, so the bundle's bare imports resolve to node_modules.
  const cache = join(ROOT, 'node_modules', '.cache', 'openapi-document');
  mkdirSync(cache, { recursive: true });
  const out = join(cache, `openapi-${process.pid}.mjs`);
  await build({
    entryPoints: [join(ROOT, 'src', 'app.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    plugins: [workerdStubs],
  });
  try {
    const { createApp, OPENAPI_DOCUMENT } = await import(pathToFileURL(out).href);
    return createApp().getOpenAPI31Document(OPENAPI_DOCUMENT);
  } finally {
    rmSync(out, { force: true });
  }
}
