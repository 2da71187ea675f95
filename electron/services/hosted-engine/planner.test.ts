// planHostedEngineStorage as data: the operation list of both seed branches, iSCSI and NFS, with and
// without the hosted-engine.conf write; every operation has an inverse or is flagged irreversible;
// inverses are idempotent; and through the real JobRunner against a recording fake VDSM (the
// double's state machine), a failure at every operation leaves VDSM as it was.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { OperationRegistry } from '../jobs/kinds';
import type { Failpoint } from '../jobs/failpoints';
import { pick, resolveRefs, type Operation, type Plan } from '../jobs/operation';
import { IscsiStorageInputSchema, NfsStorageInputSchema, type IscsiStorageInput } from '../../../shared/domain/hosted-engine';
import type { BlockDeviceInfo } from '../vdsm/api';
import { FakeFiles, FAKE_GUID, FAKE_IQN, FAKE_PORTALS, RecordingVdsm, registerHeKinds } from '../../test-support/vdsm-recording';
import { disposeEngines, testEngine } from '../../test-support/engine';
import { HE_CONF_PATH, PLAN_KIND, planHostedEngineStorage, type HostedEngineResult } from './planner';

interface Fixture {
  knownDevices: BlockDeviceInfo[] | null;
  input: IscsiStorageInput;
}
const load = (name: string): Fixture => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const kindsOf = (p: Plan) => p.steps.flatMap((s) => s.ops.map((o) => o.kind));
const opsOf = (p: Plan) => p.steps.flatMap((s) => s.ops);
const HOST = { id: 'hv1', label: 'hv1 (10.0.0.5)' };

function registry(vdsm = new RecordingVdsm(), files = new FakeFiles()) {
  const kinds = new OperationRegistry();
  registerHeKinds(kinds, vdsm, files);
  return { kinds, vdsm, files };
}

/** validate() plus the explicit rule: every op not read-only has an inverse (possibly empty) or is flagged irreversible. */
function assertUndoable(kinds: OperationRegistry, plan: Plan) {
  kinds.validate(plan);
  for (const o of opsOf(plan)) {
    const k = kinds.op(o.kind);
    if (k.readOnly) continue;
    const inv = k.inverse(resolveRefs(o.params, (r) => `<${r.$out}>`) as never, o.host, undefined);
    expect(inv !== null || kinds.irreversible(o), `${o.kind} has an inverse or is irreversible`).toBe(true);
  }
}

const SEED_NEW = [
  'vdsm.discoverSendTargets', 'vdsm.connectStorageServer', 'he.checkLun', 'vdsm.getStorageRepoStats', 'vdsm.createVG', 'vdsm.createStorageDomain',
  'vdsm.getStorageDomainStats', 'vdsm.getVGInfo', 'vdsm.connectStorageServer', 'vdsm.createStoragePool', 'vdsm.connectStorageServer',
  'vdsm.connectStoragePool', 'vdsm.spmStart', 'vdsm.taskClear', 'vdsm.activateStorageDomain', 'vdsm.connectStoragePool',
];

