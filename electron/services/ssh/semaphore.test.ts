import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore';

describe('Semaphore', () => {
  it('admits up to the limit, queues FIFO and lets aborted waiters leave', async () => {
    const s = new Semaphore(2);
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const order: number[] = [];
    const p3 = s.acquire().then((r) => (order.push(3), r));
    const ac = new AbortController();
    const p4 = s.acquire(ac.signal);
    const p5 = s.acquire().then((r) => (order.push(5), r));
    expect(s.queued).toBe(3);
    ac.abort(new Error('gone'));
    await expect(p4).rejects.toThrow('gone');
    r1();
    r1(); // double release is harmless
    const r3 = await p3;
    expect(s.inUse).toBe(2);
    r2();
    await p5;
    expect(order).toEqual([3, 5]);
    r3();
    expect(s.inUse).toBe(1);
  });

  it('can be lowered and fails waiters on demand', async () => {
    const s = new Semaphore(3);
    await s.acquire();
    s.setLimit(1);
    const p = s.acquire();
    s.failAll(new Error('closed'));
    await expect(p).rejects.toThrow('closed');
  });
});
