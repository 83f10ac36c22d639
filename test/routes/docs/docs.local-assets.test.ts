import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

/** Every script and stylesheet a page names, which must all be the Worker's own files. */
const assetsOf = (html: string) =>
  [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
    .map((m) => m[1] ?? '')
    // Inline (data:) files are part of the page; links to other pages (the docs) are not files it loads.
    .filter((url) => !url.startsWith('data:') && !/^\/pyaudit\/(docs|redoc)$/.test(url));

// SELF.fetch goes straight to the Worker; the asset router is reached through env.ASSETS.
describe("docs pages served from the Worker's own static assets (issue 13.12)", () => {
  for (const page of ['/pyaudit/docs', '/pyaudit/redoc']) {
    it(`${page} names no CDN and every file it loads is served`, async () => {
      const response = await SELF.fetch(`https://audit.test${page}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).not.toMatch(/https?:\/\//);
      const files = assetsOf(html);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect(file.startsWith('/pyaudit/static/')).toBe(true);
        const asset = await env.ASSETS.fetch(`https://audit.test${file}`);
        expect(asset.status, file).toBe(200);
        expect((await asset.arrayBuffer()).byteLength, file).toBeGreaterThan(500);
      }
    });
  }

  it("serves ReDoc's bundle without its CDN logo (the one off-machine request it made)", async () => {
    const bundle = await (await env.ASSETS.fetch('https://audit.test/pyaudit/static/redoc/redoc.standalone.js')).text();
    expect(bundle.length).toBeGreaterThan(100_000);
    expect(bundle).not.toContain('https://cdn.');
  });

  it('serves the console page and its bundle', async () => {
    const page = await env.ASSETS.fetch('https://audit.test/pyaudit/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    for (const file of assetsOf(html)) {
      const asset = await env.ASSETS.fetch(`https://audit.test${file}`);
      expect(asset.status, file).toBe(200);
      await asset.arrayBuffer();
    }
  });
});
