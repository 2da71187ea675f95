// npm run bench -- path-matrix
// A bond's path matrix refresh: 4 hosts x 2 networks x 5 targets = 40 cells, checked by the same
// code that backs `bonds.matrix` (checkCells + iscsiCellChecker: TCP, iSCSI login as the host,
// REPORT LUNS + INQUIRY/VPD + READ CAPACITY, logout), two ways, alternately in one run:
//   ours      every cell at once (the matrix's concurrency bound is above 40);
//   baseline  one cell after another (a console that checks path by path).
// The targets are a local tgtd (no lab needed): network A is its portal on 127.0.0.1, network B its
// portal on 127.0.0.2. 4 cells sit behind a downed link: target 5 on network B, for every host,
// goes to a "black hole" portal that takes the TCP connection and never answers, so each such
// check waits out its per-cell timeout (the initiator's view of a SYN into a dead link). The
// expected shape: ours waits for the dead paths once (one timeout), the baseline once per dead path.
// Output: both medians, the matrix's own cell counts, then `speedup: Z`.
import net from 'node:net';
import { median, timeArms } from './compare';
import { checkCells, iscsiCellChecker, type CellResult, type CellSpec } from '../electron/services/bonds/path-check';
import { DEFAULT_CONCURRENCY } from '../electron/services/bonds/matrix';
import { startLocalTgtd, type LocalTgtd } from '../electron/test-support/tgtd-local';

const HOSTS = 4;
const TARGETS = 5;
const NETWORKS = [
  { id: 'net-a', name: 'A', address: '127.0.0.1' },
  { id: 'net-b', name: 'B', address: '127.0.0.2' },
];
const PORT = 3760;
const CONTROL = 376;
const TIMEOUT_MS = Number(process.env.PATH_MATRIX_TIMEOUT_MS ?? 1000);
const ROUNDS = 5;
const IQN = (t: number) => `iqn.2026-12.bench.portico:matrix-${t}`;

function cells(blackhole: number): CellSpec[] {
  const out: CellSpec[] = [];
  for (let h = 1; h <= HOSTS; h++) {
    for (const n of NETWORKS) {
      for (let t = 1; t <= TARGETS; t++) {
        const dead = n.id === 'net-b' && t === TARGETS;
        out.push({
          hostId: `hv${h}`, hostName: `hv${h}`, networkId: n.id, networkName: n.name, connectionId: `c-${n.id}-${t}`, iqn: IQN(t),
          address: n.address, port: dead ? blackhole : PORT, tpgt: 1, nic: n.id === 'net-a' ? 'eth1' : 'eth2', chap: null,
          initiatorName: `iqn.2026-12.bench.portico:hv${h}`,
        });
      }
    }
  }
  return out;
}

/** Every live cell logged in and saw its LUN; every dead one failed (else the run is void). */
function assertShape(specs: CellSpec[], r: CellResult[], blackhole: number): { ok: number; failed: number } {
  let ok = 0;
  let failed = 0;
  r.forEach((c, i) => {
    const dead = specs[i].port === blackhole;
    if (dead ? c.state !== 'failed' : c.state !== 'ok' || c.luns.length !== 1) throw new Error(`cell ${i} (${specs[i].hostId} ${specs[i].networkName} ${specs[i].iqn}): ${c.state} ${c.message}`);
    if (dead) failed++;
    else ok++;
  });
  return { ok, failed };
}

export default async function main(): Promise<void> {
  let tgtd: LocalTgtd | undefined;
  const hole = net.createServer({ pauseOnConnect: true }, (s) => s.on('error', () => undefined));
  const held = new Set<net.Socket>();
  hole.on('connection', (s) => {
    held.add(s);
    s.on('close', () => held.delete(s));
  });
  try {
    tgtd = await startLocalTgtd(CONTROL, NETWORKS.map((n) => ({ address: n.address, port: PORT })));
    for (let t = 1; t <= TARGETS; t++) await tgtd.addTarget(t, IQN(t), [1 << 30]);
    await new Promise<void>((r) => hole.listen(0, '127.0.0.2', r));
    const blackhole = (hole.address() as net.AddressInfo).port;
    const specs = cells(blackhole);
    const check = iscsiCellChecker((s) => new Promise((resolve, reject) => {
      const sock = net.connect({ host: s.address, port: s.port, noDelay: true });
      sock.once('connect', () => resolve(sock));
      sock.once('error', reject);
    }));
    const run = (concurrency: number) => checkCells(specs, check, { concurrency, timeoutMs: TIMEOUT_MS });
    const shape = assertShape(specs, await run(DEFAULT_CONCURRENCY), blackhole);
    assertShape(specs, await run(1), blackhole);
    const [o, b] = (await timeArms([{ name: 'ours', run: () => run(DEFAULT_CONCURRENCY) }, { name: 'baseline', run: () => run(1) }], ROUNDS, 1)).map(median);
    console.log(`path-matrix: ${HOSTS} hosts x ${NETWORKS.length} networks x ${TARGETS} targets = ${specs.length} cells (${shape.ok} live, ${shape.failed} behind a downed link), per-cell timeout ${TIMEOUT_MS} ms, ${ROUNDS} rounds, arms alternating`);
    console.log(`ours median (all ${specs.length} cells at once): ${o.toFixed(1)} ms`);
    console.log(`baseline median (one cell after another): ${b.toFixed(1)} ms`);
    console.log(`dead-path cost: ours ${(o / TIMEOUT_MS).toFixed(2)} timeouts, baseline ${(b / TIMEOUT_MS).toFixed(2)} timeouts`);
    console.log(`speedup: ${(b / o).toFixed(2)} (one after another / all at once, ${specs.length} cells, ${shape.failed} dead)`);
  } finally {
    for (const s of held) s.destroy();
    await new Promise((r) => hole.close(r));
    await tgtd?.stop();
  }
}
