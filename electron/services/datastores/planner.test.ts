// The datastore planners against recording fakes: the oned TEST DOUBLE in this process for the
// front-end, a recording map of the hypervisors' libvirt secrets, fixed UUIDs; the page's mapping
// and orphans; the usage check the targets planners ask.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOnedDouble, type OnedDouble } from '../../../e2e/doubles/oned/server';
import { DatastoreInputSchema, ImagesInputSchema } from '../../../shared/domain/opennebula';
import { HostInputSchema } from '../../../shared/domain/host';
import type { TargetView } from '../../../shared/features/targets';
import { OnedClient } from '../opennebula/client';
import { renderTemplateXml } from '../opennebula/template';
import type { HostSecrets } from '../libvirt/virsh';
import { disposeEngines, testEngine } from '../../test-support/engine';
import { OperationRegistry } from '../jobs/kinds';
import type { OperationKind } from '../jobs/operation';
import { HostRepo } from '../hosts/host-repo';
import { libvirtSecretKinds } from '../libvirt/ops';
import { oneKinds } from '../opennebula/ops';
import { planDatastore } from './plan-datastore';
import { planDatastoreDelete, planImageDelete, planImages } from './plan-image';
import type { PlanDeps } from './plan-deps';
import { lookupLun, type TargetsIndex } from './luns';
import { buildDatastoresView } from './view';
import { DatastoresService } from './service';

let dbl: OnedDouble;
let one: OnedClient;
const reads: string[] = [];
let secretsOn: Record<string, HostSecrets['match']>;
const memory = new Map<string, string>();

const IQN = 'iqn.2026-12.org.example:stor1:vm';
// Only the fields the mapping reads (the targets feature's view has more).
const target = (luns: number[], sessions = 0): TargetView => ({
  tid: 1, iqn: IQN, luns: [0, ...luns].map((lun) => ({ lun, path: lun ? `/srv/${lun}` : null, type: lun ? 'disk' : 'controller', sizeBytes: lun * 64 * 1024 ** 2, apparentBytes: lun === 3 ? 3 * 64 * 1024 ** 2 + 512 : null, allocatedBytes: null, readonly: false, scsiId: '', scsiSn: '' })),
  addresses: [], initiators: [], namesOnly: false, openToAll: false, chap: true, mutualChap: false, chapUsers: ['u'], mutualChapUser: null,
  sessions: Array.from({ length: sessions }, (_, i) => ({ nexus: i, initiator: `iqn.1994-05.com.redhat:hv${i + 1}`, alias: null, connections: [] })), persisted: 'in-sync', driftMessages: [],
}) as Partial<TargetView> as TargetView;
const index = (t: TargetView): TargetsIndex => ({ byIqn: new Map([[t.iqn, { serverId: 'stor1', serverName: 'stor1', target: t }]]), problems: [] });

function deps(idx: TargetsIndex = index(target([1, 2]))): PlanDeps {
  return {
    one: () => one,
    porticoHostFor: (n) => (['hv1', 'hv2'].includes(n) ? `id-${n}` : null),
    hostLabel: (id) => id.replace(/^id-/, ''),
    readSecrets: async (h, usage) => {
      reads.push(`${h}:${usage}`);
      return { listed: [], match: secretsOn[h] ?? null };
    },
    memory: { get: (h, u) => memory.get(`${h}/${u}`) ?? null, set: (h, u, v) => void memory.set(`${h}/${u}`, v) },
    newUuid: () => '11111111-2222-4333-8444-555555555555',
    lun: async (iqn, lun) => lookupLun(idx, iqn, lun),
  };
}
const libvirt = (extra: Record<string, unknown> = {}) => DatastoreInputSchema.parse({ frontendId: 'fe1', flavour: 'iscsi_libvirt', name: 'vmstore', clusterId: 0, iscsiHost: '203.0.113.11', chap: { user: 'vm-chap', usage: 'vmstore-chap', secret: 'Chap-Secret-123' }, ...extra });

beforeEach(async () => {
  dbl = await startOnedDouble({ users: { oneadmin: 'pw' } });
  one = new OnedClient({ endpoint: dbl.url, session: () => 'oneadmin:pw' });
  reads.length = 0;
  secretsOn = {};
  memory.clear();
});
afterEach(async () => {
  disposeEngines();
  await dbl.close();
});
afterAll(() => undefined);

