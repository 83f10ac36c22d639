import { readFileSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';

/**
 * A CPU profile of the Worker's JavaScript while a scenario runs (bench --profile), through
 * workerd's V8 inspector. Self time is attributed to functions and to the source module they
 * came from: the bundle is not minified, and esbuild starts every module with a `// path`
 * comment, so a bundle line maps to its module (node_modules/pg/..., src/...).
 */
export async function startCpuProfile(inspectorPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 250 });
  await send('Profiler.start');
  return {
    async stop(bundlePath) {
      const { profile } = await send('Profiler.stop');
      socket.close();
      // The raw profile too, for a closer look (inclusive times, callers) in DevTools or a script.
      if (process.env.BENCH_PROFILE_OUT)
        writeFileSync(`${process.env.BENCH_PROFILE_OUT}-${Date.now()}.cpuprofile`, JSON.stringify(profile));
      return summarizeProfile(profile, bundlePath);
    },
  };
}

function moduleIndex(bundlePath) {
  const headers = [];
  readFileSync(bundlePath, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      const match = /^\/\/ ((?:node_modules|src|node-built-in-modules)[^\s]*)$/.exec(line);
      if (match) headers.push({ line: index, path: match[1] });
    });
  return (line) => {
    let low = 0;
    let high = headers.length - 1;
    let found = null;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (headers[mid].line <= line) {
        found = headers[mid].path;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  };
}

const packageOf = (path) => {
  if (!path) return '(runtime)';
  const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match) return match[1];
  return path.startsWith('src/') ? path.split('/').slice(0, 3).join('/') : path;
};

/** Self time by function and by package/module, in ms and % of the profiled (non-idle) time. */
export function summarizeProfile(profile, bundlePath) {
  const moduleAt = moduleIndex(bundlePath);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const functions = new Map();
  const packages = new Map();
  let busy = 0;
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') continue;
    busy += micros;
    const inBundle = callFrame.url.endsWith('index.js');
    const module = inBundle ? moduleAt(callFrame.lineNumber) : null;
    const where = module ? `${module}:${callFrame.lineNumber + 1}` : callFrame.url || '';
    const key = `${name} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + micros);
    // An anonymous function of the bundle belongs to its module; "(program)", "(garbage collector)"
    // and the like have no module and keep their own name.
    const pkg = inBundle ? packageOf(module) : name.startsWith('(') ? name : '(runtime)';
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
  }
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => ({
        name,
        ms: Math.round(micros / 100) / 10,
        pct: Math.round((micros / busy) * 1000) / 10,
      }));
  return { busy_ms: Math.round(busy / 1000), by_package: top(packages, 12), by_function: top(functions, 25) };
}
