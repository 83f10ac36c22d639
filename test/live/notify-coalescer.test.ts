import { describe, expect, it } from 'vitest';
import { NotifyCoalescer } from '../../src/live/notify-coalescer';

/** A notification call that stays in flight until the test answers it. */
function manualSend() {
  const pending: (() => void)[] = [];
  let calls = 0;
  const send = () =>
    new Promise<void>((resolve) => {
      calls += 1;
      pending.push(resolve);
    });
  const answer = async () => {
    pending.shift()?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { send, answer, calls: () => calls };
}

/** A clock whose time the test sets; sleeps are recorded and released by the test. */
function fixedClock(now: () => number, sleeps: { ms: number; wake: () => void }[] = []) {
  return { now, sleep: (ms: number) => new Promise<void>((wake) => sleeps.push({ ms, wake })) };
}

describe('NotifyCoalescer: one notification of the fan-out in flight per isolate', () => {
  it('folds commits made while one is in flight into exactly one more, sent after it', async () => {
    const { send, answer, calls } = manualSend();
    const coalescer = new NotifyCoalescer(
      0,
      fixedClock(() => 0),
    );
    const leading = coalescer.trigger(send);
    expect(leading).not.toBeNull();
    expect(calls()).toBe(1);
    // Three more commits while the first notification is in flight: no call of their own.
    for (let i = 0; i < 3; i++) expect(coalescer.trigger(send)).toBeNull();
    expect(calls()).toBe(1);
    await answer();
    expect(calls()).toBe(2); // one more, after (so it reaches the object after) those commits
    await answer();
    await leading;
    expect(calls()).toBe(2);
    // Idle again: the next commit sends at once.
    expect(coalescer.trigger(send)).not.toBeNull();
    expect(calls()).toBe(3);
  });

  it('stops waiting for a notification stuck in flight: the next commit sends its own', async () => {
    const { send, calls } = manualSend();
    let now = 0;
    const coalescer = new NotifyCoalescer(
      0,
      fixedClock(() => now),
    );
    coalescer.trigger(send);
    now = 1_000;
    expect(coalescer.trigger(send)).toBeNull();
    now = 10_000;
    expect(coalescer.trigger(send)).not.toBeNull();
    expect(calls()).toBe(2);
  });

  it('is free again after a failed notification', async () => {
    let calls = 0;
    const coalescer = new NotifyCoalescer(
      0,
      fixedClock(() => 0),
    );
    const failing = coalescer.trigger(async () => {
      calls += 1;
      throw new Error('object unreachable');
    });
    await expect(failing).rejects.toThrow('object unreachable');
    expect(
      coalescer.trigger(async () => {
        calls += 1;
      }),
    ).not.toBeNull();
    expect(calls).toBe(2);
  });

  it('sends at most one notification per interval: commits within it wait for its end, then one more', async () => {
    const { send, answer, calls } = manualSend();
    let now = 0;
    const sleeps: { ms: number; wake: () => void }[] = [];
    const coalescer = new NotifyCoalescer(
      100,
      fixedClock(() => now, sleeps),
    );
    const leading = coalescer.trigger(send);
    expect(calls()).toBe(1);
    now = 10;
    expect(coalescer.trigger(send)).toBeNull();
    now = 30;
    await answer(); // the first answered 30 ms after it was sent: wait the other 70
    expect(calls()).toBe(1);
    expect(sleeps.map((s) => s.ms)).toEqual([70]);
    now = 60;
    expect(coalescer.trigger(send)).toBeNull(); // folded into the same next one
    now = 100;
    sleeps.shift()?.wake();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(calls()).toBe(2);
    now = 105;
    await answer(); // nothing new since: the run ends without waiting
    await leading;
    expect(sleeps).toHaveLength(0);
    expect(calls()).toBe(2);
    // A commit after the run sends at once (the interval counts from the last send, 100).
    now = 250;
    expect(coalescer.trigger(send)).not.toBeNull();
    expect(calls()).toBe(3);
  });

  it('sends at once when the interval has passed during the notification', async () => {
    const { send, answer, calls } = manualSend();
    let now = 0;
    const sleeps: { ms: number; wake: () => void }[] = [];
    const coalescer = new NotifyCoalescer(
      100,
      fixedClock(() => now, sleeps),
    );
    coalescer.trigger(send);
    coalescer.trigger(send);
    now = 150;
    await answer();
    expect(sleeps).toHaveLength(0);
    expect(calls()).toBe(2);
  });
});
