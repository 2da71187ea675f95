// The storage folder and fully allocated LUNs on lab stor2, through the real service graph (host
// added as the Hosts page does, targets.* plans, the JobRunner): a storage folder that does not
// exist yet is created by the plan (mode, owner) and removed again by a rollback; a fully
// allocated LUN of a few hundred MB is made with fallocate; the dd fallback, cancelled while it
// writes, leaves no file behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { labSkipReason, loadLab, type LabInfo } from '../../../../e2e/lab/labinfo';
import { sshRun } from '../../../../e2e/lab/ssh';
import { openLabTargets, type LabTargets } from '../../../test-support/lab-targets';
import type { JobView, PlanView } from '../../../../shared/plan';
import { partialPathOf } from './driver';

const reason = labSkipReason();
const rnd = () => randomBytes(3).toString('hex');
const BASE = 'iqn.2024-01.lab.portico';
const HOST = 'stor2';

describe.skipIf(reason)('storage folder and full allocation on lab stor2', () => {
  let lab: LabInfo;
  let t: LabTargets;
  const cleanup: string[] = [];
  const iqns: string[] = [];
  const sh = (script: string, allowFail = false) => sshRun(lab, HOST, ['bash', '-c', script], { allowFail, timeoutMs: 30_000 });

  beforeAll(async () => {
    lab = loadLab()!;
    t = await openLabTargets(lab, HOST);
  });

  afterAll(async () => {
    if (!lab) return;
    const st = await t.driver.readState().catch(() => null);
    for (const iqn of iqns) {
      const x = st?.targets.find((y) => y.iqn === iqn);
      if (x) await sshRun(lab, HOST, ['tgtadm', '-C', String(lab.hosts[HOST].tgt!.controlPort), '--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force', '--tid', String(x.tid)], { allowFail: true });
    }
    for (const p of cleanup) await sshRun(lab, HOST, ['rm', '-rf', '--', p], { allowFail: true });
    await t?.dispose();
  });

  const setStorage = (svc: LabTargets, storageDir: string) => svc.call('targets.settings', { serverId: svc.hostId, storageDir, baseIqn: BASE });
  const opCount = (v: PlanView) => v.steps.reduce((n, s) => n + s.ops.length, 0);
  const exists = async (p: string) => (await sh(`test -e '${p}'`, true)).code === 0;

  it('a storage folder that does not exist is created by the plan (0750 root:root), the target works, and a rollback removes it again', async () => {
    const top = `/srv/pt-fresh-${rnd()}`;
    const dir = `${top}/luns`;
    cleanup.push(top, `/etc/tgt/conf.d/pt-fresh-*`);
    await setStorage(t, dir);
    try {
      const name = `pt-fresh-${rnd()}`;
      const iqn = `${BASE}:${name}`;
      iqns.push(iqn);
      const view = await t.plan('planCreate', { name, iqn, luns: [{ size: '16MB', backing: { kind: 'sparse' } }], access: { networks: ['203.0.113.0/24'] } });
      expect(view.steps[0].title).toMatch(new RegExp(`^Create the storage folder ${dir} on ${HOST} \\([0-9.]+\\) \\(mode 0750, owner root:root\\)$`));
      expect(view.steps[0].ops.map((o) => o.command)).toEqual([`mkdir -m 750 ${top} && chown 0:0 ${top}`, `mkdir -m 750 ${dir} && chown 0:0 ${dir}`]);
      // Free space was read on the nearest existing parent (/srv, the host's tmpfs), and the review says so.
      expect(view.warnings.join('\n')).toMatch(new RegExp(`${dir} does not exist on ${HOST} \\([0-9.]+\\) yet: .* It will be on portico-srv \\(tmpfs, mounted at /srv\\), where /srv has `));
      const job = await t.apply(view.id);
      expect(job.error).toBeNull();
      expect(job.state).toBe('succeeded');
      expect((await sh(`stat -c '%a %U:%G' ${top} ${dir}`)).stdout.trim().split('\n')).toEqual(['750 root:root', '750 root:root']);
      expect((await sh(`stat -c %s ${dir}/${name}`)).stdout.trim()).toBe(String(16 * 1024 ** 2));
      // The target works: the plan's read-back logged in from the workstation and saw the LUN.
      const login = (job.result as { login: { luns: { lun: number; sizeBytes: number }[] } }).login;
      expect(login.luns.map((l) => [l.lun, l.sizeBytes])).toEqual([[1, 16 * 1024 ** 2]]);
      const del = await t.apply((await t.plan('planDelete', { iqn, deleteBackingFiles: true })).id);
      expect(del.state).toBe('succeeded');

      // Rollback: a console whose last operation of the plan fails (failpoint) on another fresh folder.
      const top2 = `/srv/pt-fresh-${rnd()}`;
      const dir2 = `${top2}/a/b`;
      cleanup.push(top2);
      const name2 = `pt-fresh-${rnd()}`;
      const input2 = { name: name2, iqn: `${BASE}:${name2}`, luns: [{ size: '8MB', backing: { kind: 'full' } }], access: { networks: ['203.0.113.0/24'] } };
      iqns.push(input2.iqn);
      await setStorage(t, dir2);
      const probe = await t.plan('planCreate', input2);
      expect(probe.steps[0].ops).toHaveLength(3);
      const n = opCount(probe);
      const prev = process.env.PORTICO_FAILPOINTS;
      process.env.PORTICO_FAILPOINTS = `tgt.target.create#${n}=fail`;
      let f: LabTargets;
      try {
        f = await openLabTargets(lab, HOST);
      } finally {
        if (prev === undefined) delete process.env.PORTICO_FAILPOINTS;
        else process.env.PORTICO_FAILPOINTS = prev;
      }
      try {
        await setStorage(f, dir2);
        const failed = await f.apply((await f.plan('planCreate', input2)).id);
        expect(failed.state).toBe('failed');
        expect(failed.error).toMatch(/injected failure/);
        expect(failed.leftover).toEqual([]);
      } finally {
        await f.dispose();
      }
      expect(await exists(top2)).toBe(false);
      expect(await exists(`/etc/tgt/conf.d/${name2}.conf`)).toBe(false);
      expect((await t.driver.readState()).targets.some((x) => x.iqn === input2.iqn)).toBe(false);
    } finally {
      await setStorage(t, lab.hosts[HOST].storageDir!);
    }
  });

  it('a fully allocated LUN of 200 MiB is made with fallocate, with progress in the job log', async () => {
    const name = `pt-fat-${rnd()}`;
    const iqn = `${BASE}:${name}`;
    const path = `${lab.hosts[HOST].storageDir}/${name}`;
    iqns.push(iqn);
    cleanup.push(path, partialPathOf(path));
    const logs: string[] = [];
    const off = t.svc.events.subscribe((ev, payload) => {
      if (ev === 'job.log') logs.push((payload as { line: string }).line);
    });
    try {
      const view = await t.plan('planCreate', { name, iqn, luns: [{ size: '200MB', backing: { kind: 'full' } }], access: { networks: ['203.0.113.0/24'] } });
      expect(view.steps[0].command).toMatch(/^fallocate -l 209715200 /);
      const job = await t.apply(view.id);
      expect(job.error).toBeNull();
      expect(job.state).toBe('succeeded');
    } finally {
      off();
    }
    expect(logs).toContain(`${path}: 100 % allocated (209715200 of 209715200 bytes)`);
    expect(logs).toContain(`${path}: allocated in full with fallocate`);
    const [size, blocks] = (await sh(`stat -c '%s %b' ${path}`)).stdout.trim().split(' ').map(Number);
    expect(size).toBe(200 * 1024 ** 2);
    expect(blocks * 512).toBeGreaterThanOrEqual(200 * 1024 ** 2);
    const del = await t.apply((await t.plan('planDelete', { iqn, deleteBackingFiles: true })).id);
    expect(del.state).toBe('succeeded');
    expect(await exists(path)).toBe(false);
  });

  it('the dd fallback (forced), cancelled while it writes, leaves no file behind', async () => {
    const name = `pt-dd-${rnd()}`;
    const iqn = `${BASE}:${name}`;
    const path = `${lab.hosts[HOST].storageDir}/${name}`;
    iqns.push(iqn);
    cleanup.push(path, partialPathOf(path));
    const prev = process.env.PORTICO_TEST_FULL_ALLOCATION;
    process.env.PORTICO_TEST_FULL_ALLOCATION = 'dd,chunk=8,pause=0.3';
    const logs: string[] = [];
    let job: JobView;
    let partialSeen = false;
    try {
      const view = await t.plan('planCreate', { name, iqn, luns: [{ size: '96MB', backing: { kind: 'full' } }], access: { networks: ['203.0.113.0/24'] } });
      let jobId = '';
      let cancelled = false;
      const off = t.svc.events.subscribe((ev, payload) => {
        if (ev !== 'job.log') return;
        const line = (payload as { line: string }).line;
        logs.push(line);
        if (!cancelled && / % allocated \((\d+)/.exec(line) && Number(/ % allocated \((\d+)/.exec(line)![1]) >= 16 * 1048576) {
          cancelled = true;
          // The partial file is there now, under its partial name (checked before the cancel).
          void sh(`test -s '${partialPathOf(path)}'`, true).then((r) => {
            partialSeen = r.code === 0;
            t.svc.jobs.cancel(jobId);
          });
        }
      });
      try {
        const started = await t.svc.jobs.apply(view.id);
        jobId = started.jobId;
        job = await started.done;
      } finally {
        off();
      }
    } finally {
      if (prev === undefined) delete process.env.PORTICO_TEST_FULL_ALLOCATION;
      else process.env.PORTICO_TEST_FULL_ALLOCATION = prev;
    }
    expect(logs).toContain(`${path}: writing 100663296 bytes of zeros with dd`);
    expect(partialSeen).toBe(true);
    expect(job.state).toBe('cancelled');
    expect(job.leftover).toEqual([]);
    expect(await exists(path)).toBe(false);
    expect(await exists(partialPathOf(path))).toBe(false);
    expect((await sh(`ls -A ${lab.hosts[HOST].storageDir}`)).stdout).not.toContain(name);
  });
});

if (reason) console.warn(`[tgt] lab-backed storage tests skipped: ${reason}`);
