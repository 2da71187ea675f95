// Integration: the native initiator against the lab's real tgtd on stor1 (and stor2), compared with
// libiscsi (iscsi-ls / iscsi-inq / iscsi-readcapacity16) run from the workstation (mgmt + storage A),
// and through ssh2 direct-tcpip tunnels from hv1 to stor1's A and B portals.
// Targets, LUN files and CHAP accounts are created on stor1/stor2 with tgtadm run inside the host
// (argv, no shell strings built from values) and removed afterwards. Setup goes through nsenter
// rather than an SSH exec: every root shell on this machine runs pyenv's rehash from ~/.bashrc,
// which stalls for 60 s per command whenever a stale pyenv lock exists. The tunnels do use SSH
// (direct-tcpip channels start no shell).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, loadLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { execOnHost } from '../../../e2e/lab/hosts';
import { consoleInitiatorName, discover, guidWarnings, inspect, sshTunnelConnector, type InspectResult } from './initiator';
import type { Connector } from './connection';
import { surveyPortals } from './survey';

const skip = labSkipReason();

function exec(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe.skipIf(skip)('native iSCSI initiator against the lab tgtd', () => {
  let lab: LabInfo;
  const tag = randomBytes(3).toString('hex');
  const base = 600 + Math.floor(Math.random() * 300); // tids of this run; other suites use low tids
  const prefix = `iqn.2024-01.lab.portico:int-iscsi-${tag}`;
  const T = {
    open: { tid: base, iqn: `${prefix}-open` },
    chap: { tid: base + 1, iqn: `${prefix}-chap` },
    mutual: { tid: base + 2, iqn: `${prefix}-mutual` },
    acl: { tid: base + 3, iqn: `${prefix}-acl` },
  };
  const chapIn = { user: `int-in-${tag}`, secret: `In-${tag}-secret` };
  const chapOut = { user: `int-out-${tag}`, secret: `Out-${tag}-secret` };
  const me = consoleInitiatorName();
  let portalA: { address: string; port: number };
  let portalB: { address: string; port: number };
  const files: Array<[host: string, path: string]> = [];
  const created: Array<[host: string, tid: number]> = [];
  let hv1: ssh2.Client | undefined;

  const tgtadm = async (host: string, args: string[]) => {
    const h = lab.hosts[host];
    const r = await execOnHost(h, ['tgtadm', '-C', String(h.tgt!.controlPort), '--lld', 'iscsi', ...args], { allowFail: true, timeoutMs: 20_000 });
    if (r.code !== 0) throw new Error(`tgtadm ${args.join(' ')} on ${host}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const lunFile = async (host: string, name: string, size: string) => {
    const path = `${lab.hosts[host].storageDir}/${name}`;
    const r = await execOnHost(lab.hosts[host], ['truncate', '-s', size, path], { allowFail: true });
    if (r.code !== 0) throw new Error(`truncate on ${host}: ${r.stderr}`);
    files.push([host, path]);
    return path;
  };
  const newTarget = async (host: string, tid: number, iqn: string, luns: string[]) => {
    await tgtadm(host, ['--op', 'new', '--mode', 'target', '--tid', String(tid), '-T', iqn]);
    created.push([host, tid]);
    for (let i = 0; i < luns.length; i++) {
      const f = await lunFile(host, `int-iscsi-${tag}-t${tid}-l${i + 1}.img`, luns[i]);
      await tgtadm(host, ['--op', 'new', '--mode', 'logicalunit', '--tid', String(tid), '--lun', String(i + 1), '-b', f]);
    }
  };

  beforeAll(async () => {
    lab = loadLab()!;
    const [a, b] = lab.hosts.stor1.tgt!.portals.map((p) => {
      const i = p.lastIndexOf(':');
      return { address: p.slice(0, i), port: Number(p.slice(i + 1)) };
    });
    portalA = a;
    portalB = b;
    await newTarget('stor1', T.open.tid, T.open.iqn, ['64M', '32M']);
    await tgtadm('stor1', ['--op', 'bind', '--mode', 'target', '--tid', String(T.open.tid), '-I', 'ALL']);
    await newTarget('stor1', T.chap.tid, T.chap.iqn, ['16M']);
    await tgtadm('stor1', ['--op', 'bind', '--mode', 'target', '--tid', String(T.chap.tid), '-I', 'ALL']);
    await tgtadm('stor1', ['--op', 'new', '--mode', 'account', '--user', chapIn.user, '--password', chapIn.secret]);
    await tgtadm('stor1', ['--op', 'new', '--mode', 'account', '--user', chapOut.user, '--password', chapOut.secret]);
    await tgtadm('stor1', ['--op', 'bind', '--mode', 'account', '--tid', String(T.chap.tid), '--user', chapIn.user]);
    await newTarget('stor1', T.mutual.tid, T.mutual.iqn, ['16M']);
    await tgtadm('stor1', ['--op', 'bind', '--mode', 'target', '--tid', String(T.mutual.tid), '-I', 'ALL']);
    await tgtadm('stor1', ['--op', 'bind', '--mode', 'account', '--tid', String(T.mutual.tid), '--user', chapIn.user]);
    await tgtadm('stor1', ['--op', 'bind', '--mode', 'account', '--tid', String(T.mutual.tid), '--user', chapOut.user, '--outgoing']);
    // ACL: hv1 and the console are admitted, hv2 is not.
    await newTarget('stor1', T.acl.tid, T.acl.iqn, ['16M']);
    for (const name of [lab.hosts.hv1.initiatorIqn, me]) {
      await tgtadm('stor1', ['--op', 'bind', '--mode', 'target', '--tid', String(T.acl.tid), '--initiator-name', name]);
    }
  }, 120_000);

  afterAll(async () => {
    hv1?.end();
    if (!lab) return;
    for (const [host, tid] of created.reverse()) {
      await tgtadm(host, ['--op', 'delete', '--force', '--mode', 'target', '--tid', String(tid)]).catch((e) => console.warn(String(e)));
    }
    for (const user of [chapIn.user, chapOut.user]) {
      await tgtadm('stor1', ['--op', 'delete', '--mode', 'account', '--user', user]).catch((e) => console.warn(String(e)));
    }
    for (const [host, path] of files) await execOnHost(lab.hosts[host], ['rm', '-f', path], { allowFail: true });
  }, 120_000);

  async function tunnelFromHv1(): Promise<ssh2.Client> {
    if (hv1) return hv1;
    const h = lab.hosts.hv1;
    const expected = Buffer.from(h.ssh.hostKey.split(/\s+/)[1], 'base64');
    const c = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      c.once('ready', () => resolve());
      c.once('error', reject);
      c.connect({
        host: h.ssh.host,
        port: h.ssh.port,
        username: lab.accounts.root.user,
        privateKey: readFileSync(lab.accounts.root.keyPath!),
        hostVerifier: (key: Buffer) => key.equals(expected),
        readyTimeout: 10_000,
      });
    });
    hv1 = c;
    return c;
  }

  async function iscsiLs(portal: { address: string; port: number }, initiator = me): Promise<Set<string>> {
    const r = await exec('iscsi-ls', ['-i', initiator, `iscsi://${portal.address}:${portal.port}`]);
    expect(r.code, r.stderr).toBe(0);
    return new Set(r.stdout.split('\n').filter((l) => l.startsWith('Target:')).map((l) => l.trim()));
  }

  it('discovery returns exactly what iscsi-ls reports (targets and portals)', async () => {
    // Other suites may add targets meanwhile; retry until two reads agree.
    let ours = new Set<string>();
    let theirs = new Set<string>();
    for (let attempt = 0; attempt < 3; attempt++) {
      const d = await discover({ portal: portalA, timeoutMs: 5000 });
      ours = new Set(d.targets.flatMap((t) => t.portals.map((p) => `Target:${t.targetName} Portal:${p.address}:${p.port},${p.tpgt}`)));
      theirs = await iscsiLs(portalA);
      if ([...ours].sort().join() === [...theirs].sort().join()) break;
    }
    expect([...ours].sort()).toEqual([...theirs].sort());
    expect(ours.has(`Target:${T.open.iqn} Portal:${portalA.address}:${portalA.port},1`)).toBe(true);
    expect(ours.has(`Target:${T.acl.iqn} Portal:${portalA.address}:${portalA.port},1`)).toBe(true);
  });

  it('inspect matches iscsi-inq and iscsi-readcapacity16 for every LUN', async () => {
    const r = await inspect({ portal: portalA, target: T.open.iqn, timeoutMs: 5000 });
    expect(r.luns.map((l) => l.lun)).toEqual([0, 1, 2]);
    expect(r.luns[0]).toMatchObject({ deviceTypeName: 'storage-array-controller', product: 'Controller' });
    for (const l of r.luns.slice(1)) {
      const url = `iscsi://${portalA.address}:${portalA.port}/${T.open.iqn}/${l.lun}`;
      const inq = await exec('iscsi-inq', ['-i', me, url]);
      expect(inq.code, inq.stderr).toBe(0);
      const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(inq.stdout)?.[1].trim();
      expect(l.vendor).toBe(field('Vendor'));
      expect(l.product).toBe(field('Product'));
      expect(l.revision).toBe(field('Revision'));
      const sn = await exec('iscsi-inq', ['-i', me, '-e', '1', '-c', '128', url]);
      expect(l.serial).toBe(/Unit Serial Number:\[\s*(.*?)\s*\]/.exec(sn.stdout)?.[1]);
      const rc = await exec('iscsi-readcapacity16', ['-i', me, url]);
      expect(rc.code, rc.stderr).toBe(0);
      expect(l.sizeBytes).toBe(Number(/Total size:(\d+)/.exec(rc.stdout)?.[1]));
      expect(l.blockSize).toBe(Number(/LOGICAL BLOCK LENGTH IN BYTES:(\d+)/.exec(rc.stdout)?.[1]));
      const hexTid = T.open.tid.toString(16).padStart(4, '0');
      expect(l.guid).toBe(`360000000000000000e000000${hexTid}${l.lun!.toString(16).padStart(4, '0')}`);
      expect(l.ready).toBe(true);
    }
    expect(r.luns[1].sizeBytes).toBe(64 * 1024 * 1024);
    expect(r.luns[2].sizeBytes).toBe(32 * 1024 * 1024);
  });

  it('CHAP: the right secret logs in, a wrong one gives the authentication message', async () => {
    const ok = await inspect({ portal: portalA, target: T.chap.iqn, chap: chapIn, timeoutMs: 5000 });
    expect(ok.authentication).toBe('chap');
    expect(ok.luns.find((l) => l.lun === 1)?.sizeBytes).toBe(16 * 1024 * 1024);
    const bad = await inspect({ portal: portalA, target: T.chap.iqn, chap: { user: chapIn.user, secret: 'Wrong-secret-42' }, timeoutMs: 5000 }).catch((e) => e);
    expect(bad.code).toBe('auth-failed');
    expect(bad.message).toMatch(/CHAP authentication failed/);
    const none = await inspect({ portal: portalA, target: T.chap.iqn, timeoutMs: 5000 }).catch((e) => e);
    expect(none.code).toBe('auth-failed');
    expect(none.message).toMatch(/requires CHAP/);
  });

  it('mutual CHAP works and a wrong target secret is caught by the console', async () => {
    const ok = await inspect({ portal: portalA, target: T.mutual.iqn, chap: { ...chapIn, mutual: chapOut }, timeoutMs: 5000 });
    expect(ok.authentication).toBe('mutual-chap');
    const bad = await inspect({ portal: portalA, target: T.mutual.iqn, chap: { ...chapIn, mutual: { user: chapOut.user, secret: 'Not-the-target-1' } }, timeoutMs: 5000 }).catch((e) => e);
    expect(bad.code).toBe('auth-failed');
    expect(bad.message).toMatch(/Mutual CHAP failed/);
  });

  it('an initiator outside the ACL gets "not authorised"; discovery hides what tgt hides', async () => {
    const hv1Name = lab.hosts.hv1.initiatorIqn;
    const hv2Name = lab.hosts.hv2.initiatorIqn;
    const denied = await inspect({ portal: portalA, target: T.acl.iqn, initiatorName: hv2Name, timeoutMs: 5000 }).catch((e) => e);
    expect(denied.code).toBe('not-authorised');
    expect(denied.message).toBe(`Target ${T.acl.iqn} exists on ${portalA.address}:${portalA.port}, but its access list does not admit initiator ${hv2Name}.`);
    const asHv2 = await discover({ portal: portalA, initiatorName: hv2Name, timeoutMs: 5000 });
    expect(asHv2.targets.map((t) => t.targetName)).not.toContain(T.acl.iqn);
    expect(asHv2.targets.map((t) => t.targetName)).toContain(T.open.iqn);
    // iscsi-ls sees the same thing as hv2
    expect([...(await iscsiLs(portalA, hv2Name))].some((l) => l.includes(T.acl.iqn))).toBe(false);
    const asHv1 = await discover({ portal: portalA, initiatorName: hv1Name, timeoutMs: 5000 });
    expect(asHv1.targets.map((t) => t.targetName)).toContain(T.acl.iqn);
    const allowed = await inspect({ portal: portalA, target: T.acl.iqn, initiatorName: hv1Name, timeoutMs: 5000 });
    expect(allowed.luns.some((l) => l.lun === 1 && l.present)).toBe(true);
    const missing = await inspect({ portal: portalA, target: `${prefix}-does-not-exist`, timeoutMs: 5000 }).catch((e) => e);
    expect(missing.code).toBe('target-not-found');
  });

  it('a dead portal times out within the configured limit and leaves no socket', async () => {
    const dead = { address: lab.networks.a.cidr.replace(/\.\d+\/\d+$/, '.250'), port: 3260 };
    const t0 = Date.now();
    const e = await discover({ portal: dead, timeoutMs: 800 }).catch((x) => x);
    const took = Date.now() - t0;
    expect(e.code).toBe('timeout');
    expect(took).toBeGreaterThanOrEqual(790);
    expect(took).toBeLessThan(1500);
    const ss = await exec('ss', ['-tnH', 'dst', `${dead.address}`]);
    expect(ss.stdout.trim()).toBe('');
  });

  it('the same checks through an SSH tunnel from hv1 on network A and network B', async () => {
    const c = await tunnelFromHv1();
    const direct = await inspect({ portal: portalA, target: T.open.iqn, timeoutMs: 5000 });
    for (const portal of [portalA, portalB]) {
      const connect: Connector = sshTunnelConnector(c, portal);
      const d = await discover({ portal, connect, timeoutMs: 5000 });
      const open = d.targets.find((t) => t.targetName === T.open.iqn);
      // tgtd lists the address the connection arrived on: the B portal when tunnelled to B.
      expect(open?.portals).toEqual([{ ...portal, tpgt: 1 }]);
      const r = await inspect({ portal, connect, target: T.open.iqn, timeoutMs: 5000 });
      expect(r.luns.map((l) => [l.lun, l.guid, l.sizeBytes, l.serial])).toEqual(direct.luns.map((l) => [l.lun, l.guid, l.sizeBytes, l.serial]));
      const chap = await inspect({ portal, connect, target: T.mutual.iqn, chap: { ...chapIn, mutual: chapOut }, timeoutMs: 5000 });
      expect(chap.authentication).toBe('mutual-chap');
      const bad = await inspect({ portal, connect, target: T.chap.iqn, chap: { user: chapIn.user, secret: 'Wrong-secret-42' }, timeoutMs: 5000 }).catch((e) => e);
      expect(bad.code).toBe('auth-failed');
      const denied = await inspect({ portal, connect, target: T.acl.iqn, initiatorName: lab.hosts.hv2.initiatorIqn, timeoutMs: 5000 }).catch((e) => e);
      expect(denied.code).toBe('not-authorised');
    }
    // A dead portal through the tunnel also times out in time.
    const dead = { address: lab.networks.b.cidr.replace(/\.\d+\/\d+$/, '.250'), port: 3260 };
    const t0 = Date.now();
    const e = await discover({ portal: dead, connect: sshTunnelConnector(c, dead), timeoutMs: 800 }).catch((x) => x);
    expect(['timeout', 'connection']).toContain(e.code);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  /** A target on stor2 with T.open's tid: the same default scsi_id, hence the same GUID. Made once. */
  let twin: Promise<{ iqn2: string; portal2: { address: string; port: number } }> | undefined;
  const stor2Twin = () =>
    (twin ??= (async () => {
      const iqn2 = `iqn.2024-01.lab.portico:int-iscsi-${tag}-stor2`;
      await newTarget('stor2', T.open.tid, iqn2, ['16M']);
      await tgtadm('stor2', ['--op', 'bind', '--mode', 'target', '--tid', String(T.open.tid), '-I', 'ALL']);
      const p2 = lab.hosts.stor2.tgt!.portals[0];
      return { iqn2, portal2: { address: p2.slice(0, p2.lastIndexOf(':')), port: Number(p2.slice(p2.lastIndexOf(':') + 1)) } };
    })());

  it('warns when one GUID shows up on two servers (tgt defaults collide)', async () => {
    const { iqn2, portal2 } = await stor2Twin();
    const results: Array<InspectResult & { server: string }> = [
      { ...(await inspect({ portal: portalA, target: T.open.iqn, timeoutMs: 5000 })), server: 'stor1' },
      { ...(await inspect({ portal: portal2, target: iqn2, timeoutMs: 5000 })), server: 'stor2' },
    ];
    const w = guidWarnings(results);
    const hexTid = T.open.tid.toString(16).padStart(4, '0');
    const lun1 = w.find((x) => x.guid === `360000000000000000e000000${hexTid}0001`);
    expect(lun1?.sightings.map((s) => s.server).sort()).toEqual(['stor1', 'stor2']);
    expect(lun1?.message).toMatch(/unique scsi_id/);
  });

  it('surveys several portals at once: per-target answers, a dead portal reported, GUID clash across servers', async () => {
    const { iqn2, portal2 } = await stor2Twin();
    const dead = { address: lab.networks.a.cidr.replace(/\.\d+\/\d+$/, '.250'), port: 3260 };
    const r = await surveyPortals({
      portals: [
        { ...portalA, server: 'stor1' },
        { ...portal2, server: 'stor2' },
        dead,
      ],
      timeoutMs: 1500,
    });
    const [a, two, gone] = r.portals;
    expect(gone.ok).toBe(false);
    expect(!gone.ok && ['timeout', 'connection'].includes(gone.error.code)).toBe(true);
    if (!a.ok || !two.ok) throw new Error(`live portals failed: ${JSON.stringify(r.portals)}`);
    // stor1: what discovery shows this initiator, each target inspected on its own
    const byName = new Map(a.targets.map((t) => [t.targetName, t]));
    for (const iqn of [T.open.iqn, T.chap.iqn, T.acl.iqn]) expect(byName.has(iqn), iqn).toBe(true);
    const open = byName.get(T.open.iqn)!;
    expect(open.ok && open.luns.map((l) => [l.lun, l.sizeBytes])).toEqual([[0, undefined], [1, 64 * 1024 * 1024], [2, 32 * 1024 * 1024]]);
    const chap = byName.get(T.chap.iqn)!;
    expect(!chap.ok && chap.error.code).toBe('auth-failed');
    expect(two.targets.map((t) => t.ok && t.targetName)).toContain(iqn2);
    const hexTid = T.open.tid.toString(16).padStart(4, '0');
    const clash = r.guidWarnings.find((w) => w.guid === `360000000000000000e000000${hexTid}0001`);
    expect(clash?.sightings.map((s) => s.server).sort()).toEqual(['stor1', 'stor2']);
    // LUN 2 exists only on stor1: no warning about it
    expect(r.guidWarnings.some((w) => w.guid === `360000000000000000e000000${hexTid}0002`)).toBe(false);
  });
});
