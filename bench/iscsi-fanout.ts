// npm run bench -- iscsi-fanout
// 50 portals (one tgtd each, own control port), each 5 ms round trip away behind bench/netdelay,
// checked three ways, alternately in one run (the order rotates every round):
//   ours      the survey that backs `iscsi.survey`, all 50 portals at once: SendTargets discovery,
//             then login + REPORT LUNS + INQUIRY (standard, VPD 0x00/0x80/0x83) + TEST UNIT READY +
//             READ CAPACITY + logout on every target;
//   baseline  the same survey, one portal after another (what a console without fan-out does);
//   iscsi-ls  the admin's own alternative: `printf '%s\n' PORTALS | xargs -P 50 -I{} iscsi-ls -s
//             -i IQN iscsi://{}/`, libiscsi's discovery + login + REPORT LUNS + INQUIRY + READ
//             CAPACITY per portal, 50 processes in parallel (slightly less SCSI work than ours).
// Output: the medians, then `iscsi-ls ratio: R (...)` = iscsi-ls median / ours, then the one final
// `speedup: Z (...)` = baseline median / ours, labelled with the round trip it ran at.
//
// Why a delay: fan-out pays off where portals are a network away, and loopback is not: there a
// check is pure CPU (Node + tgtd + the kernel's TCP on this machine's 2 cores), so the loopback
// ratio is capped near the core count; so is 1-2 ms, where the relay's own TCP hop costs about as
// much CPU as ours. 5 ms (ISCSI_FANOUT_RTT_MS overrides) is a workstation reaching the storage
// network over a company WAN or VPN, where an admin's console sits. The delay comes from
// bench/netdelay (netem-style fixed delay each way, TCP handshake included; this kernel has no
// netem); the bench measures the relay's actual round trip first and prints it.
// ISCSI_FANOUT_INFO=1 also runs loopback, 1 ms and 2 ms first and prints them as `info:` lines.
import { execFile } from 'node:child_process';
import net from 'node:net';
import { median, timeArms, type Arm } from './compare';
import { startDelayRelay } from './netdelay';
import { surveyPortals } from '../electron/services/iscsi/survey';
import { startLocalTgtd, type LocalTgtd } from '../electron/test-support/tgtd-local';

const N = 50;
const BASE_PORT = 3300;
const RELAY_BASE = 3400;
const BASE_CONTROL = 300;
const INITIATOR = 'iqn.2025-01.org.portico:bench';
const DEFAULT_RTT_MS = 5;
const INFO_RTTS_MS = [1, 2];
const ROUNDS = 9;

/** Every portal must answer with its one target and two LUNs (controller + disk), or the run is void. */
async function survey(ports: number[]): Promise<void> {
  const r = await surveyPortals({ portals: ports.map((port) => ({ address: '127.0.0.1', port })), initiatorName: INITIATOR });
  for (const p of r.portals) {
    if (!p.ok) throw new Error(`${p.portal}: ${p.error.message}`);
    if (p.targets.length !== 1 || !p.targets[0].ok || p.targets[0].luns.length !== 2) throw new Error(`${p.portal}: unexpected answer ${JSON.stringify(p.targets)}`);
  }
}

const XARGS_SCRIPT = `printf '%s\\n' "$@" | xargs -P ${N} -I{} iscsi-ls -s -i ${INITIATOR}-libiscsi iscsi://{}/`;

/** The admin's one-liner; resolves with its stdout, rejects if any iscsi-ls failed (xargs exits 123). */
function iscsiLsXargs(ports: number[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('bash', ['-c', XARGS_SCRIPT, 'xargs-iscsi-ls', ...ports.map((p) => `127.0.0.1:${p}`)], { timeout: 120_000, maxBuffer: 16 << 20 }, (err, out, errOut) =>
      err ? reject(new Error(`xargs iscsi-ls failed: ${errOut || err.message}`)) : resolve(out),
    ),
  );
}

async function checkIscsiLs(ports: number[]): Promise<void> {
  const out = await iscsiLsXargs(ports);
  const targets = (out.match(/^Target:/gm) ?? []).length;
  const luns = (out.match(/Lun:\d+/g) ?? []).length;
  if (targets !== ports.length || luns !== 2 * ports.length) throw new Error(`iscsi-ls listed ${targets} targets and ${luns} LUNs, expected ${ports.length} and ${2 * ports.length}:\n${out.slice(0, 2000)}`);
}

