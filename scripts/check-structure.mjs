// npm run lint (after biome): the layout rules of docs/architecture.md that no linter knows.
//   1. Layers: nothing below the routes (src/export, live, ingest, integrity, maintenance, db,
//      lib) imports from src/routes, and src/db and src/lib import nothing from src/export (the
//      request goes down through the layers, never back up). Type-only imports count here too.
//   2. No import circles among the Worker's sources. Type-only imports (`import type`) are left
//      out: they are erased before the code runs (src/app-env.ts, the context's type, names types
//      of src/lib that in turn use AppEnv).
//   3. Every route is src/routes/<area>/<operation>.ts, and every area has its index.ts (the
//      sub-router) and schemas.ts.
//   4. One queries module per route area: src/db/queries/<area>.ts, or a folder
//      src/db/queries/<area>/ with an index.ts that the rest of the code imports (never a file
//      inside it); errors.ts (reading a failed query) is the one module shared by all.
//   5. Every route has its tests at the mirrored path: src/routes/<area>/<operation>.ts has at
//      least one test/routes/<area>/<operation>.test.ts or <operation>.<aspect>.test.ts.
// Imports are read as text: every import/export ... from '<relative>' and import('<relative>').
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
// For each folder under src/, the folders it may not import from.
const FORBIDDEN = {
  export: ['routes'],
  live: ['routes'],
  ingest: ['routes'],
  integrity: ['routes'],
  maintenance: ['routes'],
  db: ['routes', 'export'],
  lib: ['routes', 'export'],
};

const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) files.push(path);
  }
})(SRC);

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s(type\s)?[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
function resolveImport(from, specifier) {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const name = (path) => relative(ROOT, path);
const problems = [];
const graph = new Map(); // runtime imports: the circles
const everyImport = new Map(); // type-only ones too: the layers
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets = [];
  const all = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[2] ?? match[3];
    const target = resolveImport(file, specifier);
    if (!target) {
      if (!/\.(mjs|js|json|sql|css|html)$/.test(specifier)) problems.push(`${name(file)}: cannot resolve ${specifier}`);
      continue;
    }
    all.push(target);
    if (!match[1]) targets.push(target);
  }
  graph.set(file, targets);
  everyImport.set(file, all);
}

// 1. Layers.
const topFolder = (path) => relative(SRC, path).split('/')[0];
for (const [file, targets] of everyImport) {
  const forbidden = FORBIDDEN[topFolder(file)] ?? [];
  for (const target of targets) {
    if (forbidden.includes(topFolder(target)))
      problems.push(`${name(file)} imports ${name(target)}: a lower layer imports upward`);
  }
}

// 2. Circles: strongly connected components (Tarjan) of more than one module, or a self-import.
let index = 0;
const stack = [];
const state = new Map();
function connect(file) {
  const entry = { index, low: index, onStack: true };
  index++;
  state.set(file, entry);
  stack.push(file);
  for (const target of graph.get(file) ?? []) {
    const seen = state.get(target);
    if (!seen) {
      connect(target);
      entry.low = Math.min(entry.low, state.get(target).low);
    } else if (seen.onStack) {
      entry.low = Math.min(entry.low, seen.index);
    }
  }
  if (entry.low === entry.index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) {
      problems.push(`import circle: ${component.map(name).sort().join(' <-> ')}`);
    }
  }
}
for (const file of graph.keys()) if (!state.has(file)) connect(file);

// 3. Routes where docs/architecture.md says they are.
const ROUTES = join(SRC, 'routes');
for (const file of files) {
  if (!file.startsWith(`${ROUTES}/`) || !/\bdefineRoute\(\s*\{/.test(readFileSync(file, 'utf8'))) continue;
  if (file === join(ROUTES, 'define-route.ts')) continue;
  const parts = relative(ROUTES, file).split('/');
  if (parts.length !== 2 || parts[1] === 'index.ts' || parts[1] === 'schemas.ts') {
    problems.push(`${name(file)}: a route belongs in src/routes/<area>/<operation>.ts`);
  }
}
for (const area of readdirSync(ROUTES)) {
  if (!statSync(join(ROUTES, area)).isDirectory()) continue;
  for (const required of ['index.ts', 'schemas.ts']) {
    if (!existsSync(join(ROUTES, area, required))) problems.push(`src/routes/${area}: no ${required}`);
  }
}

// 4. One queries module per route area.
const QUERIES = join(SRC, 'db', 'queries');
const SHARED_QUERY_MODULES = ['errors'];
const areas = readdirSync(ROUTES).filter((area) => statSync(join(ROUTES, area)).isDirectory());
for (const entry of readdirSync(QUERIES)) {
  const folder = statSync(join(QUERIES, entry)).isDirectory();
  const area = folder ? entry : entry.replace(/\.ts$/, '');
  if (!areas.includes(area) && !SHARED_QUERY_MODULES.includes(area)) {
    problems.push(`src/db/queries/${entry}: not a route area (${areas.join(', ')}); queries go to their area's module`);
  }
  if (folder && !existsSync(join(QUERIES, entry, 'index.ts'))) problems.push(`src/db/queries/${entry}: no index.ts`);
}
const queryFolderOf = (path) => {
  const parts = relative(QUERIES, path).split('/');
  return parts.length === 2 && !parts[0].startsWith('..') ? parts[0] : null;
};
for (const [file, targets] of graph) {
  for (const target of targets) {
    const folder = queryFolderOf(target);
    if (folder && queryFolderOf(file) !== folder && !target.endsWith('/index.ts')) {
      problems.push(`${name(file)} imports ${name(target)}: import src/db/queries/${folder} (its index.ts)`);
    }
  }
}

// 5. Tests at the mirrored path.
const ROUTE_TESTS = join(ROOT, 'test', 'routes');
for (const file of files) {
  if (!file.startsWith(`${ROUTES}/`) || !/\bdefineRoute\(\s*\{/.test(readFileSync(file, 'utf8'))) continue;
  const parts = relative(ROUTES, file).split('/');
  if (parts.length !== 2) continue;
  const [area, operation] = [parts[0], parts[1].replace(/\.ts$/, '')];
  const folder = join(ROUTE_TESTS, area);
  const tests = existsSync(folder) ? readdirSync(folder) : [];
  if (
    !tests.some(
      (test) => test === `${operation}.test.ts` || (test.startsWith(`${operation}.`) && test.endsWith('.test.ts')),
    )
  ) {
    problems.push(
      `${name(file)}: no test at test/routes/${area}/${operation}.test.ts (or ${operation}.<aspect>.test.ts)`,
    );
  }
}

if (problems.length > 0) {
  console.error(`check-structure: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(
  `check-structure: ${files.length} modules, layers kept, no import circles, routes, queries and route tests in place`,
);
