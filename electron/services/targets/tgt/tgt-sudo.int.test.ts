// The tgt driver as a non-root admin: every privileged command goes through `sudo -n`, limited by
// the lab's sudoers list, exactly as on a server where root login is disabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { labSkipReason, loadLab, type LabInfo } from '../../../../e2e/lab/labinfo';
import { execOnHost } from '../../../../e2e/lab/hosts';
import { SshPool, SshRunner } from '../../ssh/pool';
import { MemoryHostKeyStore } from '../../ssh/hostkeys';
import { TgtDriver } from './driver';
import { planTargetCreate, planTargetDelete, type TgtServerContext } from './planner';
import { TargetDeleteInputSchema, TargetInputSchema } from '../../../../shared/domain/target';
import { runPlan } from '../../../test-support/run-plan';

const reason = labSkipReason();

describe.skipIf(reason)('tgt on lab stor1 as a sudo admin', () => {
  let lab: LabInfo;
  let pool: SshPool;
  let ctx: TgtServerContext;
  const name = `pt-sudo-${randomBytes(3).toString('hex')}`;
  const iqn = `iqn.2024-01.lab.portico:${name}`;

  beforeAll(() => {
    lab = loadLab()!;
    const h = lab.hosts.stor1;
    pool = new SshPool({
      resolver: {
        getHost: () => ({ name: 'stor1', address: h.ssh.host, port: h.ssh.port, user: lab.accounts.admin.user, auth: 'key', keyPath: lab.accounts.admin.keyPath!, sudo: true }),
        getSecret: () => null,
      },
      hostKeys: new MemoryHostKeyStore(),
      knownHostsFiles: [lab.knownHostsPath],
    });
    ctx = { serverId: 'stor1', driver: new TgtDriver({ runner: new SshRunner(pool, 'stor1'), sudo: true, storageDir: h.storageDir! }) };
  });

  afterAll(async () => {
    if (!lab) return;
    const stor1 = lab.hosts.stor1;
    const show = await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
    const m = new RegExp(`^Target (\\d+): ${iqn.replace(/\./g, '\\.')}$`, 'm').exec(show.stdout);
    if (m) await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--force', '--mode', 'target', '--tid', m[1]]);
    await execOnHost(stor1, ['rm', '-f', `${stor1.storageDir}/${name}`, `/etc/tgt/conf.d/${name}.conf`, `/etc/tgt/conf.d/${name}.conf.prev`]);
    await pool.close();
  });

  it('creates a target with a sparse LUN and its conf.d file, then deletes it with its file', async () => {
    const stor1 = lab.hosts.stor1;
    const plan = await planTargetCreate(ctx, TargetInputSchema.parse({
      serverId: 'stor1', name, iqn,
      luns: [{ size: '64MB', backing: { kind: 'sparse' } }],
      access: { initiators: [lab.hosts.hv1.initiatorIqn], networks: [] },
    }));
    const run = await runPlan(plan);
    expect(run.error).toBeUndefined();
    expect(run.ok).toBe(true);
    const show = await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
    expect(show.stdout).toContain(iqn);
    expect((await execOnHost(stor1, ['cat', `/etc/tgt/conf.d/${name}.conf`])).stdout).toContain(`<target ${iqn}>`);
    // The file belongs to root although an unprivileged user planned and applied it.
    expect((await execOnHost(stor1, ['stat', '-c', '%U', `${stor1.storageDir}/${name}`])).stdout.trim()).toBe('root');

    const del = await runPlan(await planTargetDelete(ctx, TargetDeleteInputSchema.parse({ serverId: 'stor1', iqn, deleteBackingFiles: true })));
    expect(del.error).toBeUndefined();
    expect(del.ok).toBe(true);
    expect((await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout).not.toContain(iqn);
    expect((await execOnHost(stor1, ['ls', stor1.storageDir!])).stdout).not.toContain(name);
  });
});
