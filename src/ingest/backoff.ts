/**
 * Seconds before a message is delivered again while the database is down: base * 2^(attempt-1),
 * capped, with up to 20% random added so a backlog does not return all at once. `attempts` is
 * the Queues delivery count (1 on the first delivery). Queues accepts at most 43,200 s.
 */
export function retryDelaySeconds(attempts: number, baseSeconds: number, maxSeconds: number, random = Math.random()) {
  const exponent = Math.min(Math.max(attempts, 1) - 1, 30);
  const delay = Math.min(maxSeconds, baseSeconds * 2 ** exponent);
  return Math.min(43_200, Math.max(0, Math.round(delay * (1 + 0.2 * random))));
}
