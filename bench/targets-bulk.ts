// `npm run bench -- targets-bulk`: create one target with 50 sparse LUNs on lab stor1,
// ours (the targets.planCreate call + apply by the JobRunner with its write-ahead journal, over the
// SSH pool, incl. conf.d persistence and the read-back verification) vs the per-command way of the
// OpenNebula 3.4 driver (one `ssh host tgtadm ...` process per operation), alternately. Cleanup
// between rounds is not timed. `info:` shows what the journal cost (its write transactions, timed).
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { loadLab, labSkipReason } from '../e2e/lab/labinfo';
import { sshArgs } from '../e2e/lab/ssh';
import { run } from '../e2e/lab/util';
import { openLabTargets } from '../electron/test-support/lab-targets';
import { shellLine } from '../electron/services/remote/quote';
import { median } from './compare';
import labSetup from '../e2e/lab/global-setup';

const LUNS = 50;
const ROUNDS = 3;
const BASE = 'iqn.2024-01.lab.portico';
const NETWORKS = ['192.0.2.0/24', '203.0.113.0/24'];

export default async function main(): Promise<void> {
  // Same lease protocol as the integration tests: brings the lab up if needed, down when no one else uses it.
  const teardown = await labSetup();
  try {
    const reason = labSkipReason();
    if (reason) {
      console.log(`targets-bulk: needs the lab (${reason})`);
      return;
    }
    await bench();
  } finally {
    await teardown();
  }
}

async function bench(): Promise<void> {
  const lab = loadLab()!;
  const h = lab.hosts.stor1;
  const port = h.tgt!.controlPort;
  const dir = h.storageDir!;
  const t = await openLabTargets(lab, 'stor1');
  const driver = t.driver;
  // Time spent in the journal's write transactions (the cost the journal adds to a job).
  let journalMs = 0;
  let journalTx = 0;
  const tx = t.svc.db.transaction.bind(t.svc.db);
  (t.svc.db as { transaction: typeof tx }).transaction = ((fn: (...a: unknown[]) => unknown) => {
    const wrapped = tx(fn);
    return ((...a: unknown[]) => {
      const t0 = performance.now();
      try {
        return wrapped(...a);
      } finally {
        journalMs += performance.now() - t0;
        journalTx++;
      }
    }) as typeof wrapped;
  }) as typeof tx;
  // Time spent in the read-back (tgtd and the conf file agree; the workstation logs in and lists the LUNs).
  let verifyMs = 0;
  const verify = t.svc.kinds.check('tgt.target.verify');
  const check = verify.check.bind(verify);
  (verify as { check: typeof check }).check = async (...a) => {
    const t0 = performance.now();
    try {
      return await check(...a);
    } finally {
      verifyMs += performance.now() - t0;
    }
  };
  const ssh = async (argv: string[]) => {
    const r = await run('ssh', [...sshArgs(lab, 'stor1'), '--', shellLine(argv)], { allowFail: true, timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  };
  const tgtadm = (...a: string[]) => ['tgtadm', '-C', String(port), '--lld', 'iscsi', ...a];

  const ours = async (name: string) => {
    const view = await t.plan('planCreate', {
      name, iqn: `${BASE}:${name}`,
      luns: Array.from({ length: LUNS }, () => ({ size: '1GB', backing: { kind: 'sparse' as const } })),
      // Net B (the hypervisors) and net A, where the workstation is: the read-back's login from the workstation gets in.
      access: { networks: NETWORKS },
    });
    const job = await t.apply(view.id);
    if (job.state !== 'succeeded') throw new Error(job.error ?? job.state);
  };
  const baseline = async (name: string) => {
    const tid = String(Math.max(0, ...(await driver.readState()).targets.map((t) => t.tid)) + 1);
    await ssh(tgtadm('--mode', 'target', '--op', 'new', '--tid', tid, '--targetname', `${BASE}:${name}`));
    for (let l = 1; l <= LUNS; l++) {
      const path = `${dir}/${name}${l > 1 ? `_${l - 1}` : ''}`;
      await ssh(['truncate', '-s', String(1024 ** 3), path]);
      await ssh(tgtadm('--mode', 'logicalunit', '--op', 'new', '--tid', tid, '--lun', String(l), '--backing-store', path));
      await ssh(tgtadm('--mode', 'logicalunit', '--op', 'update', '--tid', tid, '--lun', String(l), '--params', `scsi_id=bench-${name}-${l},scsi_sn=${name}${l}`));
    }
    for (const n of NETWORKS) await ssh(tgtadm('--mode', 'target', '--op', 'bind', '--tid', tid, '--initiator-address', n));
  };
  const cleanup = async (name: string) => {
    const t = (await driver.readState()).targets.find((x) => x.iqn === `${BASE}:${name}`);
    if (t) await ssh(tgtadm('--mode', 'target', '--op', 'delete', '--force', '--tid', String(t.tid)));
    await ssh(['sh', '-c', 'rm -f "$1"/"$2" "$1"/"$2"_* /etc/tgt/conf.d/"$2".conf /etc/tgt/conf.d/"$2".conf.prev', 'sh', dir, name]);
  };
  const timed = async (fn: (n: string) => Promise<void>, tag: string): Promise<number> => {
    // The lab is shared: another test run may restart stor1's tgtd mid-round; such a round is redone.
    for (let attempt = 1; ; attempt++) {
      const name = `bench-${tag}-${randomBytes(3).toString('hex')}`;
      const t0 = performance.now();
      try {
        if (process.env.BENCH_DEBUG) console.log(`start ${name}`);
        await fn(name);
        if (process.env.BENCH_DEBUG) console.log(`done ${name} ${(performance.now() - t0).toFixed(0)} ms`);
        return performance.now() - t0;
      } catch (e) {
        if (attempt >= 3) throw e;
        console.log(`round redone (${(e as Error).message.split('\n')[0].slice(0, 120)})`);
      } finally {
        await cleanup(name).catch(() => undefined);
      }
    }
  };
  try {
    await timed(ours, 'o'); // warm-up: SSH connection, JIT
    await timed(baseline, 'b');
    const o: number[] = [];
    const b: number[] = [];
    journalMs = 0;
    journalTx = 0;
    verifyMs = 0;
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) { o.push(await timed(ours, 'o')); b.push(await timed(baseline, 'b')); }
      else { b.push(await timed(baseline, 'b')); o.push(await timed(ours, 'o')); }
    }
    console.log(`targets-bulk: 1 target x ${LUNS} sparse LUNs on stor1, ${ROUNDS} rounds, alternating`);
    console.log(`ours (plan + apply + conf.d + verify, SSH pool): median ${median(o).toFixed(0)} ms  [${o.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`baseline (${1 + NETWORKS.length + LUNS * 3} ssh processes, one per operation): median ${median(b).toFixed(0)} ms  [${b.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`info: journal and job-store write transactions: ${journalTx} in ${ROUNDS} rounds, ${(journalMs / ROUNDS).toFixed(1)} ms per round (${((journalMs / ROUNDS / median(o)) * 100).toFixed(1)}% of ours)`);
    console.log(`info: read-back incl. the workstation's login listing ${LUNS} LUNs: ${(verifyMs / ROUNDS).toFixed(0)} ms per round`);
    console.log(`speedup: ${(median(b) / median(o)).toFixed(2)}`);
  } finally {
    await t.dispose();
  }
}
