// Integration: VdsmClient + wizard + planner against the VDSM TEST DOUBLE running on hv1 (own port, 54341)
// (TLS, client certs required), backed by the real lab tgtd on stor1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as SshClient } from 'ssh2';
import { readFileSync } from 'node:fs';
import { loadLab, labSkipReason, type LabHostInfo, type LabInfo } from '../../lab/labinfo';
import { execOnHost, startOnHost, type LabProcess } from '../../lab/hosts';
import { tcpOpen } from '../../lab/util';
import { startLabDouble, type LabDouble } from '../../../electron/test-support/vdsm-lab';
import { VdsmClient } from '../../../electron/services/vdsm/client';
import { VdsmApi } from '../../../electron/services/vdsm/api';
import { directTlsConnector, readHostIdentity, sshTunnelConnector, type TlsIdentity } from '../../../electron/services/vdsm/transport';
import { connectTarget, discoverViaVdsm, listLuns, readInitiatorName } from '../../../electron/services/hosted-engine/wizard';
import { HE_CONF_PATH, planHostedEngineStorage, type HostedEngineResult } from '../../../electron/services/hosted-engine/planner';
import { heJobEngine } from '../../../electron/test-support/vdsm-recording';
import { readFileStates } from '../../../electron/services/remote/files';
import { IscsiStorageInputSchema } from '../../../shared/domain/hosted-engine';
import { shellLine } from '../../../electron/services/remote/quote';
import type { RemoteRunner, RunResult } from '../../../electron/services/remote/runner';

const reason = labSkipReason();
if (reason) console.warn(`[vdsm double int] skipped: ${reason}`);

const TID0 = 9760; // high tids: clear of other tests' targets on the shared lab tgtd
const PFX = 'iqn.2026-01.lab.portico.vdsm';
const LOGIN = { user: 'he-login', password: 'LoginSecret-9xq' };
const DISC = { user: 'he-disc', password: 'DiscSecret-7kw' };
const PRIVATE_TGT = { port: 3270, control: 7760 };

let lab: LabInfo;
let stor1: LabHostInfo;
let hv1: LabHostInfo;
let pki: LabDouble['pki'];
let lab2: LabDouble;
const PORT = 54341;
let dbl: LabProcess;
let privTgtd: LabProcess | null = null;
let silent: LabProcess | null = null;
const clients: VdsmClient[] = [];
let portalA: string;
let portalB: string;

async function tgtadm(args: string[], control?: number): Promise<void> {
  const r = await execOnHost(stor1, ['tgtadm', ...(control ? ['-C', String(control)] : []), '--lld', 'iscsi', ...args]);
  if (r.code !== 0) throw new Error(`tgtadm ${args.join(' ')}: ${r.stderr}`);
}

async function makeTarget(tid: number, iqn: string, o: { acl: string; chap?: boolean; sizeG: number; control?: number }): Promise<void> {
  const file = `${stor1.storageDir}/vdsm-int-${tid}-${o.control ?? 0}.img`;
  await execOnHost(stor1, ['truncate', '-s', `${o.sizeG}G`, file]);
  await tgtadm(['--mode', 'target', '--op', 'new', '--tid', String(tid), '-T', iqn], o.control);
  await tgtadm(['--mode', 'logicalunit', '--op', 'new', '--tid', String(tid), '--lun', '1', '-b', file], o.control);
  await tgtadm(['--mode', 'target', '--op', 'bind', '--tid', String(tid), ...(o.acl === 'ALL' ? ['-I', 'ALL'] : ['-Q', o.acl])], o.control);
  if (o.chap) {
    await tgtadm(['--mode', 'account', '--op', 'new', '--user', LOGIN.user, '--password', LOGIN.password], o.control).catch(() => undefined);
    await tgtadm(['--mode', 'account', '--op', 'bind', '--tid', String(tid), '--user', LOGIN.user], o.control);
  }
}

