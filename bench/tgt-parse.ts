// `npm run bench -- tgt-parse`: read and parse the live state of a tgtd holding 1,000 targets x 4
// LUNs, ours vs tgt's own tool, alternately in one run (the order rotates every round):
//   ours      `tgtadm --op show --mode target` run from this (already running) Node process, and its
//             output parsed by parseTargetShow (electron/services/targets/tgt/parser.ts) into
//             targets, LUNs, sessions, accounts and ACLs: what the console does on every refresh;
//   baseline  `tgt-admin --dump -C PORT`: tgt's Perl tool runs the same `tgtadm --op show --mode
//             target` and parses it with its regexes into a targets.conf dump (targets, backing
//             stores, accounts, ACLs), what an admin reaches for to read the state as data.
// Both spawn one process tree per read, and both start from the same tgtd state. `speedup: Z` is
// baseline median / ours. The Perl side pays its interpreter start each time; that is its real
// cost to an admin and is counted (the console's own process is long-running, its start is not).
//
// The tgtd is private: its own control port and iSCSI port on loopback, LUNs on tgt's `null`
// backing store (no files: 4,000 open backing files would pass tgtd's 1,024-descriptor limit; the
// show output has the same layout, `Backing store type: null` and the path given), every 5th target
// with a CHAP account, each with an address and a name ACL; it is killed at the end. Needs root and
// tgt (tgtd, tgtadm, tgt-admin).
import { execFile, spawn } from 'node:child_process';
import { median, timeArms } from './compare';
import { parseTargetShow } from '../electron/services/targets/tgt/parser';
import { startLocalTgtd } from '../electron/test-support/tgtd-local';

const CONTROL_PORT = 91;
const PORTAL = { address: '127.0.0.1', port: 3291 };
const TARGETS = 1000;
const LUNS = 4;
const ROUNDS = 15;

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 60_000, maxBuffer: 64 << 20 }, (err, out, errOut) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${errOut || err.message}`)) : resolve(out))),
  );
}

/** Runs a script on bash's stdin (one bash for thousands of tgtadm calls, not one spawn from Node each). */
function bashScript(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-s'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`populating tgtd failed (${code}): ${err.slice(0, 2000)}`))));
    child.stdin.end(script);
  });
}

async function populate(): Promise<void> {
  const t = `tgtadm -C ${CONTROL_PORT} --lld iscsi`;
  const scripts: string[][] = [[], []];
  for (let tid = 1; tid <= TARGETS; tid++) {
    const s = scripts[tid % 2];
    s.push(`${t} --op new --mode target --tid ${tid} -T iqn.2024-01.bench.portico:vm-disk-${tid}`);
    for (let l = 1; l <= LUNS; l++) {
      s.push(`${t} --op new --mode logicalunit --tid ${tid} --lun ${l} --bstype null -b /srv/portico/vm-disk-${tid}${l > 1 ? `_${l - 1}` : ''}`);
    }
    s.push(`${t} --op bind --mode target --tid ${tid} -I 192.0.2.0/24`);
    s.push(`${t} --op bind --mode target --tid ${tid} -Q iqn.1994-05.com.redhat:hv${tid % 7}`);
    if (tid % 5 === 0) {
      s.push(`${t} --mode account --op new --user chap-${tid} --password bench-secret-${tid}`);
      s.push(`${t} --mode account --op bind --tid ${tid} --user chap-${tid}`);
    }
  }
  await Promise.all(scripts.map((s) => bashScript(s.join('\n') + '\n')));
}

const showTargets = () => run('tgtadm', ['-C', String(CONTROL_PORT), '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);

function count(text: string): { targets: number; luns: number } {
  const targets = parseTargetShow(text);
  return { targets: targets.length, luns: targets.reduce((a, t) => a + t.luns.filter((l) => l.lun !== 0).length, 0) };
}

async function ours(): Promise<{ targets: number; luns: number }> {
  return count(await showTargets());
}

async function tgtAdminDump(): Promise<{ targets: number; luns: number }> {
  const out = await run('tgt-admin', ['--dump', '-C', String(CONTROL_PORT)]);
  return { targets: (out.match(/^<target /gm) ?? []).length, luns: (out.match(/^\tbacking-store /gm) ?? []).length };
}

export default async function main(): Promise<void> {
  const tgtd = await startLocalTgtd(CONTROL_PORT, [PORTAL]);
  try {
    const t0 = performance.now();
    await populate();
    const show = await showTargets();
    console.log(`tgt-parse: private tgtd (control port ${CONTROL_PORT}) with ${TARGETS} targets x ${LUNS} LUNs, populated in ${((performance.now() - t0) / 1000).toFixed(1)} s; show output ${show.split('\n').length} lines, ${(show.length / 1024).toFixed(0)} KiB`);
    // Same state, same answer from both, before timing anything.
    const [a, b] = [await ours(), await tgtAdminDump()];
    const want = { targets: TARGETS, luns: TARGETS * LUNS };
    if (JSON.stringify(a) !== JSON.stringify(want) || JSON.stringify(b) !== JSON.stringify(want)) {
      throw new Error(`disagreement: ours ${JSON.stringify(a)}, tgt-admin --dump ${JSON.stringify(b)}, expected ${JSON.stringify(want)}`);
    }
    // A third arm, for information: the `tgtadm --op show` both arms run, read and thrown away.
    const arms = [{ name: 'ours', run: ours }, { name: 'tgt-admin', run: tgtAdminDump }, { name: 'show only', run: showTargets }];
    const [o, base, floor] = (await timeArms(arms, ROUNDS, 2)).map(median);
    const parse: number[] = [];
    for (let i = 0; i < 15; i++) {
      const p0 = performance.now();
      count(show);
      parse.push(performance.now() - p0);
    }
    console.log(`${ROUNDS} rounds, arms alternating`);
    console.log(`info: tgtadm --op show alone (spawned from Node, output read, not parsed): ${floor.toFixed(1)} ms median; parseTargetShow alone: ${median(parse).toFixed(1)} ms median (for information)`);
    console.log(`ours median (tgtadm --op show + parseTargetShow): ${o.toFixed(1)} ms`);
    console.log(`baseline median (tgt-admin --dump -C ${CONTROL_PORT}): ${base.toFixed(1)} ms`);
    console.log(`speedup: ${(base / o).toFixed(2)} (tgt-admin --dump / ours, ${TARGETS} targets x ${LUNS} LUNs, live tgtd)`);
  } finally {
    await tgtd.stop();
  }
}
