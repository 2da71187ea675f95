// The in-use check of an existing block device on lab stor2, through the real service graph: a
// loop device holding ext4 and mounted in stor2's own mount namespace is refused (lsblk run on the
// server, the findings under the confirmInUse field), accepted with its path typed as a danger the
// apply must confirm; a free loop device plans with no danger and is exported for real. The loop
// devices, their files and the mount are removed in `finally` (the lab is shared).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execOnHost } from '../../../../e2e/lab/hosts';
import { labSkipReason, loadLab, type LabInfo } from '../../../../e2e/lab/labinfo';
import { run } from '../../../../e2e/lab/util';
import { openLabTargets, type LabTargets } from '../../../test-support/lab-targets';

const reason = labSkipReason();
const rnd = () => randomBytes(3).toString('hex');
const BASE = 'iqn.2024-01.lab.portico';
const HOST = 'stor2';

describe.skipIf(reason)('block devices in use on lab stor2 (loop devices)', () => {
  let lab: LabInfo;
  let t: LabTargets;
  let work: string;

  beforeAll(async () => {
    lab = loadLab()!;
    t = await openLabTargets(lab, HOST);
    work = mkdtempSync(join(tmpdir(), 'portico-inuse-'));
  });

  afterAll(async () => {
    await t?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A loop device over a fresh 16 MiB file (losetup -f: the next free one). */
  async function loop(name: string): Promise<string> {
    const file = join(work, name);
    await run('truncate', ['-s', '16M', file]);
    return (await run('losetup', ['-f', '--show', file])).stdout.trim();
  }

  it('a mounted ext4 loop device is refused naming confirmInUse; typed, it is a danger; a free one has none', async () => {
    const loops: string[] = [];
    const mnt = `/tmp/pt-inuse-${rnd()}`;
    let mounted = false;
    const iqns: string[] = [];
    try {
      const busy = await loop('busy.img');
      loops.push(busy);
      await run('mkfs.ext4', ['-q', '-F', busy]);
      // Mounted inside stor2's own mount namespace: what stor2's lsblk sees, not the workstation's.
      await execOnHost(lab.hosts[HOST], ['mkdir', '-p', mnt]);
      await execOnHost(lab.hosts[HOST], ['mount', busy, mnt]);
      mounted = true;
      const free = await loop('free.img');
      loops.push(free);
      const name = `pt-inuse-${rnd()}`;
      const input = (backing: Record<string, unknown>) => ({ name, iqn: `${BASE}:${name}`, luns: [{ backing }], access: { networks: ['203.0.113.0/24'] } });
      iqns.push(`${BASE}:${name}`);

      const refused = await t.plan('planCreate', input({ kind: 'device', path: busy })).then(
        () => null,
        (e: { code?: string; field?: string; message: string; details?: { fields?: Record<string, string> } }) => e,
      );
      const dev = busy.replace('/dev/', '');
      expect(refused).toMatchObject({ code: 'invalid-input', field: 'luns.0.backing.confirmInUse' });
      expect(refused!.message).toMatch(new RegExp(`^LUN 1 backing: ${dev} is mounted on ${mnt}; ${dev} holds a ext4 filesystem on ${HOST} \\([0-9.]+\\); exporting it read-write would corrupt it`));
      expect(refused!.message).toContain(`Type ${busy} in "Confirm the device in use" (confirmInUse) to export it anyway.`);
      expect(refused!.details!.fields!['luns.0.backing.confirmInUse']).toBe(refused!.message);

      const confirmed = await t.plan('planCreate', input({ kind: 'device', path: busy, confirmInUse: busy }));
      expect(confirmed.dangers).toEqual([expect.stringMatching(new RegExp(`^${busy} on ${HOST} \\([0-9.]+\\) is in use \\(${dev} is mounted on ${mnt}; ${dev} holds a ext4 filesystem\\) and is exported anyway`))]);
      await expect(t.apply(confirmed.id)).rejects.toMatchObject({ code: 'confirmation-required' });
      await t.call('plans.discard', { planId: confirmed.id }).catch(() => undefined);

      const ok = await t.plan('planCreate', input({ kind: 'device', path: free }));
      expect(ok.dangers).toEqual([]);
      const job = await t.apply(ok.id);
      expect(job.error).toBeNull();
      expect(job.state).toBe('succeeded');
      expect((await t.driver.readState()).targets.find((x) => x.iqn === `${BASE}:${name}`)?.luns.find((l) => l.lun === 1)?.path).toBe(free);
      // The read-back's login sees the device's own size (tgtadm's show rounds it to decimal MB).
      const login = (job.result as { login: { luns: { lun: number; sizeBytes: number }[] } }).login;
      expect(login.luns.map((l) => [l.lun, l.sizeBytes])).toEqual([[1, 16 * 1024 ** 2]]);
      const del = await t.apply((await t.plan('planDelete', { iqn: `${BASE}:${name}` })).id);
      expect(del.state).toBe('succeeded');
      iqns.length = 0;
    } finally {
      const st = await t.driver.readState().catch(() => null);
      for (const iqn of iqns) {
        const x = st?.targets.find((y) => y.iqn === iqn);
        if (x) await execOnHost(lab.hosts[HOST], ['tgtadm', '-C', String(lab.hosts[HOST].tgt!.controlPort), '--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force', '--tid', String(x.tid)], { allowFail: true });
        await execOnHost(lab.hosts[HOST], ['rm', '-f', '--', `/etc/tgt/conf.d/${iqn.replace(/^.*:/, '')}.conf`, `/etc/tgt/conf.d/${iqn.replace(/^.*:/, '')}.conf.prev`], { allowFail: true });
      }
      if (mounted) await execOnHost(lab.hosts[HOST], ['umount', mnt], { allowFail: true });
      await execOnHost(lab.hosts[HOST], ['rmdir', mnt], { allowFail: true });
      for (const l of loops) await run('losetup', ['-d', l], { allowFail: true });
    }
  }, 120_000);
});

if (reason) console.warn(`[tgt] lab-backed block-device tests skipped: ${reason}`);
