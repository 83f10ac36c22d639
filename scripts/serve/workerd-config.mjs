/**
 * Renders the workerd config (Cap'n Proto text) that serves the built bundle: one Worker, its
 * text bindings, secrets taken from the environment at run time, and Hyperdrive bindings whose
 * connections go straight to a PostgreSQL (or pgbouncer) address over TCP.
 */

/** A Cap'n Proto text literal. */
const text = (value) =>
  `"${String(value)
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')}"`;

/**
 * @param {object} options
 * @param {{ name: string, path: string, type: 'esModule' | 'commonJsModule' | 'wasm' | 'data' | 'text' }[]} options.modules
 *   bundle files; paths relative to the config file (embed resolves them from there)
 * @param {string} options.compatibilityDate
 * @param {string[]} options.compatibilityFlags
 * @param {Record<string, string>} options.vars plain-text bindings, written into the config
 * @param {string[]} options.secrets bindings read from the environment variable of the same name
 * @param {{ binding: string, host: string, port: number, database: string, user: string, password: string }[]} options.hyperdrives
 * @param {string} options.address host:port to listen on
 * @param {{ directory: string, shim: string }} [options.assets] static files (absolute directory)
 *   served in front of the Worker by the shim Worker (path relative to the config file)
 * @param {string[]} [options.outboundAllow] when set, the Worker's outbound network (fetch,
 *   WebSockets): an `internet` service allowing these address classes. Unset, workerd's default
 *   reaches public addresses only; the Neon driver's local WebSocket proxy (bench, tests) is on
 *   127.0.0.1, a "local" address.
 * @param {{ binding: string, className: string }[]} [options.durableObjects] Durable Object
 *   namespaces of wrangler.toml, implemented by classes the bundle exports; their storage is in
 *   memory (the live tail's object keeps nothing; a restart ends its streams, clients resume)
 * @param {{ role: 'front' | 'object', socket: string, binding: string }} [options.liveTail] the
 *   live tail's object in a process of its own (`--workers N`, docs/self-hosting.md): 'object' is
 *   that process, serving only the LiveTailGateway entrypoint (src/live/gateway.ts) on the Unix
 *   socket `socket`; 'front' is a serving process, whose `binding` namespace is replaced by a
 *   LIVE_TAIL_REMOTE service binding to that socket. Without it, the process holds its own object.
 */
export function renderWorkerdConfig(options) {
  const services = ['(name = "main", worker = .pyauditWorker)'];
  const bindings = [];
  for (const [name, value] of Object.entries(options.vars))
    bindings.push(`(name = ${text(name)}, text = ${text(value)})`);
  for (const name of options.secrets) bindings.push(`(name = ${text(name)}, fromEnvironment = ${text(name)})`);
  options.hyperdrives.forEach((h, i) => {
    const service = `postgres-${i}`;
    services.push(`(name = ${text(service)}, external = (address = ${text(`${h.host}:${h.port}`)}, tcp = ()))`);
    bindings.push(
      `(name = ${text(h.binding)}, hyperdrive = (designator = ${text(service)}, database = ${text(h.database)}, ` +
        `user = ${text(h.user)}, password = ${text(h.password)}, scheme = "postgres"))`,
    );
  });
  if (options.outboundAllow) {
    // The service named "internet" is every Worker's globalOutbound unless it names another.
    services.push(
      `(name = "internet", network = (allow = [${options.outboundAllow.map(text).join(', ')}], ` +
        'tlsOptions = (trustBrowserCas = true)))',
    );
  }
  const liveTail = options.liveTail;
  // A serving process beside the object's process reaches the object over its socket instead.
  const durableObjects = (options.durableObjects ?? []).filter(
    (d) => liveTail?.role !== 'front' || d.binding !== liveTail.binding,
  );
  if (liveTail?.role === 'front') {
    services.push(`(name = "live-tail", external = (address = ${text(`unix:${liveTail.socket}`)}, http = ()))`);
    bindings.push('(name = "LIVE_TAIL_REMOTE", service = "live-tail")');
  }
  for (const d of durableObjects)
    bindings.push(`(name = ${text(d.binding)}, durableObjectNamespace = ${text(d.className)})`);
  let entry = 'main';
  if (options.assets && liveTail?.role !== 'object') {
    entry = 'assets';
    services.push(`(name = "assets-disk", disk = (path = ${text(options.assets.directory)}, writable = false))`);
    services.push(
      `(name = "assets", worker = (modules = [(name = "assets-shim.js", esModule = embed ${text(options.assets.shim)})], ` +
        `compatibilityDate = ${text(options.compatibilityDate)}, ` +
        `bindings = [(name = "DISK", service = "assets-disk"), (name = "WORKER", service = "main")]))`,
    );
  }
  const modules = options.modules.map((m) => `(name = ${text(m.name)}, ${m.type} = embed ${text(m.path)})`);
  const list = (items, indent) => items.map((item) => `${indent}${item},`).join('\n');
  // One namespace per class; the unique key is stable so object ids mean the same after a restart.
  const namespaces = [...new Set(durableObjects.map((d) => d.className))].map(
    (className) => `(className = ${text(className)}, uniqueKey = ${text(`pyaudit-${className}`)})`,
  );
  // The object's process has no public socket: only the gateway, on a socket only this machine's
  // processes (with the file's permissions) can open.
  const socket =
    liveTail?.role === 'object'
      ? `(name = "live-tail", address = ${text(`unix:${liveTail.socket}`)}, http = (), service = (name = "main", entrypoint = "LiveTailGateway"))`
      : `(name = "http", address = ${text(options.address)}, http = (), service = ${text(entry)})`;
  const durable = namespaces.length
    ? `\n  durableObjectNamespaces = [\n${list(namespaces, '    ')}\n  ],\n  durableObjectStorage = (inMemory = void),`
    : '';
  return `# Generated by scripts/serve.mjs from wrangler.toml and the environment; do not edit.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
${list(services, '    ')}
  ],
  sockets = [${socket}],
);

const pyauditWorker :Workerd.Worker = (
  modules = [
${list(modules, '    ')}
  ],
  compatibilityDate = ${text(options.compatibilityDate)},
  compatibilityFlags = [${options.compatibilityFlags.map(text).join(', ')}],
  bindings = [
${list(bindings, '    ')}
  ],${durable}
);
`;
}
