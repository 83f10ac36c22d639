/**
 * An esbuild plugin for bundling the Worker's code to run in Node (the OpenAPI document, the
 * benchmark's seal and verify): workerd-only modules and pg-cloudflare become stubs. pg-cloudflare's
 * Node export is empty while src/db/coalescing-socket.ts extends its socket class, and
 * src/db/workerd-socket.ts imports cloudflare:sockets' connect (never called in Node).
 */
export const workerdStubs = {
  name: 'workerd-stubs',
  setup(b) {
    b.onResolve({ filter: /^(cloudflare:|pg-cloudflare$)/ }, (args) => ({ path: args.path, namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents:
        'export class DurableObject {}\nexport class WorkerEntrypoint {}\nexport class CloudflareSocket {}\nexport function connect() {}',
    }));
  },
};
