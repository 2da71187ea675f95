import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefreshLoop, type RefreshLoopState } from './refresh-loop';

/** A check that finishes only when the test says so, counting how many were started. */
function slowCheck() {
  const pending: (() => void)[] = [];
  let started = 0;
  const run = () => {
    started++;
    return new Promise<void>((r) => pending.push(r));
  };
  return { run, started: () => started, finish: () => pending.shift()?.() };
}

describe('RefreshLoop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a refresh asked for while one runs joins it: one check, not two', async () => {
    const c = slowCheck();
    const loop = new RefreshLoop(c.run);
    const a = loop.refresh();
    const b = loop.refresh();
    expect(b).toBe(a);
    expect(c.started()).toBe(1);
    c.finish();
    await a;
    void loop.refresh();
    expect(c.started()).toBe(2);
    loop.stop();
  });

  it('the interval is timed from the end of the previous check, so a slow check never piles up', async () => {
    const c = slowCheck();
    const loop = new RefreshLoop(c.run);
    loop.setInterval(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(c.started()).toBe(1);
    // The check hangs for 30 s (a dead path's timeout): no other check starts meanwhile.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(c.started()).toBe(1);
    c.finish();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(c.started()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.started()).toBe(2);
    loop.stop();
  });

  it('on demand only: no timer; stop cancels the next one; a failure is kept in words and the loop goes on', async () => {
    const states: RefreshLoopState[] = [];
    let fail = true;
    const loop = new RefreshLoop(async () => {
      if (fail) throw new Error('hv1 does not answer');
    }, (s) => states.push(s));
    loop.setInterval(null);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states).toEqual([]);
    await loop.refresh();
    expect(states.at(-1)).toMatchObject({ running: false, error: 'hv1 does not answer' });
    fail = false;
    loop.setInterval(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(states.at(-1)).toMatchObject({ running: false, error: null });
    loop.stop();
    const n = states.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(states.length).toBe(n);
  });
});
