// npm run lint:openapi: lints the service's OpenAPI document (the one /pyaudit/openapi.json
// serves, built by scripts/lib/openapi-document.mjs) with Redocly's recommended rules
// (redocly.yaml). Exit code 1 on errors; warnings are printed. `-- --out FILE` only writes the
// document to FILE.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from './lib/openapi-document.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const text = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;

const outIndex = process.argv.indexOf('--out');
if (outIndex >= 0) {
  const out = resolve(process.argv[outIndex + 1] ?? 'openapi.json');
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
  process.exit(0);
}
const cache = join(ROOT, 'node_modules', '.cache', 'openapi-document');
mkdirSync(cache, { recursive: true });
const file = join(cache, 'openapi.json');
writeFileSync(file, text);
const redocly = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const lint = spawnSync(process.execPath, [redocly, 'lint', file, '--config', join(ROOT, 'redocly.yaml')], {
  stdio: 'inherit',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
process.exit(lint.status ?? 1);
