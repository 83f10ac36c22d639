/**
 * The healthcheck's database answer, reused for HEALTHCHECK_CACHE_MS (issue 13.9): the route needs
 * no key, so without this every request to it opened a database connection. Results are kept per
 * database target, so a Worker pointed at another database (tests, a changed binding) probes anew.
 * Settled results only: a probe in flight is not shared between requests (a Worker request must
 * not wait on another request's I/O).
 */
export type ProbeResult = { ok: true } | { ok: false; reason: string };

const MAX_TARGETS = 16;
// Outlives requests: the last answer per database target and until when it stands.
const answers = new Map<string, { result: ProbeResult; expiresAt: number }>();

export async function cachedProbe(
  target: string,
  ttlMs: number,
  probe: () => Promise<ProbeResult>,
): Promise<ProbeResult & { cached: boolean }> {
  const entry = answers.get(target);
  if (ttlMs > 0 && entry && entry.expiresAt > Date.now()) return { ...entry.result, cached: true };
  const result = await probe();
  if (ttlMs > 0) {
    answers.delete(target);
    if (answers.size >= MAX_TARGETS) {
      const oldest = answers.keys().next().value;
      if (oldest !== undefined) answers.delete(oldest);
    }
    answers.set(target, { result, expiresAt: Date.now() + ttlMs });
  }
  return { ...result, cached: false };
}
