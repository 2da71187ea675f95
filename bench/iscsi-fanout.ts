// npm run bench -- iscsi-fanout
// 50 portals (one tgtd each, on loopback, separate control ports) checked concurrently vs one after
// another. A check = SendTargets discovery + login + REPORT LUNS + INQUIRY + VPD + READ CAPACITY +
// logout on every target of the portal. Kills every tgtd it started.
//
// On loopback the only thing to overlap is CPU (Node + tgtd on this machine's cores), so the ratio
// there is bounded by the core count. Real portals sit behind a network: ISCSI_FANOUT_RTT_MS=N
// (e.g. 1) puts a relay process in front of every portal that delays each direction by N/2 ms,
// which is what fan-out is for. Both figures are printed when the variable is set; the last
// `speedup:` line is the emulated-network one.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { compare } from './compare';
import { discover, inspect } from '../electron/services/iscsi/initiator';
import { startLocalTgtd, type LocalTgtd } from '../electron/services/iscsi/tgtd-local';

const N = 50;
const BASE_PORT = 3300;
const BASE_CONTROL = 300;
const INITIATOR = 'iqn.2025-01.org.portico:bench';

// Delay relay, run as a separate process so its work does not land on the initiator's thread.
const RELAY = `
const net = require('node:net');
const [delay, listenBase, targetBase, n] = process.argv.slice(1).map(Number);
const pipe = (from, to) => from.on('data', (c) => setTimeout(() => to.destroyed || to.write(c), delay));
let ready = 0;
for (let i = 0; i < n; i++) {
  net.createServer((c) => {
    c.setNoDelay(true);
    const u = net.connect({ host: '127.0.0.1', port: targetBase + i, noDelay: true });
    pipe(c, u); pipe(u, c);
    const end = () => setTimeout(() => { c.destroy(); u.destroy(); }, delay);
    c.on('close', end); u.on('close', end); c.on('error', () => {}); u.on('error', () => {});
  }).listen(listenBase + i, '127.0.0.1', () => { if (++ready === n) process.stdout.write('ready\\n'); });
}`;

async function startRelay(oneWayMs: number, listenBase: number, targetBase: number, n: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', RELAY, String(oneWayMs), String(listenBase), String(targetBase), String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`relay exited (${c})`)));
  });
  return child;
}
void net;

async function check(port: number): Promise<number> {
  const portal = { address: '127.0.0.1', port };
  const d = await discover({ portal, initiatorName: INITIATOR, timeoutMs: 10_000 });
  const r = await Promise.all(d.targets.map((t) => inspect({ portal, target: t.targetName, initiatorName: INITIATOR, timeoutMs: 10_000 })));
  return r.reduce((n, x) => n + x.luns.length, 0);
}

export default async function main(): Promise<void> {
  const daemons: LocalTgtd[] = [];
  let relay: ChildProcess | undefined;
  try {
    const started = await Promise.all(
      Array.from({ length: N }, (_, i) => startLocalTgtd(BASE_CONTROL + i, [{ address: '127.0.0.1', port: BASE_PORT + i }]).then((t) => (daemons.push(t), t))),
    );
    await Promise.all(started.map((t, i) => t.addTarget(1, `iqn.2024-01.bench.portico:fanout-${i}`, [1 << 30])));
    const run = async (ports: number[], label: string) => {
      const concurrent = async () => {
        const luns = await Promise.all(ports.map(check));
        if (luns.some((n) => n !== 2)) throw new Error('a portal reported an unexpected LUN count');
      };
      const sequential = async () => {
        for (const p of ports) if ((await check(p)) !== 2) throw new Error('a portal reported an unexpected LUN count');
      };
      return compare({ name: `iscsi-fanout (${N} portals ${label}, concurrent vs one after another)`, ours: concurrent, baseline: sequential, rounds: 9, warmup: 2 });
    };
    await run(started.map((t) => t.portals[0].port), 'on loopback');
    const rtt = Number(process.env.ISCSI_FANOUT_RTT_MS ?? 0);
    if (rtt > 0) {
      relay = await startRelay(rtt / 2, BASE_PORT + 100, BASE_PORT, N);
      await run(started.map((_, i) => BASE_PORT + 100 + i), `${rtt} ms round trip away (emulated)`);
    }
  } finally {
    relay?.kill('SIGKILL');
    await Promise.all(daemons.map((t) => t.stop()));
  }
}
