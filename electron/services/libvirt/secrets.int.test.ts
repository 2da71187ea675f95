// The CHAP secret step through real libvirt on lab hv1 and hv2, as a sudo admin (padmin): the
// datastore plan defines the secret (iscsi usage, private, persistent, one UUID) and sets its value
// on both hosts, then allocates the datastore (in an oned TEST DOUBLE on this machine). The value
// never shows in any process's argv (sampled during the step) nor in the journal, the job, the
// hosts' logs or a leftover temp file; a second run reuses the secret; with libvirtd stopped on hv2
// the job fails on hv2 with the reason, hv1 is rolled back and no datastore is created.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labSkipReason, loadLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { execOnHost, hostPath } from '../../../e2e/lab/hosts';
import { startLibvirtd, stopLibvirtd } from '../../../e2e/lab/faults';
import { startOnedDouble, type OnedDouble } from '../../../e2e/doubles/oned/server';
import { labHost, labPool, TableResolver, trustedStore } from '../../test-support/labkit';
import { startProcSampler } from '../../test-support/proc-sampler';
import { disposeEngines, testEngine } from '../../test-support/engine';
import { OperationRegistry } from '../jobs/kinds';
import type { CheckKind, OperationKind } from '../jobs/operation';
import type { SshPool } from '../ssh/pool';
import { OnedClient } from '../opennebula/client';
import { oneKinds } from '../opennebula/ops';
import { DatastoreInputSchema } from '../../../shared/domain/opennebula';
import { planDatastore } from '../datastores/plan-datastore';
import type { PlanDeps } from '../datastores/plan-deps';
import { secretMemory } from '../datastores/service';
import { libvirtSecretKinds } from './ops';
import { readHostSecrets } from './virsh';

const reason = labSkipReason();
const tag = randomBytes(3).toString('hex');
const usages: string[] = [];

