// Times ours and a baseline alternately in one run, prints both medians and `speedup: Z`.
import { performance } from 'node:perf_hooks';

export interface CompareOptions {
  name: string;
  ours: () => Promise<unknown>;
  baseline: () => Promise<unknown>;
  rounds?: number;
  warmup?: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function compare(o: CompareOptions): Promise<number> {
  const rounds = o.rounds ?? 7;
  for (let i = 0; i < (o.warmup ?? 1); i++) {
    await o.ours();
    await o.baseline();
  }
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first so drift on the machine hits both alike.
    if (i % 2 === 0) {
      ours.push(await time(o.ours));
      base.push(await time(o.baseline));
    } else {
      base.push(await time(o.baseline));
      ours.push(await time(o.ours));
    }
  }
  const mo = median(ours);
  const mb = median(base);
  const speedup = mb / mo;
  console.log(`${o.name}: ${rounds} rounds`);
  console.log(`ours median: ${mo.toFixed(1)} ms`);
  console.log(`baseline median: ${mb.toFixed(1)} ms`);
  console.log(`speedup: ${speedup.toFixed(2)}`);
  return speedup;
}
