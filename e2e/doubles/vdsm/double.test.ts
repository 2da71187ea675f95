// TEST DOUBLE checks with a fake iSCSI backend (the lab-backed version is double.int.test.ts).
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { VdsmClient } from '../../../electron/services/vdsm/client';
import { VdsmApi } from '../../../electron/services/vdsm/api';
import { planHostedEngineStorage, type HostedEngineResult } from '../../../electron/services/hosted-engine/planner';
import { heJobEngine } from '../../../electron/test-support/vdsm-recording';
import { connectTarget, discoverViaVdsm, listLuns } from '../../../electron/services/hosted-engine/wizard';
import { IscsiError } from '../../../electron/services/iscsi/errors';
import { IscsiStorageInputSchema } from '../../../shared/domain/hosted-engine';
import { VdsmDouble, type IscsiBackend } from './double';
import { memoryDouble } from './memory';
import { loadApiSchemaFromYaml, loadCommittedSchema } from './schema';
import { existsSync } from 'node:fs';

const IQN = 'iqn.2024-01.lab.stor1:he';
const HOST_IQN = 'iqn.1994-05.com.redhat:hv1';
const CHAP = { user: 'he-user', secret: 'LoginSecret-12' };

function fakeBackend(): IscsiBackend {
  const lun = (n: number, size: number, bs = 512) => ({
    lun: n, lunRaw: '', present: true, deviceType: 0, deviceTypeName: 'disk', vendor: 'IET', product: 'VIRTUAL-DISK', revision: '0001',
    designators: [], guid: `36001405000000000000000000000000${n}`, guidAlsoKnownAs: [], sizeBytes: size, blockSize: bs, physicalBlockSize: bs, problems: [],
  });
  return {
    async discover(o) {
      if (o.address === '10.9.9.9') throw new IscsiError('timeout', 'no answer');
      if (o.chap && o.chap.secret !== 'DiscSecret-34') throw new IscsiError('auth-failed', 'CHAP refused');
      return [{ address: '10.0.1.10', port: 3260, tpgt: 1, iqn: IQN }, { address: '10.0.2.10', port: 3260, tpgt: 1, iqn: IQN }];
    },
    async inspect(o) {
      if (o.initiatorName !== HOST_IQN) throw new IscsiError('target-not-found', 'not found');
      if (!o.chap || o.chap.secret !== CHAP.secret) throw new IscsiError('auth-failed', 'CHAP refused');
      return { targetPortalGroupTag: 1, luns: [lun(1, 100 * 1024 ** 3), lun(2, 20 * 1024 ** 3), lun(3, 100 * 1024 ** 3, 4096)] };
    },
  };
}

let client: VdsmClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

function setup(initiatorName = HOST_IQN) {
  const vdsm = new VdsmDouble({ schema: loadCommittedSchema(), initiatorName, backend: fakeBackend(), taskMs: 30 });
  const md = memoryDouble({ handler: (r) => vdsm.handle(r) });
  client = new VdsmClient({ connect: md.connect, incomingHeartbeatMs: 0, outgoingHeartbeatMs: 0, retry99: { attempts: 5, baseDelayMs: 20, maxDelayMs: 50 } });
  return { vdsm, md, api: new VdsmApi(client) };
}

