// The bond apply plan as data and through the real JobRunner: per-host connectStorageServer with
// the per-NIC expansion (recording VDSM), plain Linux hosts without iscsiadm shown not run, edits
// re-applying only the difference, logouts as dangers, reference counting across bonds, rollback
// of the record with the job, CHAP masked in the plan and absent from the journal.
import { afterEach, describe, expect, it } from 'vitest';
import { disposeEngines } from '../../test-support/engine';
import { bondFixture, caps, hostRecord, type BondFixture } from '../../test-support/bond-fixture';
import { copyId } from '../../../shared/domain/bond-rules';
import { BondInputSchema } from '../../../shared/domain/bond';
import type { PlanView } from '../../../shared/plan';
import type { PathRef, PathUser } from '../usage';
import { BondService } from './bond-service';

afterEach(() => disposeEngines());

const IQN = 'iqn.2026-12.lab.stor1:bond';
const SECRET = 'bond-chap-secret-1';

function world(): BondFixture & { dc: string; a: string; b: string; cA: string; cB: string } {
  const f = bondFixture(['hv1', 'hv3']);
  f.hosts.add(
    hostRecord('hv1', ['ovirt-host'], caps({ eth0: '198.51.100.21', eth1: '203.0.113.21', eth2: '192.0.2.21' })),
    hostRecord('hv2', ['hypervisor'], caps({ eth0: '198.51.100.22', eth1: '203.0.113.22', eth2: '192.0.2.22' })),
    hostRecord('hv3', ['ovirt-host'], caps({ eth0: '198.51.100.23' })),
  );
  const dc = f.service.saveDataCenter({ name: 'DC1', description: '', hostIds: ['hv1', 'hv2', 'hv3'] }).id;
  const a = f.service.saveNetwork({ dcId: dc, name: 'A', cidr: '203.0.113.0/24', vlan: null, required: false, bridged: false }).id;
  const b = f.service.saveNetwork({ dcId: dc, name: 'B', cidr: '192.0.2.0/24', vlan: null, required: false, bridged: true }).id;
  const cA = f.service.saveConnection({ dcId: dc, iqn: IQN, address: '203.0.113.11', port: 3260, tpgt: 1, chap: { user: 'bonduser', secret: SECRET }, serverId: null }).id;
  const cB = f.service.saveConnection({ dcId: dc, iqn: IQN, address: '192.0.2.11', port: 3260, tpgt: 1, chap: { user: 'bonduser', secret: SECRET }, serverId: null }).id;
  return { ...f, dc, a, b, cA, cB };
}

const bondInput = (w: ReturnType<typeof world>, name: string, networkIds: string[], connectionIds: string[]) => BondInputSchema.parse({ dcId: w.dc, name, networkIds, connectionIds });
const connectCalls = (w: BondFixture, host: string) => w.vdsm.get(host)!.calls.filter((c) => c.method === 'StoragePool.connectStorageServer').map((c) => c.params.connectionParams);
const opsOf = (v: PlanView) => v.steps.flatMap((s) => s.ops);

async function applied(w: BondFixture, planId: string, confirmDangers = false) {
  const job = await (await w.engine.runner.apply(planId, { confirmDangers })).done;
  return job;
}

