// Times ours and one or more baselines alternately in one run (the order rotates every round, so
// drift on the machine hits every arm alike), prints the medians and `speedup: Z`.
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

export interface Arm {
  name: string;
  run: () => Promise<unknown>;
}

/** Runs every arm once per round, rotating which goes first; returns each arm's times (ms). */
export async function timeArms(arms: Arm[], rounds: number, warmup = 1): Promise<number[][]> {
  for (let i = 0; i < warmup; i++) for (const a of arms) await a.run();
  const times = arms.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < arms.length; k++) {
      const j = (r + k) % arms.length;
      times[j].push(await time(arms[j].run));
    }
  }
  return times;
}

export async function compare(o: CompareOptions): Promise<number> {
  const rounds = o.rounds ?? 7;
  const [ours, base] = await timeArms([{ name: 'ours', run: o.ours }, { name: 'baseline', run: o.baseline }], rounds, o.warmup ?? 1);
  const mo = median(ours);
  const mb = median(base);
  const speedup = mb / mo;
  console.log(`${o.name}: ${rounds} rounds`);
  console.log(`ours median: ${mo.toFixed(1)} ms`);
  console.log(`baseline median: ${mb.toFixed(1)} ms`);
  console.log(`speedup: ${speedup.toFixed(2)}`);
  return speedup;
}