async function dropTarget(tid: number, control?: number): Promise<void> {
  await execOnHost(stor1, ['tgtadm', ...(control ? ['-C', String(control)] : []), '--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force', '--tid', String(tid)]);
  await execOnHost(stor1, ['sh', '-c', `rm -f ${stor1.storageDir}/vdsm-int-${tid}-*.img`]);
}

function clientFor(identity: Partial<TlsIdentity>, o: Partial<ConstructorParameters<typeof VdsmClient>[0]> = {}): VdsmClient {
  const c = new VdsmClient({
    connect: directTlsConnector(hv1.addresses.mgmt!, identity as TlsIdentity, PORT, 5_000),
    label: 'hv1',
    reconnect: { attempts: 2, delayMs: 300 },
    retry99: { attempts: 6, baseDelayMs: 200, maxDelayMs: 1000 },
    ...o,
  });
  clients.push(c);
  return c;
}

const goodId = (): TlsIdentity => ({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey });

describe.skipIf(reason)('VDSM double on hv1 backed by the lab tgtd', () => {
  beforeAll(async () => {
    lab = loadLab()!;
    stor1 = lab.hosts.stor1;
    hv1 = lab.hosts.hv1;
    [portalA, portalB] = stor1.tgt!.portals.map((p) => p.split(':')[0]);
    // Open target with the host in its ACL, one with login CHAP, one whose ACL lacks hv1.
    await makeTarget(TID0, `${PFX}:open`, { acl: hv1.initiatorIqn, sizeG: 80 });
    await makeTarget(TID0 + 1, `${PFX}:chap`, { acl: hv1.initiatorIqn, chap: true, sizeG: 80 });
    await makeTarget(TID0 + 2, `${PFX}:acl-miss`, { acl: 'iqn.1994-05.com.example:someone-else', sizeG: 80 });
    // Discovery CHAP is global in tgtd: a private tgtd on stor1 (own port and control port) keeps it
    // from affecting other tests that share the lab tgtd.
    privTgtd = startOnHost(stor1, ['tgtd', '-f', '-C', String(PRIVATE_TGT.control), '--iscsi', `portal=${portalA}:${PRIVATE_TGT.port}`], { stdio: 'log', logName: 'tgtd-vdsm-int' });
    await privTgtd.ready(() => tcpOpen(portalA, PRIVATE_TGT.port), 10_000);
    await makeTarget(1, `${PFX}:disc-chap`, { acl: 'ALL', sizeG: 1, control: PRIVATE_TGT.control });
    await tgtadm(['--mode', 'account', '--op', 'new', '--user', DISC.user, '--password', DISC.password], PRIVATE_TGT.control);
    await tgtadm(['--mode', 'account', '--op', 'bind', '--user', DISC.user], PRIVATE_TGT.control);
    // A portal that accepts TCP and never answers: a hung target.
    silent = startOnHost(stor1, [process.execPath, '-e', `require('net').createServer(()=>{}).listen(3999, '${portalA}')`], { stdio: 'log', logName: 'silent-portal' });
    await silent.ready(() => tcpOpen(portalA, 3999), 10_000);
    lab2 = await startLabDouble(hv1, { port: PORT, name: 'int', args: ['--iscsi-timeout-ms', '10000', '--min-heartbeat-ms', '200', '--hb-pause-ms', '2500', '--recovering-ms', '1500', '--task-ms', '200'] });
    pki = lab2.pki;
    dbl = lab2.proc;
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await lab2?.stop();
    await silent?.stop();
    for (const t of [TID0, TID0 + 1, TID0 + 2]) await dropTarget(t).catch(() => undefined);
    await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--mode', 'account', '--op', 'delete', '--user', LOGIN.user]).catch(() => undefined);
    await privTgtd?.stop(1000);
    await execOnHost(stor1, ['sh', '-c', `rm -f ${stor1.storageDir}/vdsm-int-*.img`]).catch(() => undefined);
  });

  it('TLS without a client certificate, or with one from another CA, is refused', async () => {
    const none = clientFor({ ca: pki.ca }, { reconnect: { attempts: 0, delayMs: 0 } });
    await expect(none.open()).rejects.toMatchObject({ kind: 'connect' });
    const stranger = clientFor({ ca: pki.ca, cert: pki.strangerCert, key: pki.strangerKey }, { reconnect: { attempts: 0, delayMs: 0 } });
    await expect(stranger.open()).rejects.toMatchObject({ kind: 'connect' });
    const ok = clientFor(goodId());
    expect(await ok.call('Host.ping2')).toBe(true);
  });

  it('discovery without CHAP lists the target with its TPGT and every portal', async () => {
    const api = new VdsmApi(clientFor(goodId()));
    // tgtd answers SendTargets with the portal the session came in on: both portals are typed.
    const d = await discoverViaVdsm(api, { hostId: 'hv1', portals: [{ address: portalA, port: 3260 }, { address: portalB, port: 3260 }], discoveryChap: { user: '', password: '' } });
    const t = d.targets.find((x) => x.iqn === `${PFX}:open`);
    expect(t).toBeDefined();
    expect(t!.tpgt).toBe('1');
    expect(t!.portals.map((p) => p.address).sort()).toEqual([portalA, portalB].sort());
    expect(d.targets.some((x) => x.iqn === `${PFX}:acl-miss`)).toBe(false);
  });

  it('discovery with CHAP works with the right secret and gives the 475 words with a wrong one', async () => {
    const api = new VdsmApi(clientFor(goodId()));
    const base = { hostId: 'hv1', portals: [{ address: portalA, port: PRIVATE_TGT.port }] };
    const d = await discoverViaVdsm(api, { ...base, discoveryChap: DISC });
    expect(d.targets.map((t) => t.iqn)).toContain(`${PFX}:disc-chap`);
    const err = (await discoverViaVdsm(api, { ...base, discoveryChap: { user: DISC.user, password: 'wrong-secret-1' } }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/discovery \(SendTargets\) failed/i);
    expect(err.message).toMatch(/discovery CHAP/);
    expect(err.message).not.toContain('wrong-secret-1');
  });

  it('wrong login CHAP gives the 476 message; the right one shows the LUN', async () => {
    const api = new VdsmApi(clientFor(goodId()));
    const target = { iqn: `${PFX}:chap`, tpgt: '1', portals: [{ address: portalA, port: 3260 }, { address: portalB, port: 3260 }] };
    const bad = await connectTarget(api, target, { user: LOGIN.user, password: 'not-the-secret' });
    expect(bad.connected).toBe(0);
    expect(bad.problems.map((p) => p.code)).toEqual([476, 476]);
    expect(bad.problems[0].message).toMatch(/rejected the login CHAP/);
    const good = await connectTarget(api, target, LOGIN);
    expect(good.connected).toBe(2);
    const l = await listLuns(api, target.iqn, 58, hv1.initiatorIqn);
    expect(l.rows).toHaveLength(1);
    expect(l.rows[0].pathsActive).toBe(2);
    expect(l.rows[0].eligible).toBe(true);
  });

  it('ACL miss: no LUNs, with this host\'s initiator name shown', async () => {
    const api = new VdsmApi(clientFor(goodId()));
    const target = { iqn: `${PFX}:acl-miss`, tpgt: '1', portals: [{ address: portalA, port: 3260 }] };
    const c = await connectTarget(api, target, { user: '', password: '' });
    expect(c.connected).toBe(0);
    expect(c.problems[0].code).toBe(465);
    const l = await listLuns(api, target.iqn, 58, hv1.initiatorIqn);
    expect(l.rows).toEqual([]);
    expect(l.noLuns?.message).toContain(hv1.initiatorIqn);
    expect(l.noLuns?.nextStep).toContain(hv1.initiatorIqn);
  });

  it('a dead portal gives a timeout message within the limit', async () => {
    const api = new VdsmApi(clientFor(goodId()));
    const t0 = Date.now();
    const err = (await discoverViaVdsm(api, { hostId: 'hv1', portals: [{ address: portalA, port: 3999 }], discoveryChap: { user: '', password: '' } }, { timeoutMs: 2000 }).catch((e: unknown) => e)) as Error;
    const took = Date.now() - t0;
    expect(err.message).toMatch(/did not finish within 2 s/);
    expect(took).toBeLessThan(3500);
  });

  it('heart-beat loss is detected and the client reconnects', async () => {
    const c = clientFor(goodId(), { incomingHeartbeatMs: 400, outgoingHeartbeatMs: 0 });
    await c.open();
    const lost = new Promise<string>((r) => c.once('disconnect', r));
    process.kill(dbl.pid, 'SIGHUP');
    expect(await lost).toMatch(/heart-beat/);
    await new Promise((r) => setTimeout(r, 2800)); // until the double beats again
    expect(await c.call('Host.ping2')).toBe(true);
    expect(c.connectCount).toBe(2);
  });

  it('code 99 (VDSM starting) is retried until VDSM answers', async () => {
    const logs: string[] = [];
    const c = clientFor(goodId(), { log: (l) => logs.push(l) });
    await c.open();
    process.kill(dbl.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 100));
    expect(await c.call('Host.ping2')).toBe(true);
    expect(logs.some((l) => /code 99.*retry/.test(l))).toBe(true);
  });

  it('full plan over the client-cert identity, through the JobRunner; hosted-engine.conf written on hv1 atomically, its old bytes restored by a rollback', async () => {
    const runner: RemoteRunner = {
      label: 'hv1',
      run: (argv, o) => execOnHost(hv1, [...argv], { input: o?.stdin === undefined ? undefined : String(o.stdin), allowFail: true, timeoutMs: o?.timeoutMs }),
    };
    await execOnHost(hv1, ['sh', '-c', 'mkdir -p /etc/ovirt-hosted-engine && printf "fqdn=engine.lab\\nhost_id=1\\nstorage=old\\n" > /etc/ovirt-hosted-engine/hosted-engine.conf']);
    const api = new VdsmApi(clientFor(goodId()));
    const initiatorName = await readInitiatorName(runner);
    expect(initiatorName).toBe(hv1.initiatorIqn);
    const target = { iqn: `${PFX}:chap`, tpgt: '1', portals: [{ address: portalA, port: 3260 }, { address: portalB, port: 3260 }] };
    expect((await connectTarget(api, target, LOGIN)).connected).toBe(2);
    const l = await listLuns(api, target.iqn, 58, initiatorName);
    const input = IscsiStorageInputSchema.parse({ storageType: 'iscsi', hostId: 'hv1', portals: [{ address: portalA }, { address: portalB }], loginChap: LOGIN, target, lunGuid: l.rows[0].guid });
    const remote = { runner: () => runner };
    const pre = (await readFileStates(remote, 'hv1', [HE_CONF_PATH])).get(HE_CONF_PATH)!;
    const mkPlan = async () =>
      planHostedEngineStorage(input, { host: { id: 'hv1', label: 'hv1' }, knownDevices: l.devices, liveDevices: await api.getDeviceList({ storageType: 3, checkStatus: false }), conf: { pre, dirExists: true } }, { writeConf: true });
    // First a run whose last operation (the conf write) fails: everything is undone, the file is as before.
    const snapBefore = await api.rpc.call('PorticoTestDouble.stateSnapshot', {});
    const plan0 = await mkPlan();
    const failing = heJobEngine(api, { remote, failpoints: [{ planKind: plan0.kind, op: plan0.steps.flatMap((s) => s.ops).length, mode: 'fail' }] });
    const j0 = await failing.run(plan0);
    failing.dispose();
    expect(j0.state, j0.error ?? '').toBe('failed');
    expect(await api.rpc.call('PorticoTestDouble.stateSnapshot', {})).toEqual(snapBefore);
    expect((await execOnHost(hv1, ['cat', HE_CONF_PATH])).stdout).toBe(pre.content);
    const e = heJobEngine(api, { remote });
    const plan = await mkPlan();
    const job = await e.run(plan);
    e.dispose();
    expect(job.state, job.error ?? '').toBe('succeeded');
    const res = job.result as HostedEngineResult;
    expect(BigInt(res.domain.totalBytes)).toBeGreaterThan(70n * 1024n ** 3n);
    expect(res.vg?.pvs).toEqual([l.rows[0].guid]);
    expect(res.confWritten).toEqual({ path: HE_CONF_PATH, backup: null });
    const conf = (await execOnHost(hv1, ['cat', '/etc/ovirt-hosted-engine/hosted-engine.conf'])).stdout;
    expect(conf).toContain('fqdn=engine.lab');
    expect(conf).toContain(`storage=${portalA},${portalB}`);
    expect(conf).toContain(`iqn=${target.iqn}`);
    expect(conf).toContain(`portal=${target.tpgt}`);
    expect(conf).toContain(`password=${LOGIN.password}`); // oVirt keeps it in clear there, as the wizard says
    expect(JSON.stringify([job, res])).not.toContain(LOGIN.password);
    // Leave the double free for the next tests: release the pool as an admin would.
    await api.spmStop(res.pool.spUUID);
    await api.disconnectStoragePool(res.pool.spUUID, 1, res.pool.spUUID);
    await execOnHost(hv1, ['rm', '-rf', '/etc/ovirt-hosted-engine']);
  }, 60_000);

  it('zero-config identity: SSH tunnel to hv1 with the host vdsm cert read over SSH into memory', async (tctx) => {
    const ssh = new SshClient();
    await new Promise<void>((resolve, reject) => {
      ssh.once('ready', () => resolve()).once('error', reject);
      ssh.connect({ host: hv1.ssh.host, port: hv1.ssh.port, username: 'root', privateKey: readFileSync(lab.accounts.root.keyPath!), readyTimeout: 10_000 });
    });
    try {
      const runner: RemoteRunner = {
        label: 'hv1',
        run: (argv, o) =>
          new Promise<RunResult>((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`ssh command timed out: ${argv[0]}`)), o?.timeoutMs ?? 10_000);
            ssh.exec(shellLine(argv), (err, ch) => {
              if (err) return reject(err);
              let stdout = '';
              let stderr = '';
              let code: number | null = null;
              ch.on('data', (b: Buffer) => (stdout += b.toString()));
              ch.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
              ch.on('exit', (c: number | null) => (code = c));
              ch.on('close', () => {
                clearTimeout(t);
                resolve({ code, stdout, stderr });
              });
              if (o?.stdin !== undefined) ch.end(o.stdin);
              else ch.end();
            });
          }),
      };
      const probe = await runner.run(['true'], { timeoutMs: 8_000 }).catch((e: Error) => e);
      if (probe instanceof Error) {
        console.warn(`[vdsm double int] zero-config test skipped: SSH to hv1 opens sessions but commands do not complete (${probe.message}); lab SSH problem`);
        tctx.skip();
        return;
      }
      const identity = await readHostIdentity(runner);
      expect(identity.cert).toBe(pki.serverCert);
      const c = new VdsmClient({ connect: sshTunnelConnector(async () => ssh, identity, { servername: '127.0.0.1', port: PORT }), label: 'hv1 (ssh)' });
      clients.push(c);
      expect(await c.call('Host.ping2')).toBe(true);
      expect(await c.call('Host.getConnectedStoragePools')).toEqual(expect.any(Array));
      await c.close();
    } finally {
      ssh.end();
    }
  }, 60_000);
});