describe('planDatastore (existing LUNs)', () => {
  it('defines and sets the secret on every KVM host with one UUID, then allocates; the secret only as a masked value', async () => {
    const plan = await planDatastore(deps(), libvirt());
    expect(reads).toEqual(['id-hv1:vmstore-chap', 'id-hv2:vmstore-chap']);
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Define the libvirt secret vmstore-chap (11111111-2222-4333-8444-555555555555) on hv1',
      'Define the libvirt secret vmstore-chap (11111111-2222-4333-8444-555555555555) on hv2',
      'Register datastore "vmstore" in OpenNebula (cluster 0)',
    ]);
    expect(plan.steps[0].ops.map((o) => o.kind)).toEqual(['libvirt.secret.define', 'libvirt.secret.set']);
    expect(plan.steps[0].ops[1].params).toMatchObject({ pre: { kind: 'none' }, value: 'Chap-Secret-123' });
    expect(plan.verify!.map((c) => `${c.kind}@${c.host}`)).toEqual(['libvirt.secret.listed@id-hv1', 'libvirt.secret.listed@id-hv2']);
    expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^Only administrators/), expect.stringMatching(/KVM hosts only/), expect.stringMatching(/must be persistent/)]));
    expect(plan.artifacts![0].content).toContain('ISCSI_USAGE = "vmstore-chap"');
    const kinds = new OperationRegistry();
    const fakeHosts = { runner: () => { throw new Error('not in unit tests'); } };
    const lv = libvirtSecretKinds(fakeHosts, deps().memory);
    const o = oneKinds(() => one);
    kinds.add(...([lv.define, lv.set, lv.undefine, o.dsAllocate, o.dsDelete] as unknown as OperationKind<never>[]));
    kinds.addChecks(lv.listed as never);
    const view = testEngine(kinds).plans.register(plan);
    expect(JSON.stringify(view)).not.toContain('Chap-Secret-123');
    expect(view.steps[0].undo).toBe('virsh secret-undefine 11111111-2222-4333-8444-555555555555   # usage iscsi vmstore-chap');
  });

  it('reuses a host\'s existing secret (its UUID everywhere); a private value it cannot read makes that set irreversible', async () => {
    secretsOn['id-hv2'] = { uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', usage: 'vmstore-chap', private: true, ephemeral: false, value: undefined };
    const plan = await planDatastore(deps(), libvirt());
    expect(plan.steps[0].ops.map((o) => [o.kind, o.params.uuid])).toEqual([['libvirt.secret.define', 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'], ['libvirt.secret.set', 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee']]);
    expect(plan.steps[1].title).toBe('Update the libvirt secret vmstore-chap (aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee) on hv2');
    expect(plan.steps[1].ops.map((o) => [o.kind, (o.params.pre as { kind: string }).kind])).toEqual([['libvirt.secret.set', 'unknown']]);
    expect(plan.warnings!.some((w) => /hv2 already has secret .* cannot be read back: a rollback cannot restore it/.test(w))).toBe(true);
    // A value Portico set before is known: the set's undo restores it; the same value needs nothing.
    memory.set('id-hv2/vmstore-chap', 'Chap-Secret-123');
    const again = await planDatastore(deps(), libvirt({ name: 'vmstore2' }));
    expect(again.steps.map((s) => s.ops.map((o) => o.kind).join('+'))).toEqual(['libvirt.secret.define+libvirt.secret.set', 'one.datastore.allocate']);
  });

  it('refuses, naming the field: a KVM host Portico does not manage, an unknown cluster, a taken name', async () => {
    dbl.state.hosts.push({ id: 2, name: 'hv9', imMad: 'kvm', vmMad: 'kvm', clusterId: 0, state: 2 });
    await expect(planDatastore(deps(), libvirt())).rejects.toMatchObject({ field: 'clusterId', message: expect.stringMatching(/hv9 .* are not Portico hosts/) });
    await expect(planDatastore(deps(), libvirt({ clusterId: 7 }))).rejects.toMatchObject({ field: 'clusterId', message: expect.stringMatching(/no cluster 7/) });
    await expect(planDatastore(deps(), libvirt({ name: 'default' }))).rejects.toMatchObject({ field: 'name', message: expect.stringMatching(/already has a datastore named "default"/) });
  });

  it('tgt + LVM: export-only where the version lacks the driver, planned with the 3.4 names where it has it', async () => {
    const tgt = DatastoreInputSchema.parse({ frontendId: 'fe1', flavour: 'tgt_lvm', name: 'tgt', clusterId: -1, host: 'stor1' });
    await expect(planDatastore(deps(), tgt)).rejects.toMatchObject({ code: 'export-only', field: 'flavour' });
    dbl.state.version = '4.4.1';
    const plan = await planDatastore(deps(), tgt);
    expect(plan.steps.map((s) => s.ops[0].kind)).toEqual(['one.datastore.allocate']);
    expect(plan.steps[0].ops[0].params.template).toEqual(expect.arrayContaining([['DS_MAD', 'iscsi'], ['TM_MAD', 'iscsi'], ['VG_NAME', 'vg-one'], ['BASE_IQN', 'iqn.2012-02.org.opennebula']]));
    await expect(planDatastore(deps(), libvirt())).rejects.toMatchObject({ code: 'export-only' });
  });
});

