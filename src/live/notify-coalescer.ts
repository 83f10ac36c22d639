/** A notification in flight longer than this is not waited for: the next commit sends its own. */
const STUCK_MS = 5_000;

export interface CoalescerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const platformClock: CoalescerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * At most one notification of the fan-out in flight per isolate, and at most one started per
 * `minIntervalMs`. A commit that finds one in flight (or sent less than `minIntervalMs` ago)
 * only marks that another is wanted; the request that sent the first sends one more when it
 * returns and the interval has passed, so every commit is followed by a notification that
 * reaches the object after it. The object hears an isolate at most once per interval instead
 * of once per create: 500 creates/s do not become 500 calls/s into the one object of the
 * deployment. The interval is the object's own coalescing window (COALESCE_MS): notifications
 * closer together than that would share a read anyway, so the wait delays no read.
 *
 * Only the leading request does I/O (its own stub, in its own waitUntil); the others set a flag
 * and never wait on it, so no request waits on another's promise.
 */
export class NotifyCoalescer {
  /** The run sending now; `since`: when its current notification was sent. */
  private running: { since: number } | null = null;
  private again = false;

  constructor(
    private readonly minIntervalMs = 0,
    private readonly clock: CoalescerClock = platformClock,
  ) {}

  /** Returns the work to keep alive (waitUntil) when this call sends, null when it was folded in. */
  trigger(send: () => Promise<void>): Promise<void> | null {
    if (this.running !== null && this.clock.now() - this.running.since < STUCK_MS) {
      this.again = true;
      return null;
    }
    const run = { since: this.clock.now() };
    this.running = run;
    return this.run(run, send);
  }

  private async run(run: { since: number }, send: () => Promise<void>): Promise<void> {
    try {
      do {
        this.again = false;
        run.since = this.clock.now();
        await send();
        // Commits during the send or this wait are folded into the next notification.
        const wait = run.since + this.minIntervalMs - this.clock.now();
        if (this.again && wait > 0) await this.clock.sleep(wait);
      } while (this.again && this.running === run);
    } finally {
      // A run that was given up on (stuck) leaves its successor's state alone.
      if (this.running === run) this.running = null;
    }
  }
}
