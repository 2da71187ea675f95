// npm run bench -- iscsi-fanout
// 50 portals (one tgtd each, on loopback, separate control ports) checked concurrently vs one after
// another. A check = SendTargets discovery + login + REPORT LUNS + INQUIRY + VPD + READ CAPACITY +
// logout on every target of the portal. Kills every tgtd it started.
import { compare } from './compare';
import { discover, inspect } from '../electron/services/iscsi/initiator';
import { startLocalTgtd, type LocalTgtd } from '../electron/services/iscsi/tgtd-local';

const N = 50;
const BASE_PORT = 3300;
const BASE_CONTROL = 300;
const INITIATOR = 'iqn.2025-01.org.portico:bench';

async function check(port: number): Promise<number> {
  const portal = { address: '127.0.0.1', port };
  const d = await discover({ portal, initiatorName: INITIATOR, timeoutMs: 10_000 });
  const r = await Promise.all(d.targets.map((t) => inspect({ portal, target: t.targetName, initiatorName: INITIATOR, timeoutMs: 10_000 })));
  return r.reduce((n, x) => n + x.luns.length, 0);
}

export default async function main(): Promise<void> {
  const daemons: LocalTgtd[] = [];
  try {
    const started = await Promise.all(
      Array.from({ length: N }, (_, i) => startLocalTgtd(BASE_CONTROL + i, [{ address: '127.0.0.1', port: BASE_PORT + i }]).then((t) => (daemons.push(t), t))),
    );
    await Promise.all(started.map((t, i) => t.addTarget(1, `iqn.2024-01.bench.portico:fanout-${i}`, [1 << 30])));
    const ports = started.map((t) => t.portals[0].port);
    const concurrent = async () => {
      const luns = await Promise.all(ports.map(check));
      if (luns.some((n) => n !== 2)) throw new Error('a portal reported an unexpected LUN count');
    };
    const sequential = async () => {
      for (const p of ports) if ((await check(p)) !== 2) throw new Error('a portal reported an unexpected LUN count');
    };
    await compare({ name: `iscsi-fanout (${N} portals, concurrent vs one after another)`, ours: concurrent, baseline: sequential, rounds: 9, warmup: 2 });
  } finally {
    await Promise.all(daemons.map((t) => t.stop()));
  }
}
