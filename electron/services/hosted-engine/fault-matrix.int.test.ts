// Fault matrix for the hosted-engine iSCSI plan against the VDSM TEST DOUBLE on hv1 (its own port),
// backed by the lab tgtd on stor1, with hosted-engine.conf written on hv1:
//  (a) operation k fails (failpoint "fail"), in process, for every k: the JobRunner rolls back;
//  (c) the console is SIGKILLed during operation k (a real child process, failpoint "kill"), for
//      every k; then a console opened on the same data folder builds the offered rollback plan and
//      applies it.
// After each case the double's whole state (test-only snapshot endpoint) and hosted-engine.conf
// (bytes, mode, owner) must equal what they were right before the apply. Prints the table and
// `fault matrix: K cases, K restored`.
import { contractCaller } from '../../test-support/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { labSkipReason, requireLab, type LabHostInfo, type LabInfo } from '../../../e2e/lab/labinfo';
import { execOnHost } from '../../../e2e/lab/hosts';
import { SNAPSHOT_METHOD } from '../../../e2e/doubles/vdsm/double';
import { startLabDouble, type LabDouble } from '../../test-support/vdsm-lab';
import type { FmConfig } from '../../test-support/hosted-engine-console';
import { createServices, type Services } from '../app';
import { PassphraseCipher } from '../secrets';
import { JobRunner } from '../jobs/runner';
import { VdsmClient } from '../vdsm/client';
import { VdsmApi, DomainType } from '../vdsm/api';
import { directTlsConnector } from '../vdsm/transport';
import type { AddHostResult, HostView } from '../../../shared/features/hosts';
import type { HeLunsResult } from '../../../shared/domain/hosted-engine-views';
import type { JobView, PlanView } from '../../../shared/plan';
import { HE_CONF_PATH, PLAN_KIND } from './planner';

const reason = labSkipReason();
if (reason) console.warn(`[he fault matrix] skipped: ${reason}`);

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PORT = 54351;
const TID = 9790;
const IQN = 'iqn.2026-01.lab.portico.he-fm:target';
const CHAP = { user: 'he-fm', password: 'FmLoginSecret-4q' };
const PASSPHRASE = 'fault matrix passphrase';
const CONF_BEFORE = 'fqdn=engine.lab\nhost_id=1\nstorage=old\n';

let lab: LabInfo;
let stor1: LabHostInfo;
let hv1: LabHostInfo;
let dbl: LabDouble;
let probe: VdsmClient;
let api: VdsmApi;
let cfg: FmConfig;
const rows: string[][] = [];
let restored = 0;

async function tgtadm(args: string[]): Promise<void> {
  const r = await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', ...args]);
  if (r.code !== 0) throw new Error(`tgtadm ${args.join(' ')}: ${r.stderr}`);
}

/** The double's state and hosted-engine.conf's bytes, mode and owner. */
async function state(): Promise<string> {
  const snap = await api.rpc.call(SNAPSHOT_METHOD, {});
  const f = await execOnHost(hv1, ['sh', '-c', `if [ -e ${HE_CONF_PATH} ]; then stat -c '%a %u:%g' ${HE_CONF_PATH}; sha256sum < ${HE_CONF_PATH}; else echo absent; fi; ls -a /etc/ovirt-hosted-engine 2>&1`]);
  return JSON.stringify({ vdsm: snap, conf: f.stdout });
}

/** Logs the host out of the target again, so every case starts with the LUN new to the host (seed branch 1). */
async function resetSessions(): Promise<void> {
  const conns = cfg.target.portals.map((p) => ({ id: '00000000-0000-0000-0000-000000000000', connection: p.address, port: String(p.port), iqn: IQN, tpgt: '1', user: CHAP.user, password: CHAP.password }));
  await api.disconnectStorageServer('00000000-0000-0000-0000-000000000000', DomainType.ISCSI, conns);
}

function services(dataDir: string): Services {
  return createServices({ dataDir, mode: 'browser', cipher: (db) => new PassphraseCipher(db, PASSPHRASE) });
}

const call = <T>(svc: Services, name: string, input: unknown) => contractCaller(svc)<T>(name, input);