describe('images, deletes, the page and the usage check', () => {
  async function iscsiDs() {
    return one.allocateDatastore(renderTemplateXml([['NAME', 'lunds'], ['TYPE', 'IMAGE_DS'], ['DS_MAD', 'iscsi_libvirt'], ['TM_MAD', 'iscsi_libvirt'], ['DISK_TYPE', 'ISCSI'], ['ISCSI_HOST', '203.0.113.11']]), 0);
  }

  it('plans images from live LUNs, refusing a missing LUN, a LUN already mapped and a non-iSCSI datastore', async () => {
    const ds = await iscsiDs();
    const input = (lun: number, name = `img${lun}`) => ImagesInputSchema.parse({ frontendId: 'fe1', datastoreId: ds, images: [{ name, iqn: IQN, lun, serverId: 'stor1' }] });
    const plan = await planImages(deps(), input(2));
    expect(plan.steps[0].title).toBe(`Register image "img2" for ${IQN}/2, 128 MiB in datastore ${ds} "lunds"`);
    expect(plan.steps[0].ops[0].params.template).toEqual([['NAME', 'img2'], ['PATH', `${IQN}/2`], ['PERSISTENT', 'YES'], ['TYPE', 'DATABLOCK']]);
    await expect(planImages(deps(), input(5))).rejects.toMatchObject({ field: 'images.0.lun', message: expect.stringMatching(/has no LUN 5 \(it has 1, 2\)/) });
    await one.allocateImage(renderTemplateXml([['NAME', 'old'], ['PATH', `${IQN}/1`], ['PERSISTENT', 'YES']]), ds);
    await expect(planImages(deps(), input(1))).rejects.toMatchObject({ field: 'images.0.lun', message: expect.stringMatching(/already image 0 "old"/) });
    await expect(planImages(deps(), ImagesInputSchema.parse({ frontendId: 'fe1', datastoreId: 1, images: [{ name: 'x', iqn: IQN, lun: 1 }] }))).rejects.toMatchObject({ field: 'datastoreId', message: expect.stringMatching(/fs driver, not an iSCSI one/) });
  });

  it('an image delete leaves the LUN; a datastore delete with images is refused; removing its secrets is a danger', async () => {
    const ds = await iscsiDs();
    const img = await one.allocateImage(renderTemplateXml([['NAME', 'db'], ['PATH', `${IQN}/1`], ['PERSISTENT', 'YES'], ['ISCSI_USER', 'u2']]), ds);
    const del = await planImageDelete(deps(), { frontendId: 'fe1', imageId: img });
    expect(del.title).toBe(`Remove image ${img} "db" from OpenNebula (the LUN ${IQN}/1 stays)`);
    expect(del.steps.flatMap((s) => s.ops.map((o) => o.kind))).toEqual(['one.image.delete']);
    expect(del.steps[0].ops[0].params.template).toEqual([['NAME', 'db'], ['PATH', `${IQN}/1`], ['PERSISTENT', 'YES'], ['TYPE', 'OS'], ['ISCSI_USER', 'u2']]);
    await expect(planDatastoreDelete(deps(), { frontendId: 'fe1', datastoreId: ds, removeSecrets: false })).rejects.toMatchObject({ field: 'datastoreId', message: expect.stringMatching(/still has image/) });
    await one.deleteImage(img);
    const chapDs = await one.allocateDatastore(renderTemplateXml([['NAME', 'chapds'], ['TYPE', 'IMAGE_DS'], ['DS_MAD', 'iscsi_libvirt'], ['TM_MAD', 'iscsi_libvirt'], ['DISK_TYPE', 'ISCSI'], ['ISCSI_HOST', 'h'], ['ISCSI_USER', 'u'], ['ISCSI_USAGE', 'vmstore-chap']]), 0);
    secretsOn['id-hv1'] = { uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', usage: 'vmstore-chap', private: true, ephemeral: false, value: undefined };
    const dd = await planDatastoreDelete(deps(), { frontendId: 'fe1', datastoreId: chapDs, removeSecrets: true });
    expect(dd.steps.map((s) => s.ops.map((o) => `${o.kind}@${o.host}`).join())).toEqual(['one.datastore.delete@fe1', 'libvirt.secret.undefine@id-hv1']);
    expect(dd.dangers).toEqual([expect.stringMatching(/^The libvirt secret vmstore-chap is removed from 1 host\(s\)/)]);
  });

  it('maps images to live LUNs and flags orphans both ways, each with its fix call', async () => {
    const ds = await iscsiDs();
    await one.allocateImage(renderTemplateXml([['NAME', 'ok'], ['PATH', `${IQN}/1`], ['PERSISTENT', 'YES']]), ds);
    await one.allocateImage(renderTemplateXml([['NAME', 'gone'], ['PATH', `${IQN}/7`], ['PERSISTENT', 'YES']]), ds);
    await one.allocateImage(renderTemplateXml([['NAME', 'nosuffix'], ['PATH', 'iqn.2026-12.org.example:other'], ['PERSISTENT', 'YES']]), ds);
    const fe = { hostId: 'fe1', hostName: 'fe1', endpoint: dbl.url, via: 'direct' as const, hasSession: true, user: 'oneadmin', version: null, lastError: null };
    const v = buildDatastoresView(fe, '6.10.0', await one.datastores(), await one.images(), index(target([1, 2, 3], 2)));
    const d = v.datastores.find((x) => x.id === ds)!;
    expect(d.iscsi).toBe(true);
    const byName = Object.fromEntries(d.images.map((i) => [i.name, i]));
    expect(byName.ok).toMatchObject({ orphan: false, lun: 1, oneSizeMb: 0, lun_: { serverId: 'stor1', exists: true, sizeBytes: 64 * 1024 ** 2, sessions: 2 } });
    expect(byName.gone).toMatchObject({ orphan: true, orphanReason: `target ${IQN} on stor1 has no LUN 7`, fix: { call: 'datastores.planImageDelete', input: { frontendId: 'fe1', imageId: byName.gone.id } } });
    expect(byName.nosuffix).toMatchObject({ orphan: true, missingLunSuffix: true, orphanReason: expect.stringMatching(/no \/LUN suffix: libvirt uses LUN 0/) });
    // The backing file's exact size wins over tgt's decimal-MB figure.
    expect(v.orphanLuns.map((o) => o.sizeBytes)).toEqual([128 * 1024 ** 2, 3 * 64 * 1024 ** 2 + 512]);
    expect(v.orphanLuns.map((o) => [o.iqn, o.lun, o.fix.call])).toEqual([[IQN, 2, 'datastores.planImage'], [IQN, 3, 'datastores.planImage']]);
    expect(v.orphanLuns[0].fix.input).toEqual({ frontendId: 'fe1', datastoreId: ds, images: [{ name: 'vm-lun2', iqn: IQN, lun: 2, serverId: 'stor1', type: 'DATABLOCK' }] });
    expect(v.datastores.find((x) => x.id === 1)!.iscsi).toBe(false);
  });

  it('the usage check names the image mapped to a LUN or target, and refuses when a front-end cannot be asked', async () => {
    const kinds = new OperationRegistry();
    const e = testEngine(kinds);
    const hosts = new HostRepo(e.db, e.vault);
    const fe = hosts.add(HostInputSchema.parse({ name: 'fe1', address: '198.51.100.31', port: 22, user: 'root', auth: { kind: 'agent' }, sudo: false, roles: ['one-frontend'] }));
    const pool = { runner: () => { throw new Error('no SSH in unit tests'); }, forwardOut: () => Promise.reject(new Error('no SSH')) } as never;
    const svc = new DatastoresService(e.db, hosts, e.vault, pool, e.plans, { list: () => [], view: () => Promise.reject(new Error('none')) });
    await svc.frontends.save({ hostId: fe.id, endpoint: dbl.url, via: 'direct', session: 'oneadmin:pw' });
    const ds = await iscsiDs();
    const img = await one.allocateImage(renderTemplateXml([['NAME', 'db-disk'], ['PATH', `${IQN}/2`], ['PERSISTENT', 'YES']]), ds);
    expect(await svc.lunUsers({ serverId: 'stor1', iqn: IQN, lun: 1 })).toEqual([]);
    const users = await svc.lunUsers({ serverId: 'stor1', iqn: IQN, lun: 2 });
    expect(users).toEqual([{ owner: 'datastores', description: `OpenNebula image ${img} "db-disk" on fe1 (datastore ${ds}) maps to ${IQN}/2`, fix: `remove image ${img} on the Datastores page first (the LUN stays)` }]);
    expect(await svc.lunUsers({ serverId: 'stor1', iqn: IQN })).toHaveLength(1);
    // The stored session never comes back.
    expect(JSON.stringify(svc.frontends.list())).not.toContain('pw');
    dbl.inject({ method: 'one.imagepool.info', code: 0x0100 });
    expect((await svc.lunUsers({ serverId: 'stor1', iqn: IQN }))[0].description).toMatch(/could not be asked whether an image maps to/);
  });
});
