import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative } from 'node:path';

const MODULE_TYPES = {
  '.js': 'esModule',
  '.mjs': 'esModule',
  '.cjs': 'commonJsModule',
  '.wasm': 'wasm',
  '.bin': 'data',
  '.txt': 'text',
  '.html': 'text',
};

/**
 * Builds the Worker exactly as `wrangler deploy` would upload it (bundling, [alias],
 * nodejs_compat polyfills), into outDir, and lists the modules of the bundle.
 */
export async function buildBundle(root, outDir) {
  rmSync(outDir, { recursive: true, force: true });
  const wrangler = join(
    dirname(createRequire(join(root, 'package.json')).resolve('wrangler/package.json')),
    'bin',
    'wrangler.js',
  );
  const output = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outDir], {
      cwd: root,
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
    });
    child.stderr.on('data', (chunk) => {
      text += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrangler build failed:\n${text}`))));
  });
  return { modules: listModules(outDir), output };
}

/** Bundle files in outDir as workerd modules; the entry (index.js) first, source maps left out. */
export function listModules(outDir) {
  const files = readdirSync(outDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(outDir, join(entry.parentPath, entry.name)))
    .filter((file) => MODULE_TYPES[extname(file)] !== undefined)
    .sort((a, b) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b)));
  if (files[0] !== 'index.js') throw new Error(`No index.js in ${outDir}; was the bundle built?`);
  return files.map((file) => ({ name: file, path: file, type: MODULE_TYPES[extname(file)] }));
}
