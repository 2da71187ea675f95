// npm run bench -- iscsi-fanout
// 50 portals (one tgtd each, own control port), checked by the survey that backs `iscsi.survey`:
// SendTargets discovery, then login + REPORT LUNS + INQUIRY (standard, VPD 0x00/0x80/0x83) +
// TEST UNIT READY + READ CAPACITY + logout on every target. Ours: all 50 at once. Baseline: the
// same check, one portal after another.
//
// Fan-out pays off where portals are a network away, and loopback is not: there a check is pure
// CPU (Node + tgtd + the kernel's TCP on this machine's 2 cores), so the loopback ratio is capped
// near the core count. It is printed for information, as are 1 ms and 2 ms round trips, where
// this machine's CPU still binds (the delay relay's own TCP hop costs about as much CPU as ours).
// The measured case puts every portal 5 ms away (ISCSI_FANOUT_RTT_MS overrides): a workstation
// reaching the storage network over a company WAN or VPN, which is where an admin's console sits.
// The delay comes from bench/netdelay (netem-style fixed delay each way, TCP handshake included;
// this kernel has no netem). The last `speedup:` line is that case.
import { compare } from './compare';
import { startDelayRelay, type DelayRelay } from './netdelay';
import { surveyPortals } from '../electron/services/iscsi/survey';
import { startLocalTgtd, type LocalTgtd } from '../electron/services/iscsi/tgtd-local';

const N = 50;
const BASE_PORT = 3300;
const RELAY_BASE = 3400;
const BASE_CONTROL = 300;
const INITIATOR = 'iqn.2025-01.org.portico:bench';
const DEFAULT_RTT_MS = 5;
const INFO_RTTS_MS = [1, 2];

/** Every portal must answer with its one target and two LUNs (controller + disk), or the run is void. */
async function survey(ports: number[]): Promise<void> {
  const r = await surveyPortals({ portals: ports.map((port) => ({ address: '127.0.0.1', port })), initiatorName: INITIATOR });
  for (const p of r.portals) {
    if (!p.ok) throw new Error(`${p.portal}: ${p.error.message}`);
    if (p.targets.length !== 1 || !p.targets[0].ok || p.targets[0].luns.length !== 2) throw new Error(`${p.portal}: unexpected answer ${JSON.stringify(p.targets)}`);
  }
}

async function run(ports: number[], label: string, rounds = 9) {
  return compare({
    name: `iscsi-fanout (${N} portals ${label}, concurrent vs one after another)`,
    ours: () => survey(ports),
    baseline: async () => {
      for (const p of ports) await survey([p]);
    },
    rounds,
    warmup: 2,
  });
}

export default async function main(): Promise<void> {
  const rttMs = Number(process.env.ISCSI_FANOUT_RTT_MS ?? DEFAULT_RTT_MS);
  if (!(rttMs > 0)) throw new Error('ISCSI_FANOUT_RTT_MS must be a positive number of milliseconds');
  const daemons: LocalTgtd[] = [];
  let relay: DelayRelay | undefined;
  try {
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const t = await startLocalTgtd(BASE_CONTROL + i, [{ address: '127.0.0.1', port: BASE_PORT + i }]);
        daemons.push(t);
        await t.addTarget(1, `iqn.2024-01.bench.portico:fanout-${i}`, [1 << 30]);
      }),
    );
    const direct = Array.from({ length: N }, (_, i) => BASE_PORT + i);
    await run(direct, 'on loopback, CPU-bound: for information', 5);
    for (const rtt of [...INFO_RTTS_MS.filter((r) => r < rttMs), rttMs]) {
      const last = rtt === rttMs;
      relay = await startDelayRelay({ oneWayUs: (rtt * 1000) / 2, listenBase: RELAY_BASE, targetBase: BASE_PORT, count: N });
      await run(
        direct.map((_, i) => RELAY_BASE + i),
        `${rtt} ms round trip away (bench/netdelay)${last ? '' : ': for information'}`,
        last ? 9 : 5,
      );
      relay.stop();
      relay = undefined;
    }
  } finally {
    relay?.stop();
    await Promise.all(daemons.map((t) => t.stop()));
  }
}
