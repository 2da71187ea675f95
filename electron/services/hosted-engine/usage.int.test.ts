// The hosted-engine usage source against the lab through the real service graph: stor1 added as
// a storage server, hv1 as an oVirt host (root key, as the Hosts page adds them), a target
// created on stor1 by a targets plan, hosted-engine.conf written on hv1 the way oVirt's own
// installer leaves it (Portico never wrote it). With the file naming the target, the delete and
// LUN-remove plans are refused with the hosted-engine message; without it, the delete is accepted.
// An oVirt host that cannot be read refuses the delete too, by name, until it is removed.
// The file's earlier state on hv1 (if any) is put back, the target deleted, in afterAll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { labSkipReason, loadLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { execOnHost } from '../../../e2e/lab/hosts';
import { sshRun } from '../../../e2e/lab/ssh';
import { addLabHost } from '../../test-support/bond-lab';
import { openLabTargets, type LabTargets } from '../../test-support/lab-targets';
import type { AddHostResult } from '../../../shared/features/hosts';
import { HE_CONF_PATH } from './planner';

const reason = labSkipReason();
const BASE = 'iqn.2024-01.lab.portico';
const name = `pt-heuse-${randomBytes(3).toString('hex')}`;
const iqn = `${BASE}:${name}`;
const SECRET = 'HeUsageClearText-9z';

