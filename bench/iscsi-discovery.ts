// npm run bench -- iscsi-discovery
// One portal: SendTargets discovery, then login + REPORT LUNS + INQUIRY + READ CAPACITY on every
// target, with the native initiator vs libiscsi's `iscsi-ls -s` (same work), alternately in one run.
// Uses its own tgtd on loopback (separate control port) and kills it afterwards.
import { execFile } from 'node:child_process';
import { compare } from './compare';
import { discover, inspect } from '../electron/services/iscsi/initiator';
import { startLocalTgtd } from '../electron/test-support/tgtd-local';

const PORTAL = { address: '127.0.0.1', port: 3281 };
const CONTROL_PORT = 81;
const INITIATOR = 'iqn.2025-01.org.portico:bench';

function iscsiLs(): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('iscsi-ls', ['-s', '-i', `${INITIATOR}-libiscsi`, `iscsi://${PORTAL.address}:${PORTAL.port}`], { timeout: 30_000 }, (err, out, errOut) =>
      err ? reject(new Error(`iscsi-ls failed: ${errOut || err.message}`)) : resolve(out),
    ),
  );
}

async function ours(): Promise<number> {
  const d = await discover({ portal: PORTAL, initiatorName: INITIATOR, timeoutMs: 5000 });
  const res = await Promise.all(d.targets.map((t) => inspect({ portal: PORTAL, target: t.targetName, initiatorName: INITIATOR, timeoutMs: 5000 })));
  return res.reduce((n, r) => n + r.luns.length, 0);
}

export default async function main(): Promise<void> {
  const tgtd = await startLocalTgtd(CONTROL_PORT, [PORTAL]);
  try {
    await tgtd.addTarget(1, 'iqn.2024-01.bench.portico:disks-a', [1 << 30, 256 << 20]);
    await tgtd.addTarget(2, 'iqn.2024-01.bench.portico:disks-b', [2 << 30]);
    // Same answer from both before timing anything.
    const n = await ours();
    const ls = await iscsiLs();
    const lsLuns = (ls.match(/Lun:\d+/g) ?? []).length;
    console.log(`portal ${PORTAL.address}:${PORTAL.port}: ours sees ${n} LUNs, iscsi-ls -s lists ${lsLuns}`);
    if (n !== lsLuns) throw new Error('the native initiator and iscsi-ls disagree on the LUN count');
    await compare({ name: 'iscsi-discovery (discovery + login + REPORT LUNS + INQUIRY + READ CAPACITY, 2 targets, 5 LUNs)', ours, baseline: iscsiLs, rounds: 21, warmup: 3 });
  } finally {
    await tgtd.stop();
  }
}
