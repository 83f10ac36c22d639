/** A notification in flight longer than this is not waited for: the next commit sends its own. */
const STUCK_MS = 5_000;

/**
 * At most one notification of the fan-out in flight per isolate. A commit that finds one in
 * flight only marks that another is wanted; the request that sent the first sends one more when
 * it returns, so every commit is followed by a notification that reaches the object after it.
 * The object hears an isolate about once per round trip instead of once per create: 500
 * creates/s do not become 500 calls/s into the one object of the deployment.
 *
 * Only the leading request does I/O (its own stub, in its own waitUntil); the others set a flag
 * and never wait on it, so no request waits on another's promise.
 */
export class NotifyCoalescer {
  private inFlightSince: number | null = null;
  private again = false;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Returns the work to keep alive (waitUntil) when this call sends, null when it was folded in. */
  trigger(send: () => Promise<void>): Promise<void> | null {
    if (this.inFlightSince !== null && this.now() - this.inFlightSince < STUCK_MS) {
      this.again = true;
      return null;
    }
    this.inFlightSince = this.now();
    return this.run(send);
  }

  private async run(send: () => Promise<void>): Promise<void> {
    const mine = this.inFlightSince;
    try {
      do {
        this.again = false;
        await send();
      } while (this.again && this.inFlightSince === mine);
    } finally {
      // A run that was given up on (stuck) leaves its successor's state alone.
      if (this.inFlightSince === mine) this.inFlightSince = null;
    }
  }
}