/** Median round trip of one byte through a relay like the bench's (the relay's real cost, not its setting). */
async function measureRelayRtt(oneWayUs: number): Promise<number> {
  const echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const relay = await startDelayRelay({ oneWayUs, listenBase: RELAY_BASE + N, targetBase: (echo.address() as net.AddressInfo).port, count: 1 });
  const s = net.connect({ host: '127.0.0.1', port: RELAY_BASE + N, noDelay: true });
  try {
    await new Promise((r) => s.once('connect', r));
    const rtts: number[] = [];
    for (let i = 0; i < 31; i++) {
      const t0 = performance.now();
      const back = new Promise((r) => s.once('data', r));
      s.write('p');
      await back;
      if (i > 0) rtts.push(performance.now() - t0); // the first one pays the handshake
    }
    return median(rtts);
  } finally {
    s.destroy();
    relay.stop();
    await new Promise((r) => echo.close(r));
  }
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function info(ports: number[], label: string): Promise<void> {
  const [o, b] = await timeArms(
    [
      { name: 'ours', run: () => survey(ports) },
      { name: 'one by one', run: async () => { for (const p of ports) await survey([p]); } },
    ],
    5,
    2,
  );
  console.log(`info: ${label}: ours ${fmt(median(o))}, one portal after another ${fmt(median(b))}, ratio ${(median(b) / median(o)).toFixed(2)} (for information, not the result)`);
}

export default async function main(): Promise<void> {
  const rttMs = Number(process.env.ISCSI_FANOUT_RTT_MS ?? DEFAULT_RTT_MS);
  if (!(rttMs > 0)) throw new Error('ISCSI_FANOUT_RTT_MS must be a positive number of milliseconds');
  const withInfo = process.env.ISCSI_FANOUT_INFO === '1';
  const daemons: LocalTgtd[] = [];
  let stopRelay: (() => void) | undefined;
  try {
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const t = await startLocalTgtd(BASE_CONTROL + i, [{ address: '127.0.0.1', port: BASE_PORT + i }]);
        daemons.push(t);
        await t.addTarget(1, `iqn.2024-01.bench.portico:fanout-${i}`, [1 << 30]);
      }),
    );
    const direct = Array.from({ length: N }, (_, i) => BASE_PORT + i);
    const relayed = direct.map((_, i) => RELAY_BASE + i);
    if (withInfo) {
      await info(direct, `${N} portals on loopback (CPU-bound)`);
      for (const rtt of INFO_RTTS_MS.filter((r) => r < rttMs)) {
        const relay = await startDelayRelay({ oneWayUs: (rtt * 1000) / 2, listenBase: RELAY_BASE, targetBase: BASE_PORT, count: N });
        stopRelay = relay.stop;
        await info(relayed, `${N} portals, ${rtt} ms round trip`);
        relay.stop();
        stopRelay = undefined;
      }
    }

    const oneWayUs = (rttMs * 1000) / 2;
    const measured = await measureRelayRtt(oneWayUs);
    const relay = await startDelayRelay({ oneWayUs, listenBase: RELAY_BASE, targetBase: BASE_PORT, count: N });
    stopRelay = relay.stop;
    await survey(relayed);
    await checkIscsiLs(relayed); // same portals, same answer, before timing anything
    const arms: Arm[] = [
      { name: 'ours', run: () => survey(relayed) },
      { name: 'baseline', run: async () => { for (const p of relayed) await survey([p]); } },
      { name: 'iscsi-ls', run: () => iscsiLsXargs(relayed) },
    ];
    const [o, b, ls] = (await timeArms(arms, ROUNDS, 2)).map(median);
    const at = `${N} portals, ${rttMs} ms RTT`;
    console.log(`iscsi-fanout: ${N} portals each ${rttMs} ms round trip away (bench/netdelay, measured ${measured.toFixed(2)} ms through the relay), ${ROUNDS} rounds, arms alternating`);
    console.log(`ours median (survey, all ${N} portals at once): ${fmt(o)}`);
    console.log(`baseline median (survey, one portal after another): ${fmt(b)}`);
    console.log(`iscsi-ls median (xargs -P ${N} iscsi-ls -s, one process per portal): ${fmt(ls)}`);
    console.log(`iscsi-ls ratio: ${(ls / o).toFixed(2)} (xargs -P ${N} iscsi-ls -s / ours, ${at})`);
    console.log(`speedup: ${(b / o).toFixed(2)} (one portal after another / ours, ${at})`);
  } finally {
    stopRelay?.();
    await Promise.all(daemons.map((t) => t.stop()));
  }
}