describe('planHostedEngineStorage: operations as data', () => {
  it('seed branch "device not known": the transcript order, the lookup connect with all-zero ids, refs for the VG and the task', async () => {
    const fx = load('seed-branch-device-new.json');
    const plan = await planHostedEngineStorage(fx.input, { host: HOST, knownDevices: null });
    expect(plan.kind).toBe(PLAN_KIND);
    expect(kindsOf(plan)).toEqual(SEED_NEW);
    const ops = opsOf(plan);
    const { sdUUID, spUUID, connectionId } = fx.input.ids!;
    expect(ops[0].params).toMatchObject({ host: '192.168.1.105', port: 3260, user: '', expect: { iqn: 'iqn.2009-02.com.example:for.all', tpgt: '1' } });
    expect(ops[1].params).toMatchObject({ storagepoolID: '00000000-0000-0000-0000-000000000000', domainType: 3, connectionParams: [{ id: '00000000-0000-0000-0000-000000000000', tpgt: '1', port: '3260' }], preConnected: [] });
    expect(ops[4]).toMatchObject({ out: 'vg', params: { name: sdUUID, devlist: ['33000000100000001'], force: false } });
    expect(ops[5].params).toEqual({ storagedomainID: sdUUID, domainType: 3, typeArgs: { $out: 'vg' }, name: 'iscsi', domainClass: 1, version: 3 });
    expect(ops[8].params).toMatchObject({ storagepoolID: spUUID, connectionParams: [{ id: connectionId }], activePaths: { $out: 'lun', path: 'activePaths' }, rereadVg: { $out: 'vg' } });
    expect(ops[9].params).toMatchObject({ storagepoolID: spUUID, name: 'iscsi', masterSdUUID: sdUUID, domainList: [sdUUID], masterVersion: 1, hostID: 1 });
    expect(ops[11].params).toMatchObject({ storagepoolID: spUUID, hostID: 1, scsiKey: spUUID, masterSdUUID: sdUUID, masterVersion: 1, again: false });
    expect(ops[12]).toMatchObject({ out: 'spm', params: { prevID: -1, prevLver: '-1', enableScsiFencing: 'false', maxHostID: 250, domVersion: '3' } });
    expect(ops[13].params).toEqual({ taskID: { $out: 'spm', path: 'taskID' } });
    expect(ops[15].params).toMatchObject({ again: true });
    const { kinds } = registry();
    assertUndoable(kinds, plan);
    // The review renders refs as placeholders.
    expect(kinds.describe(ops[5])).toContain('"typeArgs":"<vg>"');
    expect(kinds.describe(ops[13])).toBe('Task.clear {"taskID":"<spm.taskID>"}');
    expect(plan.verify?.[0].kind).toBe('he.result');
    expect(plan.fresh?.[0]).toMatchObject({ kind: 'he.fresh', params: { sdUUID, spUUID, conf: null } });
  });

  it('seed branch "device known": no discovery, login or repoStats; sessions the host had stay on undo', async () => {
    const fx = load('seed-branch-device-known.json');
    const plan = await planHostedEngineStorage(fx.input, { host: HOST, knownDevices: fx.knownDevices });
    expect(kindsOf(plan)).toEqual(SEED_NEW.filter((k, i) => i >= 2 && k !== 'vdsm.getStorageRepoStats'));
    const { kinds } = registry();
    assertUndoable(kinds, plan);
    // The host already had the session to the portal: both pool connects undo nothing.
    const connects = opsOf(plan).filter((o) => o.kind === 'vdsm.connectStorageServer');
    expect(connects.map((c) => c.params.preConnected)).toEqual([[0], [0]]);
    for (const c of connects) expect(kinds.op(c.kind).inverse(c.params as never, 'hv1', undefined)).toEqual([]);
  });

  it('every undo as the review shows it, and what is irreversible', async () => {
    const fx = load('seed-branch-device-new.json');
    const plan = await planHostedEngineStorage(fx.input, { host: HOST, knownDevices: null });
    const { kinds } = registry();
    const undo = Object.fromEntries(opsOf(plan).map((o, i) => [`${i + 1} ${o.kind}`, kinds.describeInverse(o)]));
    expect(undo['2 vdsm.connectStorageServer']).toMatch(/^StoragePool.disconnectStorageServer .*"id":"00000000-0000-0000-0000-000000000000"/);
    expect(undo['5 vdsm.createVG']).toMatch(/^LVMVolumeGroup.remove \{"lvmvolumegroupID":"<LVM uuid of VG /);
    expect(undo['6 vdsm.createStorageDomain']).toMatch(/^StorageDomain.format .*"autoDetach":true/);
    expect(undo['10 vdsm.createStoragePool']).toMatch(/^StoragePool.destroy /);
    expect(undo['12 vdsm.connectStoragePool']).toMatch(/^StoragePool.disconnect .*"remove":false/);
    expect(undo['13 vdsm.spmStart']).toMatch(/Task.clear of a left spmStart task[\s\S]*StoragePool.spmStop/);
    expect(undo['15 vdsm.activateStorageDomain']).toMatch(/^StorageDomain.deactivate .*"masterSdUUID":"00000000-0000-0000-0000-000000000000"/);
    expect(undo['14 vdsm.taskClear']).toBeNull(); // a finished task record: nothing to undo
    expect(undo['16 vdsm.connectStoragePool']).toBeNull(); // the first connect's undo disconnects
    expect(opsOf(plan).some((o) => kinds.irreversible(o))).toBe(false);
    const forced = await planHostedEngineStorage({ ...fx.input, forceUsedLun: true, forceConfirmation: fx.input.lunGuid }, { host: HOST, knownDevices: null });
    const vg = opsOf(forced).find((o) => o.kind === 'vdsm.createVG')!;
    expect(kinds.irreversible(vg)).toBe(true);
    expect(forced.dangers?.join(' ')).toMatch(/cannot be undone/);
    // Only reads and the login come before it.
    const firstWrite = opsOf(forced).findIndex((o) => !kinds.op(o.kind).readOnly && o.kind !== 'vdsm.connectStorageServer');
    expect(opsOf(forced)[firstWrite].kind).toBe('vdsm.createVG');
  });

  it('NFS: mount, domain on server:/path, the pool phase; no VG', async () => {
    const input = NfsStorageInputSchema.parse({ storageType: 'nfs4', hostId: 'hv1', server: 'nfs.lab', exportPath: '/he' });
    const plan = await planHostedEngineStorage(input, { host: HOST, knownDevices: null });
    expect(kindsOf(plan)).toEqual([
      'vdsm.connectStorageServer', 'vdsm.createStorageDomain', 'vdsm.getStorageDomainStats', 'vdsm.connectStorageServer', 'vdsm.createStoragePool',
      'vdsm.connectStorageServer', 'vdsm.connectStoragePool', 'vdsm.spmStart', 'vdsm.taskClear', 'vdsm.activateStorageDomain', 'vdsm.connectStoragePool',
    ]);
    expect(opsOf(plan)[0].params).toMatchObject({ domainType: 1, connectionParams: [{ connection: 'nfs.lab:/he', version: '4' }] });
    expect(opsOf(plan)[1].params).toMatchObject({ domainType: 1, typeArgs: 'nfs.lab:/he' });
    const { kinds } = registry();
    assertUndoable(kinds, plan);
  });

  it('writeConf: a new file (and folder) gets 0640 root:kvm; an existing one keeps its mode and owner; the undo restores the old bytes', async () => {
    const fx = load('seed-branch-device-known.json');
    const input = { ...fx.input, loginChap: { user: 'he', password: 'LoginPw-77' } };
    const absent = { content: null, mode: null, owner: null };
    const p1 = await planHostedEngineStorage(input, { host: HOST, knownDevices: fx.knownDevices, conf: { pre: absent, dirExists: false } }, { writeConf: true });
    const last = p1.steps[p1.steps.length - 1];
    expect(last.ops.map((o) => o.kind)).toEqual(['dir.create', 'file.put']);
    expect(last.ops[1].params).toMatchObject({ path: HE_CONF_PATH, mode: '640', owner: '0:36', pre: absent });
    expect(String(last.ops[1].params.content)).toContain('password=LoginPw-77');
    const pre = { content: 'fqdn=engine.lab\nstorage=old\n', mode: '644', owner: '0:0' };
    const p2 = await planHostedEngineStorage(input, { host: HOST, knownDevices: fx.knownDevices, conf: { pre, dirExists: true } }, { writeConf: true });
    const put = p2.steps[p2.steps.length - 1].ops;
    expect(put.map((o) => o.kind)).toEqual(['file.put']);
    expect(put[0].params).toMatchObject({ mode: null, owner: null, pre });
    const { kinds } = registry();
    assertUndoable(kinds, p2);
    expect(kinds.op('file.put').inverse(put[0].params as never, 'hv1', undefined)).toEqual([{ kind: 'file.put', host: 'hv1', params: expect.objectContaining({ path: HE_CONF_PATH, content: pre.content, mode: '644', owner: '0:0' }) }]);
    expect(p2.fresh?.[0].params.conf).toMatchObject({ path: HE_CONF_PATH, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const off = await planHostedEngineStorage(input, { host: HOST, knownDevices: fx.knownDevices }, { writeConf: false });
    expect(kindsOf(off)).not.toContain('file.put');
    expect(JSON.stringify(off.artifacts)).toContain('OVEHOSTED_STORAGE/iSCSITargetName');
    await expect(planHostedEngineStorage(input, { host: HOST, knownDevices: fx.knownDevices }, { writeConf: true })).rejects.toThrow(/current state/);
  });
});

// ------------------------------------------------------------------ through the JobRunner

afterEach(disposeEngines);

function engine(failpoints: Failpoint[] = [], vdsm = new RecordingVdsm(), files = new FakeFiles()) {
  const { kinds } = registry(vdsm, files);
  const { plans, runner, db } = testEngine(kinds, { failpoints });
  return { kinds, plans, runner, vdsm, files, db };
}

const CHAP = { user: 'he-user', password: 'LoginSecret-12' };
const heInput = (): IscsiStorageInput =>
  IscsiStorageInputSchema.parse({ storageType: 'iscsi', hostId: 'hv1', portals: [FAKE_PORTALS[0]], loginChap: CHAP, target: { iqn: FAKE_IQN, tpgt: '1', portals: FAKE_PORTALS }, lunGuid: FAKE_GUID });

async function planFor(e: ReturnType<typeof engine>, writeConf = true) {
  const conf = { pre: e.files.state(HE_CONF_PATH), dirExists: e.files.dirs.has('/etc/ovirt-hosted-engine') };
  return planHostedEngineStorage(heInput(), { host: HOST, knownDevices: null, liveDevices: await e.vdsm.api.getDeviceList({ storageType: 3, checkStatus: false }), conf }, { writeConf });
}

const stateOf = (e: ReturnType<typeof engine>) => JSON.stringify([e.vdsm.double.snapshot(), [...e.files.files], [...e.files.dirs]]);

describe('hosted-engine plan through the JobRunner (recording fake VDSM)', () => {
  it('applies; the result comes from the read-back; passwords stay out of the journal', async () => {
    const e = engine();
    const view = e.plans.register(await planFor(e));
    expect(view.steps.map((s) => s.ops.length).reduce((a, b) => a + b)).toBe(18);
    const job = await (await e.runner.apply(view.id)).done;
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    const r = job.result as HostedEngineResult;
    expect(r.vg?.pvs).toEqual([FAKE_GUID]);
    expect(r.vg?.vgUUID).toMatch(/^\w{6}(-\w{4}){5}-\w{6}$/);
    expect(r.answerFile).toContain(`OVEHOSTED_STORAGE/vgUUID=str:${r.vg?.vgUUID}`);
    expect(r.answerFile).toContain('OVEHOSTED_STORAGE/discardSupport=bool:False');
    expect(r.confWritten).toEqual({ path: HE_CONF_PATH, backup: null });
    expect(r.hostedEngineConf).toContain('password=******');
    expect(e.files.files.get(HE_CONF_PATH)).toMatchObject({ mode: '640', owner: '0:36' });
    expect(e.files.files.get(HE_CONF_PATH)!.content).toContain(`password=${CHAP.password}`);
    const snap = e.vdsm.double.snapshot();
    expect(snap.spm).toBe(r.pool.spUUID);
    expect(snap.domains[0]).toMatchObject({ status: 'Active', pool: r.pool.spUUID });
    expect(snap.tasks).toEqual([]);
    const journal = JSON.stringify(e.db.prepare('SELECT * FROM job_ops').all());
    expect(journal).not.toContain(CHAP.password);
    // The transcript order, seen by VDSM (fresh check and read-back around it).
    const m = e.vdsm.methods();
    const i = m.indexOf('ISCSIConnection.discoverSendTargets');
    expect(m.slice(i, i + 6)).toEqual(['ISCSIConnection.discoverSendTargets', 'StoragePool.connectStorageServer', 'Host.getDeviceList', 'Host.getStorageRepoStats', 'LVMVolumeGroup.create', 'StorageDomain.create']);
  });

  it('a read-back that disagrees is verification-failed, not succeeded', async () => {
    const e = engine();
    const view = e.plans.register(await planFor(e, false));
    e.vdsm.failNext.set('StoragePool.getSpmStatus', 654);
    const job = await (await e.runner.apply(view.id)).done;
    expect(job.state).toBe('verification-failed');
    expect(job.error).toMatch(/read-back disagrees/);
    expect(job.recoverable).toBe(true);
  });

  it('fresh check: a host already in a pool refuses the plan before anything runs', async () => {
    const e = engine();
    const first = e.plans.register(await planFor(e, false));
    const j1 = await (await e.runner.apply(first.id)).done;
    expect(j1.state, j1.error ?? '').toBe('succeeded');
    const second = e.plans.register(await planFor(e, false));
    await expect(e.runner.apply(second.id)).rejects.toThrow(/already connected to storage pool/);
  });

  it('operation k fails, for every k: the rollback leaves VDSM and hosted-engine.conf as before', async () => {
    const rows: string[] = [];
    let n = Infinity;
    for (let k = 1; k <= n; k++) {
      const e = engine([{ planKind: PLAN_KIND, op: k, mode: 'fail' }]);
      e.files.files.set(HE_CONF_PATH, { content: 'fqdn=engine.lab\n', mode: '600', owner: '0:0' });
      e.files.dirs.add('/etc/ovirt-hosted-engine');
      const before = stateOf(e);
      const plan = await planFor(e);
      n = opsOf(plan).length;
      const view = e.plans.register(plan);
      const job = await (await e.runner.apply(view.id)).done;
      rows.push(`${k} ${opsOf(plan)[k - 1].kind} ${job.state}`);
      expect(job.state, `k=${k}: ${job.error}`).toBe('failed');
      expect(stateOf(e), `k=${k}`).toBe(before);
    }
    expect(rows).toHaveLength(17);
  }, 120_000);

  it('inverses are idempotent: applied twice, or without their operation ever having run, they leave VDSM as it was', async () => {
    const e = engine();
    const plan = await planFor(e);
    const view = e.plans.register(plan);
    const job = await (await e.runner.apply(view.id)).done;
    expect(job.state).toBe('succeeded');
    // The outputs as the journal has them.
    const outputs = new Map<string, unknown>();
    for (const row of e.db.prepare("SELECT op, output FROM job_ops WHERE phase = 'apply' AND state = 'done'").all() as { op: string; output: string | null }[]) {
      const o = JSON.parse(row.op) as Operation;
      if (o.out && row.output) outputs.set(o.out, JSON.parse(row.output));
    }
    const ctx = { signal: new AbortController().signal, log: () => undefined };
    const inverses = opsOf(plan).reverse().flatMap((o) => {
      const k = e.kinds.op(o.kind);
      if (k.readOnly) return [];
      const p = k.schema.parse(resolveRefs(o.params, (r) => pick(outputs.get(r.$out), r.path)));
      return k.inverse(p, o.host, o.out ? outputs.get(o.out) : undefined) ?? [];
    });
    const runAll = async () => {
      for (const inv of inverses) {
        const k = e.kinds.op(inv.kind);
        await k.apply(k.schema.parse(inv.params), inv.host, ctx);
      }
    };
    await runAll();
    const undone = stateOf(e);
    expect(e.vdsm.double.snapshot()).toMatchObject({ vgs: [], domains: [], pools: [], tasks: [], connectedPool: null, spm: null, sessions: [] });
    await runAll();
    expect(stateOf(e)).toBe(undone);
    // On a host where nothing ever happened.
    const clean = engine();
    const before = stateOf(clean);
    for (const inv of inverses) {
      const k = clean.kinds.op(inv.kind);
      await k.apply(k.schema.parse(inv.params), inv.host, ctx);
    }
    expect(stateOf(clean)).toBe(before);
  });
});