describe('bond apply plan', () => {
  it('discovers each host\'s NIC per network from its probed addresses', () => {
    const w = world();
    const ifs = w.store.interfaces();
    expect(ifs.filter((i) => i.hostId === 'hv1').map((i) => [i.networkId, i.nic, i.address])).toEqual(
      expect.arrayContaining([
        [w.a, 'eth1', '203.0.113.21'],
        [w.b, 'eth2', '192.0.2.21'],
      ]),
    );
    expect(ifs.filter((i) => i.hostId === 'hv3').every((i) => i.nic === null)).toBe(true);
    // A manual edit survives rediscovery.
    w.service.setInterface({ hostId: 'hv2', networkId: w.b, nic: 'eth9' });
    w.service.fillInterfaces(w.dc);
    expect(w.store.interfaces().find((i) => i.hostId === 'hv2' && i.networkId === w.b)).toMatchObject({ nic: 'eth9', source: 'manual' });
  });

  it('VDSM host: one connectStorageServer with one copy per bonded NIC; Linux host without iscsiadm: shown, recorded, not run; host without the networks: default route', async () => {
    const w = world();
    const bond = w.service.save(bondInput(w, 'iscsi-ab', [w.a, w.b], [w.cA, w.cB]));
    const view = await w.service.planApply(bond.id, false);
    expect(view.dangers).toEqual([]);
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(opsOf(view).map((o) => `${o.host} ${o.kind}`)).toEqual([
      'hv1 vdsm.connectStorageServer', 'hv1 bonds.recordPaths',
      'hv2 bonds.recordPaths',
      'hv3 vdsm.connectStorageServer', 'hv3 bonds.recordPaths',
    ]);
    expect(view.warnings.join(' ')).toMatch(/hv2 has no iscsiadm .* shown, not run/);
    expect(view.artifacts[0].content).toContain('iscsiadm -m iface -I eth2 -o update -n iface.net_ifacename -v eth2');
    expect(view.artifacts[0].content).toContain('node.session.auth.password -v ******');

    const job = await applied(w, view.id);
    expect(job.state, job.error ?? '').toBe('succeeded');
    // Exactly the per-NIC expansion, real secret to VDSM only.
    expect(connectCalls(w, 'hv1')).toEqual([
      [
        { id: w.cA, connection: '203.0.113.11', port: '3260', iqn: IQN, tpgt: '1', user: 'bonduser', password: SECRET, ifaceName: 'eth1', netIfaceName: 'eth1' },
        { id: w.cB, connection: '192.0.2.11', port: '3260', iqn: IQN, tpgt: '1', user: 'bonduser', password: SECRET, ifaceName: 'eth2', netIfaceName: 'B' },
      ],
    ]);
    // hv3 has none of the networks: the connections go unchanged (default iface).
    expect(connectCalls(w, 'hv3')[0]).toEqual([
      { id: w.cA, connection: '203.0.113.11', port: '3260', iqn: IQN, tpgt: '1', user: 'bonduser', password: SECRET },
      { id: w.cB, connection: '192.0.2.11', port: '3260', iqn: IQN, tpgt: '1', user: 'bonduser', password: SECRET },
    ]);
    expect(w.store.applied(bond.id).map((p) => `${p.hostId} ${p.nic}`).sort()).toEqual(['hv1 eth1', 'hv1 eth2', 'hv2 eth1', 'hv2 eth2', 'hv3 null', 'hv3 null']);
    expect(JSON.stringify(w.engine.db.prepare('SELECT * FROM job_ops').all())).not.toContain(SECRET);
    // Nothing changed: nothing to do.
    await expect(w.service.planApply(bond.id, false)).rejects.toThrow(/already applied/);
  });

  it('an edit re-applies only the difference; removing a network plans its logouts as a danger', async () => {
    const w = world();
    const bond = w.service.save(bondInput(w, 'iscsi-a', [w.a], [w.cA, w.cB]));
    expect((await applied(w, (await w.service.planApply(bond.id, false)).id)).state).toBe('succeeded');
    // With only A bonded, the B portal is sent through the A NIC (engine behaviour for a portal outside the bonded networks).
    expect((connectCalls(w, 'hv1')[0] as { connection: string; ifaceName: string }[]).map((e) => `${e.connection} ${e.ifaceName}`)).toEqual(['203.0.113.11 eth1', '192.0.2.11 eth1']);
    w.service.save({ ...bondInput(w, 'iscsi-a', [w.a, w.b], [w.cA, w.cB]), id: bond.id });
    const add = await w.service.planApply(bond.id, false);
    const hv1 = opsOf(add).filter((o) => o.host === 'hv1');
    expect(hv1.map((o) => o.kind)).toEqual(['vdsm.connectStorageServer', 'vdsm.disconnectStorageServer', 'bonds.recordPaths']);
    expect(hv1[0].command).toContain('"connection":"192.0.2.11"');
    expect(hv1[0].command).toContain('"ifaceName":"eth2"');
    expect(hv1[0].command).toContain('"password":"******"');
    expect(hv1[0].command).not.toContain('203.0.113.11');
    expect(hv1[1].command).toContain('"connection":"192.0.2.11"');
    expect(hv1[1].command).toContain('"ifaceName":"eth1"');
    expect(add.dangers.join(' ')).toMatch(/hv1 logs out of 1 path/);
    await expect(w.engine.runner.apply(add.id)).rejects.toThrow(/lowers protection/);
    expect((await applied(w, add.id, true)).state).toBe('succeeded');

    // Removing network B: the record keeps B's paths until the next apply logs them out.
    const preview = w.service.removeNetwork(w.b, false);
    expect(preview.removed).toBe(false);
    expect(preview.effects).toEqual(['bond iscsi-a loses network B', expect.stringMatching(/its 2 path\(s\) on B are logged out when you apply the bond next/)]);
    expect(w.store.network(w.b)).not.toBeNull();
    expect(w.service.removeNetwork(w.b, true).removed).toBe(true);
    expect(w.store.bond(bond.id)!.networkIds).toEqual([w.a]);
    const drop = await w.service.planApply(bond.id, false);
    const hv1b = opsOf(drop).filter((o) => o.host === 'hv1');
    expect(hv1b.map((o) => o.kind)).toEqual(['vdsm.connectStorageServer', 'vdsm.disconnectStorageServer', 'bonds.recordPaths']);
    expect(hv1b[1].command).toContain(`"id":"${w.cB}"`);
    expect(hv1b[1].command).toContain('"ifaceName":"eth2"');
  });

  it('paths another bond holds are never disconnected (reference count)', async () => {
    const w = world();
    const one = w.service.save(bondInput(w, 'iscsi-ab', [w.a, w.b], [w.cA, w.cB]));
    const two = w.service.save(bondInput(w, 'iscsi-b', [w.b], [w.cB]));
    expect((await applied(w, (await w.service.planApply(one.id, false)).id)).state).toBe('succeeded');
    const second = await w.service.planApply(two.id, false);
    const hv1Connect = opsOf(second).find((o) => o.host === 'hv1' && o.kind === 'vdsm.connectStorageServer')!;
    expect(hv1Connect.undo).toBeNull(); // the session belongs to iscsi-ab too: the undo leaves it
    expect((await applied(w, second.id)).state).toBe('succeeded');
    const gone = await w.service.planApply(one.id, true);
    const hv1 = opsOf(gone).filter((o) => o.host === 'hv1');
    expect(hv1.map((o) => o.kind)).toEqual(['vdsm.disconnectStorageServer', 'bonds.recordPaths']);
    expect(hv1[0].command).toContain('203.0.113.11');
    expect(hv1[0].command).not.toContain('192.0.2.11');
    expect(gone.warnings.join(' ')).toMatch(/hv1: iqn.2026-12.lab.stor1:bond at 192.0.2.11:3260 through eth2 stays logged in: bond iscsi-b still uses it/);
    expect((await applied(w, gone.id, true)).state).toBe('succeeded');
    expect(w.store.applied(one.id)).toEqual([]);
    expect(w.service.remove(one.id, true).removed).toBe(true);
    expect(() => w.service.remove(two.id, true)).toThrow(/still logged in/);
  });

  it('a path another feature uses (the hosted-engine agent) stays logged in; every logout candidate is asked once', async () => {
    const w = world();
    const bond = w.service.save(bondInput(w, 'iscsi-ab', [w.a, w.b], [w.cA, w.cB]));
    expect((await applied(w, (await w.service.planApply(bond.id, false)).id)).state).toBe('succeeded');
    // A recording usage fake: hv1's HE agent uses the B portal; hv3's check could not read its file.
    const asked: PathRef[] = [];
    const usage = {
      pathUsers: async (r: PathRef): Promise<PathUser[]> => {
        asked.push(r);
        if (r.hostId === 'hv1' && r.address === '192.0.2.11') return [{ owner: 'hosted-engine', description: 'the hosted-engine storage domain sd-1 (hosted-engine.conf on hv1)', fix: 'move the hosted engine off it first' }];
        if (r.hostId === 'hv3' && r.address === '203.0.113.11') return [{ owner: 'hosted-engine', description: 'the hosted engine, if hv3 runs one (its hosted-engine.conf could not be read: timeout)', fix: 'fix hv3\'s connection and plan again' }];
        return [];
      },
    };
    const checked = new BondService(w.store, w.hosts, w.engine.plans, { probe: async () => caps({}), forwardOut: async () => { throw new Error('no tunnels'); } }, usage);
    const gone = await checked.planApply(bond.id, true);
    // Asked for exactly the six recorded paths (hv1 x2, hv2 x2, hv3 x2), by host, iqn, portal.
    expect(asked.map((r) => `${r.hostId} ${r.iqn} ${r.address}:${r.port}`).sort()).toEqual(
      ['hv1', 'hv2', 'hv3'].flatMap((h) => [`${h} ${IQN} 192.0.2.11:3260`, `${h} ${IQN} 203.0.113.11:3260`]).sort(),
    );
    const hv1 = opsOf(gone).filter((o) => o.host === 'hv1');
    expect(hv1.map((o) => o.kind)).toEqual(['vdsm.disconnectStorageServer', 'bonds.recordPaths']);
    expect(hv1[0].command).toContain('203.0.113.11');
    expect(hv1[0].command).not.toContain('192.0.2.11');
    expect(gone.warnings).toContain(`hv1: ${IQN} at 192.0.2.11:3260 through eth2 stays logged in: the hosted-engine storage domain sd-1 (hosted-engine.conf on hv1) still uses it. Move the hosted engine off it first.`);
    expect(gone.warnings).toContain(`hv3: ${IQN} at 203.0.113.11:3260 through the default route stays logged in: the hosted engine, if hv3 runs one (its hosted-engine.conf could not be read: timeout) still uses it. Fix hv3's connection and plan again.`);
    expect(gone.dangers).toContain(`hv1 logs out of 1 path(s) (${IQN} at 203.0.113.11:3260 through eth1): fewer paths to the storage, and a LUN left with no path is lost to the VMs on hv1.`);
    // Applied: VDSM on hv1 is told to disconnect the A path only; the bond's record is empty either way.
    w.vdsm.get('hv1')!.calls.length = 0;
    expect((await applied(w, gone.id, true)).state).toBe('succeeded');
    const disc = w.vdsm.get('hv1')!.calls.filter((c) => c.method === 'StoragePool.disconnectStorageServer').map((c) => (c.params.connectionParams as { connection: string }[]).map((e) => e.connection));
    expect(disc).toEqual([['203.0.113.11']]);
    expect(w.store.applied(bond.id)).toEqual([]);
  });

  it('a failed connect rolls the job back, the record included', async () => {
    const w = world();
    const bond = w.service.save(bondInput(w, 'iscsi-ab', [w.a, w.b], [w.cA]));
    w.vdsm.get('hv3')!.failNext.set('StoragePool.connectStorageServer', 451);
    const job = await applied(w, (await w.service.planApply(bond.id, false)).id);
    expect(job.state).toBe('failed');
    expect(w.store.applied(bond.id)).toEqual([]);
    expect(w.vdsm.get('hv1')!.methods()).toContain('StoragePool.disconnectStorageServer');
  });

  it('a failed connect is undone without cutting a path the hosted engine already had', async () => {
    const w = world();
    const usage = {
      pathUsers: async (r: PathRef): Promise<PathUser[]> =>
        r.hostId === 'hv1' && r.address === '203.0.113.11' ? [{ owner: 'hosted-engine', description: 'the hosted-engine storage domain sd-1 (hosted-engine.conf on hv1)', fix: 'move the hosted engine off it first' }] : [],
    };
    const checked = new BondService(w.store, w.hosts, w.engine.plans, { probe: async () => caps({}), forwardOut: async () => { throw new Error('no tunnels'); } }, usage);
    const bond = w.service.save(bondInput(w, 'iscsi-ab', [w.a, w.b], [w.cA]));
    w.vdsm.get('hv3')!.failNext.set('StoragePool.connectStorageServer', 451);
    const job = await applied(w, (await checked.planApply(bond.id, false)).id);
    expect(job.state).toBe('failed');
    // hv1's undo: nothing to disconnect (its only path, through the A network, is the hosted engine's too).
    const disc = w.vdsm.get('hv1')!.calls.filter((c) => c.method === 'StoragePool.disconnectStorageServer').flatMap((c) => (c.params.connectionParams as { connection: string }[]).map((e) => e.connection));
    expect(disc).not.toContain('203.0.113.11');
  });

  it('preview: the per-host list exactly as applied, secrets masked, problems named', () => {
    const w = world();
    const p = w.service.preview(bondInput(w, 'iscsi-ab', [w.a, w.b], [w.cA, w.cB]));
    expect(p.problems).toEqual([]);
    const hv1 = p.hosts.find((h) => h.hostId === 'hv1')!;
    expect(hv1.vdsm.map((e) => [e.id, e.ifaceName, e.netIfaceName, e.password])).toEqual([
      [w.cA, 'eth1', 'eth1', '******'],
      [w.cB, 'eth2', 'B', '******'],
    ]);
    const hv2 = p.hosts.find((h) => h.hostId === 'hv2')!;
    expect(hv2.commands).toContain(`iscsiadm -m node -T ${IQN} -p 192.0.2.11:3260,1 -I eth2 --login`);
    expect(JSON.stringify(p)).not.toContain(SECRET);
    expect(p.placement.hosts.map((h) => h.status)).toEqual(['bonded', 'bonded', 'default-network']);
    const bad = w.service.preview(BondInputSchema.parse({ dcId: w.dc, name: 'x', networkIds: [], connectionIds: [w.cA, w.cA] }));
    expect(bad.problems.map((x) => x.field)).toEqual(['networkIds', 'connectionIds.1']);
    expect(() => w.service.save(BondInputSchema.parse({ dcId: w.dc, name: 'x', networkIds: [], connectionIds: [] }))).toThrow(/networkIds: choose at least one/);
    // Copy ids are stable: the same as the rules compute.
    expect(copyId(w.cA, 'eth2')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('export: the seed\'s REST body', () => {
    const w = world();
    const bond = w.service.save({ ...bondInput(w, 'iscsi-ab', [w.a], [w.cA]), description: 'A & B' });
    const x = w.service.export(bond.id);
    expect(x.path).toBe(`/api/datacenters/${w.dc}/iscsibonds`);
    expect(x.body).toBe(
      ['<iscsi_bond>', ' <name>iscsi-ab</name>', ' <description>A &amp; B</description>', ' <storage_connections>', `  <storage_connection id="${w.cA}"/>`, ' </storage_connections>', ' <networks>', `  <network id="${w.a}"/>`, ' </networks>', '</iscsi_bond>', ''].join('\n'),
    );
  });

  it('removing a data center deletes its bonds, networks and connections, after saying so', () => {
    const w = world();
    w.service.save(bondInput(w, 'iscsi-ab', [w.a], [w.cA]));
    const pre = w.service.removeDataCenter(w.dc, false);
    expect(pre).toEqual({ removed: false, effects: ['bond iscsi-ab is deleted', 'networks A, B are deleted', '2 storage connection(s) are deleted'] });
    expect(w.store.bonds()).toHaveLength(1);
    expect(w.service.removeDataCenter(w.dc, true).removed).toBe(true);
    expect([w.store.bonds(), w.store.networks(), w.store.connections(), w.store.interfaces()]).toEqual([[], [], [], []]);
    expect(w.engine.vault.get(`bonds/connection/${w.cA}/chap`)).toBeNull();
  });

  it('a required network is refused in a bond, and a bonded network cannot become required', () => {
    const w = world();
    const r = w.service.saveNetwork({ dcId: w.dc, name: 'mgmt', cidr: '198.51.100.0/24', vlan: null, required: true, bridged: true });
    expect(() => w.service.save(bondInput(w, 'x', [r.id], []))).toThrow(/required in its clusters/);
    w.service.save(bondInput(w, 'y', [w.a], []));
    expect(() => w.service.saveNetwork({ id: w.a, dcId: w.dc, name: 'A', cidr: '203.0.113.0/24', vlan: null, required: true, bridged: false })).toThrow(/^required: A is part of bond\(s\) y/);
  });
});
