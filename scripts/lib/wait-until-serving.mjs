/**
 * Polls the service's healthcheck until it answers: any HTTP answer (even a 503 for an
 * unreachable database) means the Worker is up, or, with `healthy`, only a 200. Fails as soon as
 * `child` exits, with `exitDetail()` in the message, or after `timeoutMs`. Used by npm run serve
 * (workerd) and the queued ingest benchmark (wrangler dev).
 */
export async function waitUntilServing({ url, child, timeoutMs, name, healthy = false, exitDetail = () => '' }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with code ${child.exitCode} before serving${exitDetail()}`);
    try {
      const response = await fetch(`${url}/pyaudit/api/healthcheck`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (!healthy || response.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not answer on ${url} within ${timeoutMs / 1000} s`);
}
