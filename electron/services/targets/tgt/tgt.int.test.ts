// The targets feature against the lab's stor1 through the real service graph: the host added as
// the Hosts page adds it, plans built by the targets.* calls, applied by the JobRunner (real sshd
// via the SSH pool, real tgtd, real tgt-admin).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { labSkipReason, loadLab, type LabInfo } from '../../../../e2e/lab/labinfo';
import { fillStorage, freeStorage, restartTgtd } from '../../../../e2e/lab/faults';
import { sshRun } from '../../../../e2e/lab/ssh';
import type { TgtDriver } from './driver';
import { computeDrift } from './drift';
import { readTargetsView } from './view';
import { holdSession } from '../../../test-support/iscsi-hold';
import { openLabTargets, type LabTargets } from '../../../test-support/lab-targets';
import { generateChapSecret, type TargetInput } from '../../../../shared/domain/target';
import { MASK, type PlanView } from '../../../../shared/plan';

const reason = labSkipReason();
const rnd = () => randomBytes(3).toString('hex');
const BASE = 'iqn.2024-01.lab.portico';

describe.skipIf(reason)('tgt on lab stor1 over SSH', () => {
  let lab: LabInfo;
  let t: LabTargets;
  let driver: TgtDriver;
  const created: string[] = [];
  const plan = (call: Parameters<LabTargets['plan']>[0], input: object) => t.plan(call, input as Record<string, unknown>);
  const create = (input: Omit<TargetInput, 'serverId'>) => plan('planCreate', input);
  const apply = (v: PlanView) => t.apply(v.id);
  const stor1 = () => lab.hosts.stor1;
  const portalA = () => stor1().tgt!.portals[0];
  const portalB = () => stor1().tgt!.portals[1];

  beforeAll(async () => {
    lab = loadLab()!;
    t = await openLabTargets(lab, 'stor1');
    driver = t.driver;
    await freeStorage(stor1());
  });

  afterAll(async () => {
    if (!lab) return;
    await freeStorage(stor1()).catch(() => undefined);
    const st = await driver.readState().catch(() => null);
    for (const iqn of created) {
      const t = st?.targets.find((x) => x.iqn === iqn);
      if (t) await sshRun(lab, 'stor1', ['tgtadm', '-C', String(stor1().tgt!.controlPort), '--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force', '--tid', String(t.tid)], { allowFail: true });
    }
    await sshRun(lab, 'stor1', `rm -f /etc/tgt/conf.d/pt-* /srv/portico/pt-*`, { allowFail: true });
    await t?.dispose();
  });

  /** Everything the rollback promise covers: tgtd state (without sessions), conf.d, storage folder. */
  async function snapshot() {
    const [st, confs, storage] = await Promise.all([driver.readState(), driver.readConfFiles(), driver.listStorage()]);
    const all = await driver.readFiles(((await sshRun(lab, 'stor1', ['sh', '-c', 'ls -1 /etc/tgt/conf.d/ | sed "s|^|/etc/tgt/conf.d/|"'])).stdout).split('\n').filter(Boolean));
    return {
      targets: st.targets.map((t) => ({ ...t, sessions: [] })),
      accounts: [...st.accounts].sort(),
      confs: confs.map((c) => [c.path, c.text]),
      confDir: [...all].map(([p, c]) => [p, c?.toString('base64') ?? null]),
      storage: storage.map((f) => [f.path, f.size, f.allocated]),
    };
  }

  /** iscsi-ls -s from a lab hypervisor: logs in and lists LUNs with sizes. */
  async function lsFrom(host: string, portal: string, initiator: string) {
    const r = await sshRun(lab, host, ['iscsi-ls', '-s', '-i', initiator, `iscsi://${portal}`], { allowFail: true, timeoutMs: 20_000 });
    return r.stdout + r.stderr;
  }

  /** Raw login from the workstation (address 203.0.113.1 on net A). */
  async function loginFromWorkstation(iqn: string, initiator: string) {
    const [host, port] = portalA().split(':');
    const s = await holdSession({ host, port: Number(port), targetName: iqn, initiatorName: initiator });
    await s.close();
    return s.statusClass === 0;
  }

  function netManagerInput(name: string): Omit<TargetInput, 'serverId'> {
    return {
      name,
      iqn: `${BASE}:${name}`,
      comment: 'XenServer pool storage',
      luns: [
        { size: '750GB', backing: { kind: 'sparse' }, readonly: false },
        { size: '500MB', backing: { kind: 'sparse' }, readonly: false },
      ],
      access: {
        initiators: ['iqn.2011-07.com.example:89abcdef', 'iqn.2011-07.com.example:01234567'],
        // NetManager's example network is 192.168.100.0/24; in the lab net B plays that role.
        networks: ['192.0.2.0/24'],
      },
    };
  }

  it('NetManager example: xenserver with 750GB + 500MB sparse LUNs, 2 initiators, 1 network; survives kill + restart', async () => {
    const name = `pt-xenserver-${rnd()}`;
    const view = await create(netManagerInput(name));
    created.push(`${BASE}:${name}`);
    expect(view.hostIds).toEqual([t.hostId]);
    expect(view.warnings.join('\n')).toMatch(/Sparse overcommit: .*750/);
    expect(view.artifacts[0].content).toContain(`<backing-store /srv/portico/${name}>`);
    expect(view.artifacts[0].content).toContain(`<backing-store /srv/portico/${name}_1>`);
    const job = await apply(view);
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    const result = job.result as { luns: { lun: number; sizeBytes: number; allocatedBytes: number }[]; login: { asHost: boolean; luns: { lun: number; sizeBytes: number }[] } };
    expect(result.luns.map((l) => [l.lun, l.sizeBytes])).toEqual([[1, 750 * 1024 ** 3], [2, 500 * 1024 ** 2]]);
    expect(result.luns[0].allocatedBytes).toBeLessThan(1024 ** 2);
    // The verify check logged in from the workstation as the first allowed initiator name (tgt ORs the rules).
    expect(result.login.asHost).toBe(true);
    expect(result.login.luns.map((l) => [l.lun, l.sizeBytes])).toEqual([[1, 750 * 1024 ** 3], [2, 500 * 1024 ** 2]]);

    // Native initiator on hv1 (net B, inside the allowed network) logs in and lists both LUNs.
    const ls = await lsFrom('hv1', portalB(), lab.hosts.hv1.initiatorIqn);
    expect(ls).toContain(`${BASE}:${name}`);
    // iscsi-ls prints the last LBA rounded down (749G); READ CAPACITY(16) gives the exact size.
    expect(ls).toMatch(/Lun:1\b.*Size:(749|750)G/);
    expect(ls).toMatch(/Lun:2\b.*Size:(499|500)M/);
    const rc = await sshRun(lab, 'hv1', ['iscsi-readcapacity16', '-i', lab.hosts.hv1.initiatorIqn, `iscsi://${portalB()}/${BASE}:${name}/1`], { allowFail: true });
    expect(rc.stdout + rc.stderr).toMatch(/LOGICAL BLOCK LENGTH IN BYTES:512\b/);
    expect(rc.stdout).toContain(`Total size:${750 * 1024 ** 3}`);
    // Outside the network and not a listed name: refused. Listed name from anywhere: allowed (tgt ORs rules).
    expect(await loginFromWorkstation(`${BASE}:${name}`, 'iqn.1999-01.lab.portico:intruder')).toBe(false);
    expect(await loginFromWorkstation(`${BASE}:${name}`, 'iqn.2011-07.com.example:89abcdef')).toBe(true);

    const before = (await driver.readState()).targets.find((t) => t.iqn === `${BASE}:${name}`)!;
    await restartTgtd(stor1());
    const after = (await driver.readState()).targets.find((t) => t.iqn === `${BASE}:${name}`)!;
    expect(after).toBeDefined();
    const strip = (t: typeof before) => ({ iqn: t.iqn, luns: t.luns.filter((l) => l.lun > 0), a: t.aclAddresses, n: t.aclNames, acc: t.accounts });
    expect(strip(after)).toEqual(strip(before));
    expect(await loginFromWorkstation(`${BASE}:${name}`, 'iqn.1999-01.lab.portico:intruder')).toBe(false);
    expect(await lsFrom('hv1', portalB(), lab.hosts.hv1.initiatorIqn)).toMatch(/Lun:2\b.*Size:(499|500)M/);
    const drift = computeDrift(await driver.readState(), await driver.readConfFiles());
    expect(drift.targets.find((t) => t.iqn === `${BASE}:${name}`)?.status).toBe('in-sync');
  });

  it('names-only target is not opened to everyone, after a restart too; CHAP + mutual persisted, secrets masked', async () => {
    const name = `pt-names-${rnd()}`;
    const secret = generateChapSecret();
    const mutual = generateChapSecret();
    const view = await create({
      name, iqn: `${BASE}:${name}`,
      luns: [{ size: '8MB', backing: { kind: 'full' }, readonly: true, vendorId: 'PORTICO', productId: 'VDISK' }],
      access: { initiators: [lab.hosts.hv2.initiatorIqn], networks: [], chap: { user: `pt-in-${rnd()}`, secret, mutual: { user: `pt-out-${rnd()}`, secret: mutual } } },
    });
    created.push(`${BASE}:${name}`);
    const shown = JSON.stringify(view);
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(mutual);
    expect(shown).toContain(MASK);
    const job = await apply(view);
    expect(job.error).toBeNull();
    expect(JSON.stringify(job)).not.toContain(secret);
    expect(JSON.stringify(t.svc.audit.list(500))).not.toContain(secret);
    // Neither the journal nor anything else in the data folder holds a secret.
    t.svc.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of readdirSync(t.dataDir)) expect(readFileSync(join(t.dataDir, f)).includes(secret), f).toBe(false);
    const conf = (await driver.readConfFiles()).find((f) => f.path.endsWith(`/${name}.conf`))!;
    expect(conf.text).toContain('initiator-address 255.255.255.255');
    expect(conf.text).toContain(`incominguser `);
    // The file holds the CHAP secrets: 0600, root's.
    expect((await sshRun(lab, 'stor1', ['stat', '-c', '%a %U', conf.path])).stdout.trim()).toBe('600 root');
    for (const phase of ['before restart', 'after restart']) {
      const t = (await driver.readState()).targets.find((x) => x.iqn === `${BASE}:${name}`)!;
      expect(t.aclAddresses, phase).toEqual(['255.255.255.255']);
      expect(t.aclAddresses, phase).not.toContain('ALL');
      expect(t.accounts.map((a) => a.outgoing).sort(), phase).toEqual([false, true]);
      expect(t.luns[1].readonly, phase).toBe(true);
      expect(await loginFromWorkstation(`${BASE}:${name}`, 'iqn.1999-01.lab.portico:intruder'), phase).toBe(false);
      if (phase === 'before restart') await restartTgtd(stor1());
    }
  });

  it('add LUN, edit access, drift detection and one-click reconcile', async () => {
    const name = `pt-flows-${rnd()}`;
    const iqn = `${BASE}:${name}`;
    created.push(iqn);
    expect((await apply(await create({ name, iqn, luns: [{ size: '16MB', backing: { kind: 'sparse' } }], access: { networks: ['203.0.113.0/24'] } }))).state).toBe('succeeded');
    const add = await apply(await plan('planLunAdd', { iqn, luns: [{ size: '4MB', backing: { kind: 'sparse' } }, { size: '2MB', backing: { kind: 'full' } }] }));
    expect(add.error).toBeNull();
    let t = (await driver.readState()).targets.find((x) => x.iqn === iqn)!;
    expect(t.luns.map((l) => [l.lun, l.path])).toEqual([[0, null], [1, `/srv/portico/${name}`], [2, `/srv/portico/${name}_1`], [3, `/srv/portico/${name}_2`]]);
    const edit = await apply(await plan('planAccess', { iqn, access: { networks: ['192.0.2.21'], initiators: ['iqn.2011-07.com.example:89abcdef'], chap: { mode: 'set', chap: { user: `pt-e-${rnd()}`, secret: generateChapSecret() } } } }));
    expect(edit.error).toBeNull();
    // Now it holds a secret: 0600, and the replaced version is kept as .prev, 0600 too.
    expect((await sshRun(lab, 'stor1', ['stat', '-c', '%a', `/etc/tgt/conf.d/${name}.conf`, `/etc/tgt/conf.d/${name}.conf.prev`])).stdout.trim().split('\n')).toEqual(['600', '600']);
    t = (await driver.readState()).targets.find((x) => x.iqn === iqn)!;
    expect(t.aclAddresses).toEqual(['192.0.2.21']);
    expect(t.aclNames).toEqual(['iqn.2011-07.com.example:89abcdef']);
    expect(t.accounts).toHaveLength(1);

    // Drift: someone widens access by hand and drops a LUN.
    const C = ['tgtadm', '-C', String(stor1().tgt!.controlPort), '--lld', 'iscsi'];
    await sshRun(lab, 'stor1', [...C, '--mode', 'target', '--op', 'bind', '--tid', String(t.tid), '-I', 'ALL']);
    await sshRun(lab, 'stor1', [...C, '--mode', 'logicalunit', '--op', 'delete', '--tid', String(t.tid), '--lun', '3']);
    const view = await readTargetsView(driver);
    const row = view.targets.find((x) => x.iqn === iqn)!;
    expect(row.persisted).toBe('drift');
    expect(row.driftMessages.join('\n')).toMatch(/ALL is running but not in the file/);
    expect(row.driftMessages.join('\n')).toMatch(/LUN 3 .* in the file but not running/);
    expect(row.luns[0].apparentBytes).toBe(16 * 1024 ** 2);
    const rec = await apply(await plan('planReconcile', { iqn }));
    expect(rec.error).toBeNull();
    expect((rec.result as { remaining: unknown[] }).remaining).toEqual([]);
    t = (await driver.readState()).targets.find((x) => x.iqn === iqn)!;
    expect(t.aclAddresses).toEqual(['192.0.2.21']);
    expect(t.luns).toHaveLength(4);
  });

  it('delete refuses while an initiator is connected, shows who, and forces only with that confirmation', async () => {
    const name = `pt-del-${rnd()}`;
    const iqn = `${BASE}:${name}`;
    created.push(iqn);
    expect((await apply(await create({ name, iqn, luns: [{ size: '4MB', backing: { kind: 'sparse' } }], access: { networks: ['203.0.113.0/24'] } }))).state).toBe('succeeded');
    // A .prev from an earlier edit goes with the target.
    expect((await apply(await plan('planAccess', { iqn, access: { networks: ['203.0.113.0/24', '192.0.2.0/24'] } }))).state).toBe('succeeded');
    const [host, port] = portalA().split(':');
    const session = await holdSession({ host, port: Number(port), targetName: iqn, initiatorName: 'iqn.2024-01.lab.portico:workstation' });
    expect(session.statusClass).toBe(0);
    try {
      const err = await plan('planDelete', { iqn }).catch((e) => e);
      expect(err.code).toBe('target-in-use');
      expect(err.message).toContain('iqn.2024-01.lab.portico:workstation from 203.0.113.1');
      // Forcing with a stale list is refused too.
      await expect(plan('planDelete', { iqn, force: true, confirmedSessions: ['iqn.x:other'] })).rejects.toThrow(/confirm the forced delete again/);
      const view = await plan('planDelete', { iqn, force: true, confirmedSessions: ['iqn.2024-01.lab.portico:workstation'], deleteBackingFiles: true });
      expect(view.warnings.join('\n')).toMatch(/allocated/);
      expect(view.steps.at(-1)!.ops.every((o) => o.irreversible)).toBe(true);
      // Forcing lowers protection: a danger, applied only with the admin's confirmation.
      expect(view.dangers.join('\n')).toMatch(/Forced delete: .*torn down/);
      const job = await t.apply(view.id, { confirmDangers: true });
      expect(job.error).toBeNull();
    } finally {
      await session.close();
    }
    expect((await driver.readState()).targets.some((t) => t.iqn === iqn)).toBe(false);
    const files = await driver.readFiles([`/etc/tgt/conf.d/${name}.conf`, `/etc/tgt/conf.d/${name}.conf.prev`, `/srv/portico/${name}`]);
    expect(files.get(`/etc/tgt/conf.d/${name}.conf`)).toBeNull();
    expect(files.get(`/etc/tgt/conf.d/${name}.conf.prev`)).toBeNull();
    expect(files.get(`/srv/portico/${name}`)).toBeNull();
  });

  it('rollback on a full disk leaves tgtd, conf.d and the storage folder exactly as before', async () => {
    const name = `pt-full-${rnd()}`;
    const view = await create({
      name, iqn: `${BASE}:${name}`,
      luns: [{ size: '8MB', backing: { kind: 'sparse' } }, { size: '32MB', backing: { kind: 'full' } }],
      access: { networks: ['192.0.2.0/24'], chap: { user: `pt-rb-${rnd()}`, secret: generateChapSecret() } },
    });
    const before = await snapshot();
    await fillStorage(stor1(), 4 * 1024 ** 2);
    let job;
    try {
      job = await apply(view);
    } finally {
      await freeStorage(stor1());
    }
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/No space left|cannot allocate/);
    expect(await snapshot()).toEqual(before);
  });

  // A failure at every single operation (and a lost connection, and a killed console) is the fault matrix's job: fault-matrix.int.test.ts.

  it('refuses collisions at plan time and stale plans at apply time', async () => {
    const name = `pt-stale-${rnd()}`;
    const input = { name, iqn: `${BASE}:${name}`, luns: [{ size: '4MB', backing: { kind: 'sparse' as const } }], access: { networks: ['192.0.2.0/24'] } };
    const p1 = await create(input);
    const p2 = await create(input);
    created.push(input.iqn);
    expect((await apply(p1)).state).toBe('succeeded');
    await expect(t.svc.jobs.apply(p2.id)).rejects.toMatchObject({ code: 'plan-stale', message: expect.stringMatching(/now exists/) });
    await expect(create(input)).rejects.toThrow(/IQN: .* already exists on stor1/);
    await expect(create({ ...input, iqn: `${BASE}:${name}-x` })).rejects.toThrow(/Name: .*\.conf already exists|already exists on stor1/);
    const st = await driver.readState();
    await expect(create({ ...input, name: `${name}-y`, iqn: `${BASE}:${name}-y`, luns: [{ size: '1TB', backing: { kind: 'full' } }] })).rejects.toThrow(/LUN size: Not enough free space/);
    expect(st.targets.length).toBeGreaterThan(0);
  });
});

if (reason) console.warn(`[tgt] lab-backed tgt tests skipped: ${reason}`);
