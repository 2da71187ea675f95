import { describe, expect, it } from 'vitest';
import { TtlCache } from './usage-cache';

/** A loader that counts its calls and settles when told. */
function loader() {
  const pending: ((v: string) => void)[] = [];
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    load: () => {
      calls++;
      return new Promise<string>((r) => pending.push(r));
    },
    settle: (v: string) => pending.shift()!(v),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('TtlCache', () => {
  it('one load answers every call within the window, counted from when it settled; then it loads again', async () => {
    let now = 1000;
    const c = new TtlCache<string>(20_000, () => now);
    const l = loader();
    const a = c.get('hv1', l.load);
    now += 60_000; // a slow read: still shared while it runs
    const b = c.get('hv1', l.load);
    expect(l.calls).toBe(1);
    l.settle('v1');
    expect([await a, await b]).toEqual(['v1', 'v1']);
    now += 19_999;
    expect(await c.get('hv1', l.load)).toBe('v1');
    expect(l.calls).toBe(1);
    now += 1;
    const d = c.get('hv1', l.load);
    expect(l.calls).toBe(2);
    l.settle('v2');
    expect(await d).toBe('v2');
  });

  it('keys are separate; invalidate forgets one or all', async () => {
    const c = new TtlCache<string>(20_000, () => 0);
    const l = loader();
    const p1 = c.get('hv1', l.load);
    const p2 = c.get('hv2', l.load);
    l.settle('a');
    l.settle('b');
    expect([await p1, await p2]).toEqual(['a', 'b']);
    c.invalidate('hv1');
    const p3 = c.get('hv1', l.load);
    expect(await c.get('hv2', l.load)).toBe('b');
    expect(l.calls).toBe(3);
    l.settle('c');
    expect(await p3).toBe('c');
    c.invalidate();
    void c.get('hv2', l.load);
    expect(l.calls).toBe(4);
  });

  it('a failure is kept as long as an answer (one timeout per window); a throwing loader rejects', async () => {
    const c = new TtlCache<string>(20_000, () => 0);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('ssh: timeout');
    };
    await expect(c.get('hv1', failing)).rejects.toThrow('ssh: timeout');
    await expect(c.get('hv1', failing)).rejects.toThrow('ssh: timeout');
    expect(calls).toBe(1);
    await expect(c.get('hv2', () => { throw new Error('at once'); })).rejects.toThrow('at once');
  });

  it('ttl 0: concurrent calls share the running load, the next call after it settled loads again', async () => {
    const c = new TtlCache<string>(0);
    const l = loader();
    const a = c.get('hv1', l.load);
    const b = c.get('hv1', l.load);
    l.settle('x');
    expect([await a, await b]).toEqual(['x', 'x']);
    await tick();
    void c.get('hv1', l.load);
    expect(l.calls).toBe(2);
  });
});
