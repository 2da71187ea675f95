// The day-2 target actions against the lab's stor1 through the real service graph (targets.* calls,
// JobRunner, SSH pool, real tgtd), each checked on the server with tgtadm or the native initiator:
// CHAP rotation (old secret refused, new accepted), resize visible in tgtadm show, read-only,
// LUN remove, session close while a session is held, adopt of a target made by hand with tgtadm,
// portal add/remove.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { labSkipReason, loadLab, type LabInfo } from '../../../../e2e/lab/labinfo';
import { sshRun } from '../../../../e2e/lab/ssh';
import { inspect } from '../../iscsi/initiator';
import { holdSession } from '../../../test-support/iscsi-hold';
import { openLabTargets, type LabTargets } from '../../../test-support/lab-targets';
import type { PlanView } from '../../../../shared/plan';
import type { ChapRevealView, PortalsView, TargetDetailView } from '../../../../shared/features/targets';

const reason = labSkipReason();
const rnd = randomBytes(3).toString('hex');
const BASE = 'iqn.2024-01.lab.portico';
const SECRET = `Old${rnd}secret1`.slice(0, 16);

describe.skipIf(reason)('day-2 target actions on lab stor1', () => {
  let lab: LabInfo;
  let t: LabTargets;
  const name = `pt-d2-${rnd}`;
  const iqn = `${BASE}:${name}`;
  const handIqn = `${BASE}:pt-hand-${rnd}`;
  const tgtadm = (...args: string[]) => sshRun(lab, 'stor1', ['tgtadm', '-C', String(lab.hosts.stor1.tgt!.controlPort), '--lld', 'iscsi', ...args], { allowFail: true });
  const call = <T>(n: string, i: Record<string, unknown>) => t.call<T>(`targets.${n}`, { serverId: t.hostId, ...i });
  const apply = async (v: PlanView, confirmDangers = false) => {
    const job = await t.apply(v.id, { confirmDangers });
    expect(job.error, job.error ?? '').toBeNull();
    expect(job.state).toBe('succeeded');
    return job;
  };
  const portalA = () => lab.hosts.stor1.tgt!.portals[0];
  const portalOf = (p: string) => ({ address: p.slice(0, p.lastIndexOf(':')), port: Number(p.slice(p.lastIndexOf(':') + 1)) });
  const showTarget = async (which: string) => {
    const out = (await tgtadm('--mode', 'target', '--op', 'show')).stdout;
    return out.split(/^(?=Target \d+: )/m).find((b) => b.startsWith('Target ') && b.split('\n')[0].endsWith(`: ${which}`)) ?? '';
  };

  beforeAll(async () => {
    lab = loadLab()!;
    t = await openLabTargets(lab, 'stor1');
    const v = await call<PlanView>('planCreate', {
      name, iqn, luns: [{ size: '16MB', backing: { kind: 'sparse' } }, { size: '8MB', backing: { kind: 'sparse' } }],
      access: { initiators: [], networks: [`${lab.networks.a.cidr}`], chap: { user: `${name}-u`, secret: SECRET } },
    });
    await apply(v);
  }, 120_000);

  afterAll(async () => {
    if (!lab) return;
    const st = await t.driver.readState().catch(() => null);
    for (const x of [iqn, handIqn]) {
      const tt = st?.targets.find((y) => y.iqn === x);
      if (tt) await tgtadm('--mode', 'target', '--op', 'delete', '--force', '--tid', String(tt.tid));
    }
    for (const u of [`${name}-u`, `hand-${rnd}`]) await tgtadm('--mode', 'account', '--op', 'delete', '--user', u);
    await tgtadm('--mode', 'portal', '--op', 'delete', '--param', `portal=${portalOf(portalA()).address}:3261`);
    await sshRun(lab, 'stor1', `rm -f /etc/tgt/conf.d/${name}.conf* /etc/tgt/conf.d/pt-hand-${rnd}.conf* /srv/portico/${name}* /srv/portico/pt-hand-${rnd}* /etc/systemd/system/tgt.service.d/portico-portals.conf; rmdir /etc/systemd/system/tgt.service.d 2>/dev/null; true`, { allowFail: true });
    await t?.dispose();
  }, 60_000);

  it('CHAP rotate: the secret is shown once after the job; the old one is refused at login, the new one accepted', async () => {
    const portal = portalOf(portalA());
    const v = await call<PlanView>('planChap', { iqn, action: 'rotate', user: `${name}-u` });
    expect(JSON.stringify(v)).not.toContain(SECRET);
    const job = await apply(v);
    const shown = await t.call<ChapRevealView>('targets.chapReveal', { jobId: job.id });
    expect(shown.secret).toMatch(/^[A-Za-z0-9]{16}$/);
    await expect(t.call('targets.chapReveal', { jobId: job.id })).rejects.toMatchObject({ code: 'already-revealed' });
    await expect(inspect({ portal, target: iqn, chap: { user: `${name}-u`, secret: SECRET }, timeoutMs: 5000 })).rejects.toThrow();
    const ok = await inspect({ portal, target: iqn, chap: { user: `${name}-u`, secret: shown.secret }, timeoutMs: 5000 });
    expect(ok.luns.filter((l) => l.deviceType === 0).length).toBe(2);
    // The conf file holds the new secret, 0600.
    const f = await sshRun(lab, 'stor1', ['bash', '-c', `stat -c %a /etc/tgt/conf.d/${name}.conf; grep -c "incominguser ${name}-u ${shown.secret}" /etc/tgt/conf.d/${name}.conf`]);
    expect(f.stdout.trim().split('\n')).toEqual(['600', '1']);
  }, 120_000);

  it('resize: the file grows and tgtadm show reports the new size; read-only shows in tgtadm too', async () => {
    await apply(await call<PlanView>('planLunResize', { iqn, lun: 1, size: '32MB' }));
    const lunBlock = (show: string, n: number) => show.split(/^\s+LUN: /m).find((b) => b.startsWith(`${n}\n`)) ?? '';
    expect(lunBlock(await showTarget(iqn), 1)).toMatch(/Size: 34 MB/);
    const size = await sshRun(lab, 'stor1', ['stat', '-c', '%s', `/srv/portico/${name}`]);
    expect(size.stdout.trim()).toBe(String(32 * 1024 ** 2));
    await apply(await call<PlanView>('planLunReadonly', { iqn, lun: 2, readonly: true }));
    expect(lunBlock(await showTarget(iqn), 2)).toMatch(/Readonly: Yes/);
    const d = await call<TargetDetailView>('detail', { iqn });
    expect(d.luns.map((l) => [l.lun, l.backingKind, l.readonly])).toEqual([[1, 'file-sparse', false], [2, 'file-sparse', true]]);
    expect(d.luns[0].guid).toMatch(/^36[0-9a-f]{31}$/);
    expect(d.confText).toContain('incominguser');
    expect(d.confText).not.toMatch(/incominguser \S+ (?!\*{6})\S/);
    expect(d.jobs.length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('resize and session close while a session is held; LUN remove refused while it is held, done once it is closed', async () => {
    // The held session logs in without CHAP: open the target to the workstation for it, by name.
    const portal = portalOf(portalA());
    const shown = (await call<TargetDetailView>('detail', { iqn })).access;
    expect(shown.chapUsers).toEqual([`${name}-u`]);
    await apply(await call<PlanView>('planChap', { iqn, action: 'remove', user: `${name}-u` }), true);
    const s = await holdSession({ host: portal.address, port: portal.port, targetName: iqn, initiatorName: `${BASE}:holder-${rnd}` });
    try {
      expect(s.statusClass).toBe(0);
      const d = await call<TargetDetailView>('detail', { iqn });
      expect(d.sessions.map((x) => x.initiator)).toEqual([`${BASE}:holder-${rnd}`]);
      await expect(call('planLunRemove', { iqn, lun: 2 })).rejects.toMatchObject({ field: 'force' });
      // A resize under the held session: tgtd re-reads the size and the session stays up.
      const grown = await call<PlanView>('planLunResize', { iqn, lun: 1, size: '40MB' });
      expect(grown.warnings.join(' ')).toContain(`holder-${rnd}`);
      await apply(grown);
      await new Promise((r) => setTimeout(r, 500));
      expect(s.ended()).toBe(false);
      expect((await call<TargetDetailView>('detail', { iqn })).sessions.map((x) => x.initiator)).toEqual([`${BASE}:holder-${rnd}`]);
      const v = await call<PlanView>('planSessionClose', { iqn, sessions: [d.sessions[0].nexus] });
      expect(v.steps[0].title).toContain(`${BASE}:holder-${rnd}`);
      await apply(v);
      await s.whenEnded;
      expect(s.ended()).toBe(true);
    } finally {
      await s.close();
    }
    await apply(await call<PlanView>('planLunRemove', { iqn, lun: 2 }));
    expect(await showTarget(iqn)).not.toMatch(/LUN: 2/);
  }, 120_000);

  it('adopt a target made by hand with tgtadm: asks for its CHAP secret, writes its conf file, then drift covers it', async () => {
    await sshRun(lab, 'stor1', `truncate -s 8M /srv/portico/pt-hand-${rnd}`);
    const st = await t.driver.readState();
    const tid = Math.max(0, ...st.targets.map((x) => x.tid)) + 100;
    for (const args of [
      ['--mode', 'target', '--op', 'new', '--tid', String(tid), '--targetname', handIqn],
      ['--mode', 'logicalunit', '--op', 'new', '--tid', String(tid), '--lun', '1', '--backing-store', `/srv/portico/pt-hand-${rnd}`],
      ['--mode', 'target', '--op', 'bind', '--tid', String(tid), '--initiator-address', lab.networks.a.cidr],
      ['--mode', 'account', '--op', 'new', '--user', `hand-${rnd}`, '--password', SECRET],
      ['--mode', 'account', '--op', 'bind', '--tid', String(tid), '--user', `hand-${rnd}`],
    ]) expect((await tgtadm(...args)).code).toBe(0);
    const before = (await call<{ targets: { iqn: string; managed: boolean; persisted: string }[] }>('view', {})).targets.find((x) => x.iqn === handIqn)!;
    expect(before).toMatchObject({ managed: false, persisted: 'not-persisted' });
    await expect(call('planAdopt', { iqns: [handIqn] })).rejects.toMatchObject({ code: 'secrets-needed', details: { needSecretsFor: [`hand-${rnd}`] } });
    await apply(await call<PlanView>('planAdopt', { iqns: [handIqn], secrets: [{ user: `hand-${rnd}`, secret: SECRET }] }));
    const f = await sshRun(lab, 'stor1', ['bash', '-c', `stat -c %a /etc/tgt/conf.d/pt-hand-${rnd}.conf; grep -c "scsi_id IET     00" /etc/tgt/conf.d/pt-hand-${rnd}.conf`]);
    expect(f.stdout.trim().split('\n')).toEqual(['600', '1']);
    const after = (await call<{ targets: { iqn: string; managed: boolean; persisted: string }[] }>('view', {})).targets.find((x) => x.iqn === handIqn)!;
    expect(after).toMatchObject({ managed: true, persisted: 'in-sync' });
    // Drift now covers it: a rule added by hand shows.
    await tgtadm('--mode', 'target', '--op', 'bind', '--tid', String(tid), '--initiator-name', `${BASE}:extra-${rnd}`);
    const drifted = (await call<{ targets: { iqn: string; persisted: string; driftMessages: string[] }[] }>('view', {})).targets.find((x) => x.iqn === handIqn)!;
    expect(drifted.persisted).toBe('drift');
    expect(drifted.driftMessages.join(' ')).toContain(`extra-${rnd}`);
  }, 120_000);

  it('portal add and remove: tgtadm lists it, a login through it works, the drop-in names it; removed, it is gone', async () => {
    const addr = portalOf(portalA()).address;
    const p = `${addr}:3261`;
    await apply(await call<PlanView>('planPortal', { action: 'add', portal: p }));
    expect((await tgtadm('--mode', 'portal', '--op', 'show')).stdout).toContain(`Portal: ${p},1`);
    const view = await call<PortalsView>('portals', {});
    expect(view.portals.find((x) => x.portal === p)).toMatchObject({ persisted: true });
    const drop = await sshRun(lab, 'stor1', ['cat', '/etc/systemd/system/tgt.service.d/portico-portals.conf']);
    expect(drop.stdout).toContain(`portal=${p}`);
    const r = await inspect({ portal: { address: addr, port: 3261 }, target: iqn, timeoutMs: 5000 });
    expect(r.luns.some((l) => l.lun === 1)).toBe(true);
    await apply(await call<PlanView>('planPortal', { action: 'remove', portal: p }));
    expect((await tgtadm('--mode', 'portal', '--op', 'show')).stdout).not.toContain(`Portal: ${p},1`);
    expect((await sshRun(lab, 'stor1', ['cat', '/etc/systemd/system/tgt.service.d/portico-portals.conf'])).stdout).not.toContain(`portal=${p}`);
  }, 120_000);
});
