// The targets feature as a non-root admin: every script runs through one `sudo -n bash` with its
// arguments on stdin, limited by the lab's sudoers list, exactly as on a server where root login is
// disabled. Plans are built by the targets.* calls and applied by the JobRunner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { labSkipReason, loadLab, type LabInfo } from '../../../../e2e/lab/labinfo';
import { execOnHost } from '../../../../e2e/lab/hosts';
import { openLabTargets, type LabTargets } from '../../../test-support/lab-targets';

const reason = labSkipReason();
// Scripts run as one `sudo -n bash` (their arguments, CHAP secrets included, on stdin): the sudoers
// list must allow bash. A lab whose list does not is older than that change.
const lab0 = reason ? null : loadLab();
const noBash = lab0 && !lab0.sudoCommands.some((c) => /\/bash$/.test(c)) ? `the lab's sudoers list (e2e/lab/lab.ts SUDO_COMMANDS) does not allow bash, which every Portico script needs under sudo` : null;

describe.skipIf(reason)('tgt on lab stor1 as a sudo admin', () => {
  let lab: LabInfo;
  let t: LabTargets;
  const name = `pt-sudo-${randomBytes(3).toString('hex')}`;
  const iqn = `iqn.2024-01.lab.portico:${name}`;

  beforeAll(async () => {
    lab = loadLab()!;
    if (noBash) return;
    t = await openLabTargets(lab, 'stor1', { as: 'admin' });
  });

  afterAll(async () => {
    if (!lab) return;
    const stor1 = lab.hosts.stor1;
    const show = await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
    const m = new RegExp(`^Target (\\d+): ${iqn.replace(/\./g, '\\.')}$`, 'm').exec(show.stdout);
    if (m) await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--force', '--mode', 'target', '--tid', m[1]]);
    await execOnHost(stor1, ['rm', '-f', `${stor1.storageDir}/${name}`, `/etc/tgt/conf.d/${name}.conf`, `/etc/tgt/conf.d/${name}.conf.prev`]);
    await t?.dispose();
  });

  it.skipIf(noBash)('creates a target with a sparse LUN and its conf.d file, then deletes it with its file', async () => {
    const stor1 = lab.hosts.stor1;
    const job = await t.apply((await t.plan('planCreate', {
      name, iqn,
      luns: [{ size: '64MB', backing: { kind: 'sparse' } }],
      access: { initiators: [lab.hosts.hv1.initiatorIqn], networks: [] },
    })).id);
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    const show = await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
    expect(show.stdout).toContain(iqn);
    expect((await execOnHost(stor1, ['cat', `/etc/tgt/conf.d/${name}.conf`])).stdout).toContain(`<target ${iqn}>`);
    // The file belongs to root although an unprivileged user planned and applied it.
    expect((await execOnHost(stor1, ['stat', '-c', '%U', `${stor1.storageDir}/${name}`])).stdout.trim()).toBe('root');

    const del = await t.apply((await t.plan('planDelete', { iqn, deleteBackingFiles: true })).id);
    expect(del.error).toBeNull();
    expect(del.state).toBe('succeeded');
    expect((await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout).not.toContain(iqn);
    expect((await execOnHost(stor1, ['ls', stor1.storageDir!])).stdout).not.toContain(name);
  });
});

if (noBash) console.warn(`[tgt] sudo admin test skipped: ${noBash}`);
