// npm run build:console: the static assets the Worker serves through its ASSETS binding
// (wrangler.toml [assets], directory public/). Built, never committed: npm test, npm run dev,
// npm run serve and npm run deploy run this first, so a fresh clone needs only `npm install`.
//
//   public/pyaudit/console.html            the console page, served at /pyaudit/console
//   public/pyaudit/static/console/         its bundle (Preact + uPlot + the typed client)
//   public/pyaudit/static/swagger-ui/      Swagger UI from the swagger-ui-dist package
//   public/pyaudit/static/redoc/           ReDoc's standalone bundle from the redoc package
// The versions are the ones package-lock.json pins; nothing is fetched from a CDN at run time.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'public');
const STATIC = join(OUT, 'pyaudit', 'static');
const require = createRequire(join(ROOT, 'package.json'));
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

// ReDoc's sidebar credit shows a logo from cdn.redoc.ly: the one request the docs made off this
// machine (found by the browser tests). It becomes an inline blank image; nothing else in the
// bundle names a CDN, and the build fails if that changes.
const REDOC_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const BLANK_SVG = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>').toString('base64')}`;

function copyRedoc(from, to) {
  const text = readFileSync(from, 'utf8').replaceAll(REDOC_LOGO, BLANK_SVG);
  if (/https:\/\/cdn\./.test(text)) throw new Error(`${from} names a CDN other than ${REDOC_LOGO}; keep it local`);
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, text);
}

export async function buildConsole({ quiet = false } = {}) {
  rmSync(OUT, { recursive: true, force: true });
  const swagger = packageDir('swagger-ui-dist');
  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png'])
    copy(join(swagger, file), join(STATIC, 'swagger-ui', file));
  copyRedoc(join(packageDir('redoc'), 'bundles', 'redoc.standalone.js'), join(STATIC, 'redoc', 'redoc.standalone.js'));

  const result = await build({
    entryPoints: [join(ROOT, 'console', 'src', 'main.tsx')],
    outdir: join(STATIC, 'console'),
    entryNames: 'app',
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'css' },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  mkdirSync(join(OUT, 'pyaudit'), { recursive: true });
  writeFileSync(join(OUT, 'pyaudit', 'console.html'), readFileSync(join(ROOT, 'console', 'index.html')));
  const js = readFileSync(join(STATIC, 'console', 'app.js'));
  const gzipped = gzipSync(js).length;
  if (!quiet) console.log(`console: app.js ${js.length} bytes, ${gzipped} gzipped; assets in public/`);
  return { bytes: js.length, gzipped, metafile: result.metafile };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await buildConsole();
  } catch (error) {
    console.error(`build:console failed: ${error.message}`);
    process.exit(1);
  }
}
