// Starts the latency relay (relay.c), compiled on first use with the machine's C compiler, the way
// a bench would reach for `tc netem` on a kernel that had it. The binary lives in a private 0700
// folder of this user (bench/private-dir.ts), checked before every use, never a shared /tmp path.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir } from '../private-dir';

const SOURCE = new URL('./relay.c', import.meta.url).pathname;

/** The compiled relay for this exact source, built into `dir` (default: the private netdelay folder). */
export function relayBinary(dir = privateDir('netdelay')): string {
  const src = readFileSync(SOURCE);
  const bin = join(dir, `relay-${createHash('sha256').update(src).digest('hex').slice(0, 12)}`);
  if (!existsSync(bin)) {
    // Compile under a unique name and rename: a concurrent run never executes a half-written file.
    const part = `${bin}.${process.pid}.part`;
    try {
      execFileSync('cc', ['-O2', '-o', part, SOURCE], { stdio: ['ignore', 'inherit', 'inherit'] });
      renameSync(part, bin);
    } catch (e) {
      rmSync(part, { force: true });
      throw new Error(`netdelay: could not compile ${SOURCE} with cc (install gcc): ${(e as Error).message}`);
    }
  }
  return bin;
}

export interface DelayRelay {
  /** Port i forwards to targetBase + i. */
  listenBase: number;
  stop(): void;
}

/** 127.0.0.1:listenBase+i → 127.0.0.1:targetBase+i, every byte held `oneWayUs` each way. */
export async function startDelayRelay(o: { oneWayUs: number; listenBase: number; targetBase: number; count: number }): Promise<DelayRelay> {
  const child: ChildProcess = spawn(relayBinary(), [String(Math.round(o.oneWayUs)), String(o.listenBase), String(o.targetBase), String(o.count)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`netdelay relay exited (${c}) before it was ready`)));
  });
  return { listenBase: o.listenBase, stop: () => child.kill('SIGKILL') };
}
