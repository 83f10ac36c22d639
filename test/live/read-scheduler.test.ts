import { describe, expect, it } from 'vitest';
import { ReadScheduler, type SchedulerClock } from '../../src/live/read-scheduler';

/** A clock the test moves by hand, and timers that fire only when the test says so. */
function manualClock() {
  const timers = new Map<number, { run: () => void; at: number }>();
  let next = 0;
  const clock: SchedulerClock & { t: number } = {
    t: 0,
    now: () => clock.t,
    setTimer: (run, ms) => {
      next += 1;
      timers.set(next, { run, at: clock.t + ms });
      return next;
    },
    clearTimer: (handle) => {
      timers.delete(handle as number);
    },
  };
  const fireTimers = () => {
    for (const [handle, timer] of [...timers]) {
      if (timer.at > clock.t) continue;
      timers.delete(handle);
      timer.run();
    }
  };
  return { clock, timers, fireTimers };
}

async function settle(): Promise<void> {
  // Lets the scheduler's then/finally callbacks run.
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** A scheduler on a manual clock whose reads are counted; `onRead` is each read's body. */
function counted(onRead: (n: number) => Promise<void> | void = () => {}) {
  const manual = manualClock();
  let reads = 0;
  const scheduler = new ReadScheduler(
    100,
    async () => {
      reads += 1;
      await onRead(reads);
    },
    manual.clock,
  );
  return { ...manual, scheduler, reads: () => reads };
}

describe('ReadScheduler: when the live tail reads', () => {
  it('starts a due read from the notification that finds it due, even if its timer never fires', async () => {
    const { clock, timers, scheduler, reads } = counted();
    scheduler.request(); // t=0: nothing read yet, at once
    await settle();
    expect(reads()).toBe(1);
    clock.t = 40;
    scheduler.request(); // inside the coalescing window: waits, with a timer as the fallback
    await settle();
    expect(reads()).toBe(1);
    expect(timers.size).toBe(1);
    // The timer is late (a busy isolate ran such timers seconds late); the next notification reads.
    clock.t = 130;
    scheduler.request();
    await settle();
    expect(reads()).toBe(2);
    expect(timers.size).toBe(0);
  });

  it('runs one read at a time; notifications during a read are served by one read right after it', async () => {
    const pending: (() => void)[] = [];
    const { clock, scheduler, reads } = counted(
      () =>
        new Promise<void>((resolve) => {
          pending.push(resolve);
        }),
    );
    scheduler.request();
    for (const t of [10, 20, 30, 150, 160]) {
      clock.t = t;
      scheduler.request();
    }
    await settle();
    expect(reads()).toBe(1); // the first read is still running
    clock.t = 200;
    pending.shift()?.();
    await settle();
    expect(reads()).toBe(2); // due since t=100: starts as the first one ends, no timer needed
    clock.t = 250;
    pending.shift()?.();
    await settle();
    expect(reads()).toBe(2); // nothing was asked for during the second read
  });

  it('covers the last notification of a burst with a timer, and a read that fails does not stop the next', async () => {
    const { clock, fireTimers, scheduler, reads } = counted((n) => {
      if (n === 1) throw new Error('connection lost');
    });
    scheduler.request();
    await settle();
    clock.t = 30;
    scheduler.request(); // the last notification: no other will come
    await settle();
    expect(reads()).toBe(1);
    clock.t = 100;
    fireTimers();
    await settle();
    expect(reads()).toBe(2);
  });

  it('honours a requested delay (the re-poll while the horizon lags) and forgets everything on stop', async () => {
    const { clock, timers, fireTimers, scheduler, reads } = counted();
    clock.t = 1000;
    scheduler.request(100);
    await settle();
    expect(reads()).toBe(0);
    clock.t = 1050;
    scheduler.request(100); // later than the wanted read: changes nothing
    expect(timers.size).toBe(1);
    scheduler.stop();
    expect(timers.size).toBe(0);
    clock.t = 2000;
    fireTimers();
    await settle();
    expect(reads()).toBe(0);
  });
});
