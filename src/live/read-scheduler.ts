/**
 * Notifications within this window share one fan-out read; an isolate also sends at most one
 * notification per window (src/live/notify.ts).
 */
export const COALESCE_MS = 100;

/** The clock and timer the scheduler uses: the platform's, or a test's. */
export interface SchedulerClock {
  now(): number;
  setTimer(run: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

const platformClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (run, ms) => setTimeout(run, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * When the fan-out reads the database: at most one read at a time, and a read never starts
 * sooner than `coalesceMs` after the previous one started, so notifications arriving together
 * share one read. A wanted read starts from whichever comes first once it is due: a later
 * request (a notification), the end of the read in progress, or a timer.
 *
 * A timer alone is not enough. Measured on a busy machine (docs/live-tail.md): while the object
 * was handling a steady stream of notifications, a 0 ms timer in it ran 4.3 s late, and every
 * event waited for it; notifications themselves were handled at once. So a due read starts from
 * the notification that finds it due; the timer only covers the last one of a burst.
 */
export class ReadScheduler {
  private dueAt: number | null = null;
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private running = false;
  private timer: unknown = null;
  private timerAt = 0;

  constructor(
    private readonly coalesceMs: number,
    private readonly read: () => Promise<void>,
    private readonly clock: SchedulerClock = platformClock,
  ) {}

  /** Wants a read in `delayMs` (0: as soon as the coalescing window allows). */
  request(delayMs = 0): void {
    const at = Math.max(this.clock.now() + delayMs, this.lastStartAt + this.coalesceMs);
    if (this.dueAt === null || at < this.dueAt) this.dueAt = at;
    this.kick();
  }

  /** Forgets the wanted read and its timer (the object went idle); a read in progress finishes. */
  stop(): void {
    this.dueAt = null;
    this.lastStartAt = Number.NEGATIVE_INFINITY;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private kick(): void {
    if (this.dueAt === null || this.running) return;
    const now = this.clock.now();
    if (now >= this.dueAt) {
      this.dueAt = null;
      if (this.timer !== null) this.clock.clearTimer(this.timer);
      this.timer = null;
      this.start(now);
      return;
    }
    if (this.timer !== null && this.timerAt <= this.dueAt) return;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timerAt = this.dueAt;
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.kick();
    }, this.dueAt - now);
  }

  private start(now: number): void {
    this.running = true;
    this.lastStartAt = now;
    // `read` handles its own errors; this only makes sure the next read is never blocked.
    this.read()
      .catch(() => {})
      .finally(() => {
        this.running = false;
        this.kick();
      });
  }
}
