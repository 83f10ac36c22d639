// The asset router of `npm run serve`: workerd has no [assets] support, so this small Worker sits
// in front of the service, answering GET/HEAD for files under public/ (through a disk service)
// the way Cloudflare's asset router does for this project: /pyaudit/api/* always goes to the
// Worker, `/x` serves `x.html`, anything without a file falls through to the Worker.
const TYPES = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  png: 'image/png',
  svg: 'image/svg+xml',
  json: 'application/json',
  map: 'application/json',
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const readable = request.method === 'GET' || request.method === 'HEAD';
    if (readable && !url.pathname.startsWith('/pyaudit/api/') && !url.pathname.includes('..')) {
      const last = url.pathname.split('/').pop() ?? '';
      const candidates = last.includes('.') ? [url.pathname] : last ? [`${url.pathname}.html`] : [];
      for (const path of candidates) {
        const file = await env.DISK.fetch(new URL(path, 'http://disk/'), { method: request.method });
        if (file.ok) {
          const type = TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream';
          return new Response(file.body, { headers: { 'content-type': type, 'cache-control': 'no-cache' } });
        }
      }
    }
    return env.WORKER.fetch(request);
  },
};