describe.skipIf(reason)('libvirt CHAP secrets on lab hv1 and hv2 (real libvirtd)', () => {
  let lab: LabInfo;
  let pool: SshPool;
  let dbl: OnedDouble;

  beforeAll(async () => {
    lab = loadLab()!;
    const r = new TableResolver();
    for (const h of ['hv1', 'hv2']) r.set(h, labHost(lab, h, 'admin'));
    pool = labPool(r, { hostKeys: trustedStore(lab, { hv1: 'hv1', hv2: 'hv2' }) });
    dbl = await startOnedDouble({ users: { oneadmin: 'pw' }, hosts: [{ name: 'hv1' }, { name: 'hv2' }] });
  });
  afterEach(() => disposeEngines());
  afterAll(async () => {
    if (!lab) return;
    await startLibvirtd(lab.hosts.hv2);
    for (const h of [lab.hosts.hv1, lab.hosts.hv2]) {
      const list = (await execOnHost(h, ['virsh', 'secret-list'])).stdout;
      for (const line of list.split('\n')) {
        const m = /^\s*([0-9a-f-]{36})\s+iscsi\s+(\S+)\s*$/.exec(line);
        if (m && usages.includes(m[2])) await execOnHost(h, ['virsh', 'secret-undefine', m[1]]);
      }
    }
    await pool?.close();
    await dbl?.close();
  });

  function setup() {
    const kinds = new OperationRegistry();
    const engine = testEngine(kinds);
    const memory = secretMemory(engine.vault);
    const one = new OnedClient({ endpoint: dbl.url, session: () => 'oneadmin:pw' });
    const lv = libvirtSecretKinds(pool, memory);
    const o = oneKinds(() => one);
    kinds.add(...([lv.define, lv.set, lv.undefine, o.dsAllocate, o.dsDelete] as unknown as OperationKind<never>[]));
    kinds.addChecks(lv.listed as unknown as CheckKind<never>);
    const deps: PlanDeps = {
      one: () => one,
      porticoHostFor: (n) => (n === 'hv1' || n === 'hv2' ? n : null),
      hostLabel: (id) => id,
      readSecrets: (h, u) => readHostSecrets(pool, h, u),
      memory,
      newUuid: () => randomUUID(),
      lun: async () => null,
    };
    return { engine, deps };
  }
  const input = (name: string, usage: string, secret: string) =>
    DatastoreInputSchema.parse({ frontendId: 'fe1', flavour: 'iscsi_libvirt', name, clusterId: 0, iscsiHost: '203.0.113.11', chap: { user: 'pt-chap', usage, secret } });
  const listed = async (host: 'hv1' | 'hv2', usage: string) =>
    (await execOnHost(lab.hosts[host], ['virsh', 'secret-list'])).stdout.split('\n').filter((l) => new RegExp(`\\siscsi\\s+${usage}\\s*$`).test(l)).map((l) => l.trim().split(/\s+/)[0]);

  it('defines and sets the secret on both hosts with one UUID, the value in no argv, log or file; a second run changes nothing', async () => {
    const usage = `pt-ds-${tag}-a`;
    usages.push(usage);
    const secret = `Val-${randomBytes(6).toString('hex')}`;
    const { engine, deps } = setup();
    const plan = await planDatastore(deps, input(`pt-ds-${tag}-a`, usage, secret));
    expect(plan.steps.map((s) => s.ops.map((o) => `${o.kind}@${o.host}`).join(' '))).toEqual([
      'libvirt.secret.define@hv1 libvirt.secret.set@hv1',
      'libvirt.secret.define@hv2 libvirt.secret.set@hv2',
      'one.datastore.allocate@fe1',
    ]);
    const view = engine.plans.register(plan);
    expect(JSON.stringify(view)).not.toContain(secret);
    const sampler = startProcSampler({ secrets: [secret], intervalMs: 2 });
    const job = await (await engine.runner.apply(view.id)).done;
    const ps = await sampler.stop();
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    expect(ps.samples).toBeGreaterThan(5);
    expect(ps.samplesWithSecret).toBe(0);
    // Per host: the read-back names each host's secret.
    expect(JSON.stringify(job.result)).toMatch(/hv1.*iscsi pt-ds-.*hv2/);
    const [u1] = await listed('hv1', usage);
    expect(await listed('hv1', usage)).toHaveLength(1);
    expect(await listed('hv2', usage)).toEqual([u1]);
    for (const h of [lab.hosts.hv1, lab.hosts.hv2]) {
      // libvirt keeps the value base64 in /etc/libvirt/secrets/UUID.base64: it is the one we set.
      expect(Buffer.from(readFileSync(hostPath(h, `/etc/libvirt/secrets/${u1}.base64`), 'utf8'), 'base64').toString('utf8')).toBe(secret);
      const xml = (await execOnHost(h, ['virsh', 'secret-dumpxml', u1])).stdout;
      expect(xml).toMatch(/ephemeral='no'/);
      expect(xml).toMatch(/private='yes'/);
      expect(xml).toContain(`<target>${usage}</target>`);
      // Private: libvirt refuses to hand the value back.
      expect((await execOnHost(h, ['virsh', 'secret-get-value', u1], { allowFail: true })).code).not.toBe(0);
      expect(readdirSync(hostPath(h, '/tmp')).filter((f) => f.startsWith('portico-secret.'))).toEqual([]);
      for (const f of ['libvirtd.log', 'sshd.log', 'auth.log']) {
        const p = join(h.logDir, f);
        if (existsSync(p)) expect(readFileSync(p, 'utf8')).not.toContain(secret);
      }
    }
    expect(readFileSync(join(engine.dir, 'portico.sqlite')).includes(Buffer.from(secret))).toBe(false);
    expect(JSON.stringify(job)).not.toContain(secret);
    expect(dbl.state.snapshot().datastores.find((d) => d.name === `pt-ds-${tag}-a`)?.template).toMatchObject({ DS_MAD: 'iscsi_libvirt', ISCSI_USER: 'pt-chap', ISCSI_USAGE: usage, ISCSI_HOST: '203.0.113.11' });

    // Second run, same usage and value: the secret is reused (no define), nothing is set again, no duplicate.
    const again = await planDatastore({ ...deps }, input(`pt-ds-${tag}-a2`, usage, secret));
    expect(again.steps.map((s) => s.ops.map((o) => o.kind).join(' '))).toEqual(['one.datastore.allocate']);
    expect(again.warnings!.filter((w) => /already holds secret/.test(w))).toHaveLength(2);
    const job2 = await (await engine.runner.apply(engine.plans.register(again).id)).done;
    expect(job2.state).toBe('succeeded');
    expect(await listed('hv1', usage)).toEqual([u1]);
    expect(await listed('hv2', usage)).toEqual([u1]);

    // A new value for the same usage name: updated in place (same UUID), its undo restores the old one.
    const secret2 = `New-${randomBytes(6).toString('hex')}`;
    const upd = await planDatastore(deps, input(`pt-ds-${tag}-a3`, usage, secret2));
    expect(upd.steps.map((s) => s.ops.map((o) => o.kind).join(' '))).toEqual(['libvirt.secret.set', 'libvirt.secret.set', 'one.datastore.allocate']);
    expect(upd.steps[0].ops[0].params).toMatchObject({ uuid: u1, pre: { kind: 'value', value: secret } });
    const job3 = await (await engine.runner.apply(engine.plans.register(upd).id)).done;
    expect(job3.state).toBe('succeeded');
    expect(Buffer.from(readFileSync(hostPath(lab.hosts.hv2, `/etc/libvirt/secrets/${u1}.base64`), 'utf8'), 'base64').toString('utf8')).toBe(secret2);
  });

  it('fails on hv2 when its libvirtd is stopped, rolls hv1 back and creates no datastore', async () => {
    const usage = `pt-ds-${tag}-b`;
    usages.push(usage);
    const secret = `Val-${randomBytes(6).toString('hex')}`;
    const { engine, deps } = setup();
    const plan = await planDatastore(deps, input(`pt-ds-${tag}-b`, usage, secret));
    await stopLibvirtd(lab.hosts.hv2);
    try {
      const job = await (await engine.runner.apply(engine.plans.register(plan).id)).done;
      expect(job.state).toBe('failed');
      expect(job.error).toMatch(/hv2/);
      expect(job.error).toMatch(/libvirtd is not running or not reachable/);
      // hv1's step undone; hv2's define was refused (nothing to undo there); the datastore never ran.
      expect(job.steps.map((s) => s.state)).toEqual(['undone', 'undone', 'skipped']);
      expect(job.leftover).toEqual([]);
      expect(JSON.stringify(job)).not.toContain(secret);
    } finally {
      await startLibvirtd(lab.hosts.hv2);
    }
    expect(await listed('hv1', usage)).toEqual([]);
    expect(await listed('hv2', usage)).toEqual([]);
    expect(dbl.state.snapshot().datastores.some((d) => d.name === `pt-ds-${tag}-b`)).toBe(false);
  });
});
