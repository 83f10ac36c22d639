/**
 * Failed authentications per client address, per isolate (issue 13.9). A fake key costs a key
 * lookup the first time it is seen; an address that keeps failing is answered 429 with
 * Retry-After, before any lookup, until its window ends. The count is per isolate: it bounds
 * what one address can make one isolate do. Volumetric floods are Cloudflare's (WAF rate
 * limiting rules, docs/security.md).
 */
const MAX_ADDRESSES = 10_000;

// Outlives requests: failures per address in the current fixed window (bounded, oldest out).
const windows = new Map<string, { count: number; resetAt: number }>();

/**
 * The address to count: CF-Connecting-IP, which Cloudflare sets itself on every request it
 * forwards (a client cannot choose it). IPv6 counts per /64, the block one subscriber usually
 * holds. Null without the header (local development, tests): nothing is counted.
 */
export function clientAddress(header: string | undefined): string | null {
  const value = header?.trim();
  if (!value) return null;
  if (value.includes('.')) return value.slice(value.lastIndexOf(':') + 1); // IPv4 (or IPv4-mapped)
  const [head = '', tail = ''] = value.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = value.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Seconds until `address` may try again (0: it may try now). */
export function blockedSeconds(address: string | null, limit: number, nowMs: number): number {
  if (address === null) return 0;
  const window = windows.get(address);
  if (!window) return 0;
  if (window.resetAt <= nowMs) {
    windows.delete(address);
    return 0;
  }
  return window.count >= limit ? Math.ceil((window.resetAt - nowMs) / 1000) : 0;
}

export function recordFailure(address: string | null, windowMs: number, nowMs: number): void {
  if (address === null) return;
  const window = windows.get(address);
  if (window && window.resetAt > nowMs) {
    window.count += 1;
    return;
  }
  windows.delete(address);
  if (windows.size >= MAX_ADDRESSES) {
    const oldest = windows.keys().next().value;
    if (oldest !== undefined) windows.delete(oldest);
  }
  windows.set(address, { count: 1, resetAt: nowMs + windowMs });
}