function startConsole(dataDir: string, k: number): { child: ChildProcess; lines: AsyncIterator<string>; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'electron/test-support/hosted-engine-console.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORTICO_DATA_DIR: dataDir, PORTICO_VDSM_PORT: String(PORT), PORTICO_FAILPOINTS: `${PLAN_KIND}#${k}=kill`, HE_FM_CONFIG: JSON.stringify(cfg) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const queue: string[] = [];
  const waiters: ((v: IteratorResult<string>) => void)[] = [];
  let buf = '';
  let ended = false;
  child.stdout!.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w({ value: l, done: false });
      else queue.push(l);
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => {
      ended = true;
      for (const w of waiters.splice(0)) w({ value: undefined, done: true });
      r({ code, signal });
    }),
  );
  const lines: AsyncIterator<string> = {
    next: () => (queue.length ? Promise.resolve({ value: queue.shift()!, done: false }) : ended ? Promise.resolve({ value: undefined, done: true }) : new Promise((r) => waiters.push(r))),
  };
  return { child, lines, exit, stderr: () => err };
}

describe.skipIf(reason)('hosted-engine fault matrix against the VDSM double', () => {
  beforeAll(async () => {
    lab = requireLab();
    stor1 = lab.hosts.stor1;
    hv1 = lab.hosts.hv1;
    const portals = stor1.tgt!.portals.map((p) => ({ address: p.split(':')[0], port: 3260 }));
    const file = `${stor1.storageDir}/he-fm-${TID}.img`;
    await execOnHost(stor1, ['truncate', '-s', '80G', file]);
    await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force', '--tid', String(TID)], { allowFail: true });
    await tgtadm(['--mode', 'target', '--op', 'new', '--tid', String(TID), '-T', IQN]);
    await tgtadm(['--mode', 'logicalunit', '--op', 'new', '--tid', String(TID), '--lun', '1', '-b', file]);
    await tgtadm(['--mode', 'target', '--op', 'bind', '--tid', String(TID), '-Q', hv1.initiatorIqn]);
    await tgtadm(['--mode', 'account', '--op', 'new', '--user', CHAP.user, '--password', CHAP.password]).catch(() => undefined);
    await tgtadm(['--mode', 'account', '--op', 'bind', '--tid', String(TID), '--user', CHAP.user]);
    dbl = await startLabDouble(hv1, { port: PORT, name: 'fm', args: ['--iscsi-timeout-ms', '10000', '--task-ms', '200'] });
    probe = new VdsmClient({ connect: directTlsConnector(hv1.addresses.mgmt!, { ca: dbl.pki.ca, cert: dbl.pki.clientCert, key: dbl.pki.clientKey }, PORT, 5_000), label: 'hv1 (fault matrix probe)' });
    api = new VdsmApi(probe);
    cfg = { passphrase: PASSPHRASE, hv1: { address: hv1.ssh.host, port: hv1.ssh.port, keyPath: lab.accounts.root.keyPath! }, portals: [portals[0]], target: { iqn: IQN, tpgt: '1', portals }, loginChap: CHAP, writeConf: true };
    // An existing hosted-engine.conf (mode 0600): its bytes, mode and owner must come back.
    await execOnHost(hv1, ['sh', '-c', `mkdir -p /etc/ovirt-hosted-engine && printf '${CONF_BEFORE.replace(/\n/g, '\\n')}' > ${HE_CONF_PATH} && chmod 600 ${HE_CONF_PATH}`]);
    process.env.PORTICO_VDSM_PORT = String(PORT);
  }, 120_000);

  afterAll(async () => {
    delete process.env.PORTICO_VDSM_PORT;
    delete process.env.PORTICO_FAILPOINTS;
    const w = [4, 34, 16, 24, 10];
    const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i] ?? 10)).join(' ');
    if (rows.length) {
      console.log(['', line(['k', 'operation', 'fault', 'job after the fault', 'restored']), ...rows.map(line), `fault matrix: ${rows.length} cases, ${restored} restored`].join('\n'));
    }
    await probe?.close();
    await dbl?.stop();
    await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force', '--tid', String(TID)]).catch(() => undefined);
    await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--mode', 'account', '--op', 'delete', '--user', CHAP.user]).catch(() => undefined);
    await execOnHost(stor1, ['rm', '-f', `${stor1.storageDir}/he-fm-${TID}.img`]).catch(() => undefined);
    await execOnHost(hv1, ['rm', '-rf', '/etc/ovirt-hosted-engine']).catch(() => undefined);
  });

  it('(a) operation k fails, for every k: the job rolls back and VDSM and hosted-engine.conf are as before', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portico-he-fm-a-'));
    const svc = services(dataDir);
    try {
      const added = await call<AddHostResult>(svc, 'hosts.add', { name: 'hv1', address: cfg.hv1.address, port: cfg.hv1.port, user: 'root', auth: { kind: 'key', keyPath: cfg.hv1.keyPath }, sudo: false, roles: ['ovirt-host'] });
      const hostId = (await call<HostView>(svc, 'hosts.acceptKey', { hostId: added.host.id, fingerprint: added.hostKey!.fingerprint })).id;
      let n = Infinity;
      for (let k = 1; k <= n; k++) {
        await resetSessions();
        await call(svc, 'he.discover', { hostId, portals: cfg.portals, discoveryChap: { user: '', password: '' } });
        await call(svc, 'he.connect', { hostId, target: cfg.target, loginChap: CHAP });
        const luns = await call<HeLunsResult>(svc, 'he.luns', { hostId, iqn: IQN, diskSizeGiB: 58, portals: cfg.target.portals });
        const plan = await call<PlanView>(svc, 'he.plan', { storage: { storageType: 'iscsi', hostId, portals: cfg.portals, discoveryChap: { user: '', password: '' }, loginChap: CHAP, target: cfg.target, lunGuid: luns.rows[0].guid }, writeConf: true });
        const ops = plan.steps.flatMap((s) => s.ops);
        n = ops.length;
        expect(ops[0].kind).toBe('vdsm.discoverSendTargets'); // seed branch 1 every time
        const before = await state();
        const runner = new JobRunner({ db: svc.db, plans: svc.plans, audit: svc.audit, events: svc.events, kinds: svc.kinds, vault: svc.secrets, failpoints: [{ planKind: PLAN_KIND, op: k, mode: 'fail' }] });
        const job = await (await runner.apply(plan.id)).done;
        const same = (await state()) === before;
        if (same && job.state === 'failed') restored++;
        rows.push([String(k), ops[k - 1].kind, 'fails', job.state, same ? 'yes' : 'NO']);
        expect(job.state, job.error ?? '').toBe('failed');
        expect(await state(), `k=${k}`).toBe(before);
      }
    } finally {
      await svc.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('(c) the console is SIGKILLed during operation k, for every k: after a restart the offered rollback restores VDSM and hosted-engine.conf', async () => {
    let n = Infinity;
    for (let k = 1; k <= n; k++) {
      await resetSessions();
      const dataDir = mkdtempSync(join(tmpdir(), 'portico-he-fm-c-'));
      try {
        const c = startConsole(dataDir, k);
        const first = await c.lines.next();
        if (first.done || !first.value.startsWith('PLANNED ')) throw new Error(`console did not plan: ${first.value ?? ''} ${c.stderr()}`);
        const planned = JSON.parse(first.value.slice(8)) as { ops: string[] };
        n = planned.ops.length;
        expect(planned.ops[0]).toBe('vdsm.discoverSendTargets');
        const before = await state();
        c.child.stdin!.write('GO\n');
        const ex = await c.exit;
        expect(ex.signal, `k=${k}: the console should have been killed (${c.stderr()})`).toBe('SIGKILL');
        // The console comes back (a restart takes a moment; VDSM finishes what it had started).
        await new Promise((r) => setTimeout(r, 700));
        const svc = services(dataDir);
        let jobState = '?';
        try {
          const jobs = await call<JobView[]>(svc, 'jobs.list', { limit: 10 });
          const job = jobs.find((j) => j.kind === PLAN_KIND)!;
          jobState = job.state;
          expect(job.state).toBe('interrupted');
          let rb: PlanView | null = null;
          try {
            rb = await svc.jobs.planRollback(job.id);
          } catch (e) {
            if ((e as { code?: string }).code !== 'nothing-to-undo') throw e;
          }
          if (rb) {
            const r = await (await svc.jobs.apply(rb.id)).done;
            expect(r.state, r.error ?? '').toBe('succeeded');
            expect(svc.jobs.get(job.id).state).toBe('rolled-back');
          }
        } finally {
          await svc.close();
        }
        const same = (await state()) === before;
        if (same) restored++;
        rows.push([String(k), planned.ops[k - 1], 'SIGKILL', jobState, same ? 'yes' : 'NO']);
        expect(await state(), `k=${k}`).toBe(before);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }, 600_000);
});