describe('VDSM double (fake iSCSI backend)', () => {
  // The reference folder sits beside the repo (../shared), as on CI.
  const yml = fileURLToPath(new URL('../../../../shared/reference/vdsm-api.yml', import.meta.url));
  if (!existsSync(yml)) console.warn(`SKIP schema fixture check: ${yml} is not there (the shared reference folder beside the repo)`);
  it.skipIf(!existsSync(yml))('committed schema fixture matches vdsm-api.yml from the shared reference', () => {
    const a = loadApiSchemaFromYaml(yml);
    const b = loadCommittedSchema();
    expect(b.methods).toEqual(a.methods);
  });

  it('refuses unknown methods and parameter names as VDSM would', async () => {
    const { api } = setup();
    await expect(api.rpc.call('Host.noSuchVerb', {})).rejects.toMatchObject({ code: -32601 });
    await expect(api.rpc.call('Host.getDeviceList', { storageTyp: 3 })).rejects.toMatchObject({ code: -32602 });
    await expect(api.rpc.call('StoragePool.connect', { storagepoolID: 'x' })).rejects.toMatchObject({ code: -32602 });
  });

  it('answers 99 while recovering and the client retries through it', async () => {
    const { api, vdsm } = setup();
    vdsm.recoveringUntil = Date.now() + 60;
    expect(await api.rpc.call('Host.ping2', {})).toBe(true);
  });

  it('wizard flow: discovery, wrong discovery CHAP (475), wrong login CHAP (476), LUN table with reasons', async () => {
    const { api } = setup();
    const req = { hostId: 'hv1', portals: [{ address: '10.0.1.10', port: 3260 }], discoveryChap: { user: 'd', password: 'DiscSecret-34' } };
    const d = await discoverViaVdsm(api, req);
    expect(d.targets).toEqual([{ iqn: IQN, tpgt: '1', portals: [{ address: '10.0.1.10', port: 3260 }, { address: '10.0.2.10', port: 3260 }] }]);
    expect(d.selected).toBe(0);
    await expect(discoverViaVdsm(api, { ...req, discoveryChap: { user: 'd', password: 'nope' } })).rejects.toThrow(/discovery CHAP/);
    const target = { iqn: IQN, tpgt: '1', portals: d.targets[0].portals };
    const bad = await connectTarget(api, target, { user: CHAP.user, password: 'wrong' });
    expect(bad.connected).toBe(0);
    expect(bad.problems[0].code).toBe(476);
    expect(bad.problems[0].message).toMatch(/rejected the login CHAP/);
    const good = await connectTarget(api, target, { user: CHAP.user, password: CHAP.secret });
    expect(good.connected).toBe(2);
    const l = await listLuns(api, IQN, 58, HOST_IQN);
    expect(l.noLuns).toBeNull();
    expect(l.rows.map((r) => [r.eligible, r.pathsActive])).toEqual([[true, 2], [false, 2], [false, 2]]);
    expect(l.rows[1].reason).toMatch(/too small/);
    expect(l.rows[2].reason).toMatch(/4Kn/);
  });

  it('ACL miss: login refused (465) and the LUN list is empty with the initiator name named', async () => {
    const { api } = setup('iqn.1994-05.com.redhat:not-allowed');
    const target = { iqn: IQN, tpgt: '1', portals: [{ address: '10.0.1.10', port: 3260 }] };
    const c = await connectTarget(api, target, { user: CHAP.user, password: CHAP.secret });
    expect(c.problems[0].code).toBe(465);
    const l = await listLuns(api, IQN, 58, 'iqn.1994-05.com.redhat:not-allowed');
    expect(l.rows).toEqual([]);
    expect(l.noLuns?.message).toMatch(/iqn\.1994-05\.com\.redhat:not-allowed/);
    expect(l.noLuns?.message).toMatch(/ACL/);
  });

  it('full plan against the stateful double (device known), then result and state', async () => {
    const { api, vdsm } = setup();
    const target = { iqn: IQN, tpgt: '1', portals: [{ address: '10.0.1.10', port: 3260 }, { address: '10.0.2.10', port: 3260 }] };
    await connectTarget(api, target, { user: CHAP.user, password: CHAP.secret });
    const l = await listLuns(api, IQN, 58, HOST_IQN);
    const input = IscsiStorageInputSchema.parse({
      storageType: 'iscsi', hostId: 'hv1', portals: [{ address: '10.0.1.10' }], discoveryChap: {}, loginChap: { user: CHAP.user, password: CHAP.secret },
      target, lunGuid: l.rows[0].guid,
    });
    const plan = await planHostedEngineStorage(input, { host: { id: 'hv1', label: 'hv1' }, knownDevices: l.devices });
    const e = heJobEngine(api);
    const job = await e.run(plan);
    e.dispose();
    expect(job.state, job.error ?? '').toBe('succeeded');
    const res = job.result as HostedEngineResult;
    expect(BigInt(res.domain.totalBytes)).toBeGreaterThan(90n * 1024n ** 3n);
    expect(res.vg?.pvs).toEqual([l.rows[0].guid]);
    expect(vdsm.spm).toBe(res.pool.spUUID);
    expect([...vdsm.domains.values()][0].status).toBe('Active');
    // A second plan on the now-used LUN is refused without force.
    const l2 = await listLuns(api, IQN, 58, HOST_IQN);
    expect(l2.rows[0].eligible).toBe(false);
    expect(l2.rows[0].reason).toMatch(/volume group/);
    await expect(planHostedEngineStorage(input, { host: { id: 'hv1', label: 'hv1' }, knownDevices: l2.devices })).rejects.toThrow(/cannot be used/);
  });

  it('a plan failing after the domain was created is rolled back by the JobRunner (the session the wizard made stays)', async () => {
    const { api, vdsm } = setup();
    const target = { iqn: IQN, tpgt: '1', portals: [{ address: '10.0.1.10', port: 3260 }] };
    await connectTarget(api, target, { user: CHAP.user, password: CHAP.secret });
    const l = await listLuns(api, IQN, 58, HOST_IQN);
    const input = IscsiStorageInputSchema.parse({ storageType: 'iscsi', hostId: 'hv1', portals: [{ address: '10.0.1.10' }], loginChap: { user: CHAP.user, password: CHAP.secret }, target, lunGuid: l.rows[0].guid });
    const plan = await planHostedEngineStorage(input, { host: { id: 'hv1', label: 'hv1' }, knownDevices: l.devices });
    const before = JSON.stringify(vdsm.snapshot());
    // Operation 6 (after the domain) fails.
    const e = heJobEngine(api, { failpoints: [{ planKind: plan.kind, op: 6, mode: 'fail' }] });
    const job = await e.run(plan);
    e.dispose();
    expect(job.state).toBe('failed');
    expect(vdsm.domains.size).toBe(0);
    expect(vdsm.vgs.size).toBe(0);
    expect(vdsm.sessions.size).toBe(1);
    expect(JSON.stringify(vdsm.snapshot())).toBe(before);
  });

  it('NFS plan: mount lookup, domain on server:/path, pool, SPM, activate (no VG calls)', async () => {
    const { api, md, vdsm } = setup();
    const input = { storageType: 'nfs4' as const, hostId: 'hv1', server: 'nas.lab', exportPath: '/exports/he', domainName: 'hosted_storage', poolName: 'hosted_datacenter', hostIdNumber: 1, domainVersion: 5 as const, diskSizeGiB: 58 };
    const plan = await planHostedEngineStorage(input, { host: { id: 'hv1', label: 'hv1' }, knownDevices: null });
    const e = heJobEngine(api);
    const job = await e.run(plan);
    e.dispose();
    // NFS mounts cannot be read back through VDSM, the domain and pool can.
    expect(job.state, job.error ?? '').toBe('succeeded');
    const methods = md.broker.requests.map((r) => r.method);
    expect(methods).not.toContain('LVMVolumeGroup.create');
    expect(md.broker.requests.find((r) => r.method === 'StorageDomain.create')?.params).toMatchObject({ domainType: 1, typeArgs: 'nas.lab:/exports/he' });
    expect(md.broker.requests.find((r) => r.method === 'StoragePool.connectStorageServer')?.params).toMatchObject({ connectionParams: [{ connection: 'nas.lab:/exports/he', version: '4' }] });
    expect([...vdsm.domains.values()][0].status).toBe('Active');
    expect(plan.artifacts?.[0].content).toContain('OVEHOSTED_STORAGE/storageDomainConnection=str:nas.lab:/exports/he');
  });
});