describe.skipIf(reason)('hosted-engine storage is protected from target deletes (lab)', () => {
  let lab: LabInfo;
  let t: LabTargets;
  let created = false;
  let hv1Id = '';
  /** hv1's hosted-engine.conf before the test: base64 bytes and mode, or null (absent); and whether its folder existed. */
  let before: { file: { b64: string; mode: string } | null; dir: boolean } | null = null;
  const hv1 = () => lab.hosts.hv1;

  const writeConf = async (text: string) => {
    const r = await execOnHost(hv1(), ['sh', '-c', `mkdir -p /etc/ovirt-hosted-engine && printf '%s' "$1" > ${HE_CONF_PATH} && chmod 600 ${HE_CONF_PATH}`, 'sh', text]);
    if (r.code !== 0) throw new Error(`writing ${HE_CONF_PATH} on hv1: ${r.stderr}`);
  };

  beforeAll(async () => {
    lab = loadLab()!;
    // Every check reads the file again: the test changes it between two plans.
    process.env.PORTICO_HE_USAGE_TTL_MS = '0';
    t = await openLabTargets(lab, 'stor1');
    hv1Id = (await addLabHost(t.call, lab, 'hv1', ['ovirt-host'])).id;
    const st = await execOnHost(hv1(), ['sh', '-c', `if [ -f ${HE_CONF_PATH} ]; then echo F $(stat -c %a ${HE_CONF_PATH}) $(base64 -w0 < ${HE_CONF_PATH}); elif [ -d /etc/ovirt-hosted-engine ]; then echo D; else echo N; fi`]);
    const [tag, mode, b64 = ''] = st.stdout.trim().split(' ');
    before = { file: tag === 'F' ? { b64, mode } : null, dir: tag !== 'N' };
    const v = await t.plan('planCreate', { name, iqn, luns: [{ size: '4MB', backing: { kind: 'sparse' } }, { size: '4MB', backing: { kind: 'sparse' } }], access: { networks: ['203.0.113.0/24'] } });
    const job = await t.apply(v.id);
    expect(job.error).toBeNull();
    created = true;
  });

  afterAll(async () => {
    delete process.env.PORTICO_HE_USAGE_TTL_MS;
    if (!lab) return;
    if (before) {
      if (before.file) await execOnHost(hv1(), ['sh', '-c', `printf '%s' "$1" | base64 -d > ${HE_CONF_PATH} && chmod ${before.file.mode} ${HE_CONF_PATH}`, 'sh', before.file.b64]).catch(() => undefined);
      else await execOnHost(hv1(), ['sh', '-c', before.dir ? `rm -f ${HE_CONF_PATH}` : 'rm -rf /etc/ovirt-hosted-engine']).catch(() => undefined);
    }
    if (created) {
      // Normally the test's own accepted delete removed it; otherwise take it down here.
      const still = await t.driver.readState().then((s) => s.targets.find((x) => x.iqn === iqn)).catch(() => undefined);
      if (still) await sshRun(lab, 'stor1', ['tgtadm', '-C', String(lab.hosts.stor1.tgt!.controlPort), '--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force', '--tid', String(still.tid)], { allowFail: true });
      await sshRun(lab, 'stor1', `rm -f /etc/tgt/conf.d/${name}.conf /etc/tgt/conf.d/${name}.conf.prev /srv/portico/${name} /srv/portico/${name}_1`, { allowFail: true });
    }
    await t?.dispose();
  });

  it('refused while hv1\'s hosted-engine.conf names the target (the target and each LUN), accepted once the file is gone', async () => {
    const portals = lab.hosts.stor1.tgt!.portals.map((p) => p.split(':')[0]);
    await writeConf([
      '# as the hosted-engine installer writes it', 'fqdn=engine.lab', 'domainType=iscsi', `storage=${portals.join(',')}`, `port=${portals.map(() => '3260').join(',')}`,
      `iqn=${iqn}`, 'portal=1', 'user=heuser', `password=${SECRET}`, 'sdUUID=5a1c0e2b-0000-4000-8000-00000000he01', 'spUUID=00000000-0000-0000-0000-000000000000', '',
    ].join('\n'));

    const err = await t.plan('planDelete', { iqn, deleteBackingFiles: true }).catch((e: unknown) => e as Error & { code?: string; field?: string });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'in-use', field: 'iqn' });
    expect((err as Error).message).toContain('the hosted-engine storage domain 5a1c0e2b-0000-4000-8000-00000000he01 of hv1 is on this target (hosted-engine.conf); Portico cannot tell which LUN, so every LUN of it is protected (hosted-engine)');
    expect((err as Error).message).not.toContain(SECRET);
    // A single LUN: the file names no LUN number, so LUN 2 is protected as well.
    const lunErr = await t.plan('planLunRemove', { iqn, lun: 2 }).catch((e: unknown) => e as Error & { code?: string });
    expect(lunErr).toMatchObject({ code: 'in-use' });
    expect((lunErr as Error).message).toMatch(/^LUN: LUN 2 of .* is in use by 1 user/);
    // The bonds planner's question: hv1's own file names the portal, so the HE agent's path is in use.
    const path = { hostId: hv1Id, iqn, address: portals[1], port: 3260 };
    expect((await t.svc.usage.pathUsers(path)).map((u) => u.description)).toEqual(['the hosted-engine storage domain 5a1c0e2b-0000-4000-8000-00000000he01 (hosted-engine.conf on hv1)']);
    expect(await t.svc.usage.pathUsers({ ...path, address: '192.0.2.250' })).toEqual([]);
    // Nothing Portico keeps (data folder's database, audit) holds the clear-text password.
    const dump = JSON.stringify(t.svc.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().flatMap((r) => t.svc.db.prepare(`SELECT * FROM "${(r as { name: string }).name}"`).all()));
    expect(dump).not.toContain(SECRET);

    // The hosted engine moved away (the file is gone): the same delete is accepted and applied.
    expect((await execOnHost(hv1(), ['rm', '-f', HE_CONF_PATH])).code).toBe(0);
    expect(await t.svc.usage.pathUsers(path)).toEqual([]);
    const view = await t.plan('planDelete', { iqn, deleteBackingFiles: true });
    expect(view.steps.map((x) => x.ops.length).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('an oVirt host that cannot be read refuses the delete, naming it and what to do; without that host the delete is applied', async () => {
    // hv2 on a closed port: the Hosts page adds it, its connection fails.
    const h = lab.hosts.hv2;
    const added = await t.call<AddHostResult>('hosts.add', { name: 'hv2-unreachable', address: h.ssh.host, port: 1, user: 'root', auth: { kind: 'key', keyPath: lab.accounts.root.keyPath }, sudo: false, roles: ['ovirt-host'] });
    const err = await t.plan('planDelete', { iqn, deleteBackingFiles: true }).catch((e: unknown) => e as Error & { code?: string });
    expect(err).toMatchObject({ code: 'in-use' });
    expect((err as Error).message).toMatch(/could not check hv2-unreachable for a hosted-engine storage domain on this target \(connection refused by .*:1.*\) \(hosted-engine\): fix hv2-unreachable's connection or sudo on the Hosts page .* or, if hv2-unreachable is gone, remove its oVirt host role; then plan again/);
    await t.call('hosts.remove', { hostId: added.host.id });
    const view = await t.plan('planDelete', { iqn, deleteBackingFiles: true });
    const job = await t.apply(view.id, { confirmDangers: true });
    expect(job.error).toBeNull();
    expect((await t.driver.readState()).targets.some((x) => x.iqn === iqn)).toBe(false);
  });
});
