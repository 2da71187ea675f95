// Starts the latency relay (relay.c), compiled on first use with the machine's C compiler, the way
// a bench would reach for `tc netem` on a kernel that had it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = new URL('./relay.c', import.meta.url).pathname;

function binary(): string {
  const src = readFileSync(SOURCE);
  const dir = join(tmpdir(), 'portico-netdelay');
  const bin = join(dir, `relay-${createHash('sha256').update(src).digest('hex').slice(0, 12)}`);
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync('cc', ['-O2', '-o', bin, SOURCE], { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (e) {
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
  const child: ChildProcess = spawn(binary(), [String(Math.round(o.oneWayUs)), String(o.listenBase), String(o.targetBase), String(o.count)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`netdelay relay exited (${c}) before it was ready`)));
  });
  return { listenBase: o.listenBase, stop: () => child.kill('SIGKILL') };
}
