// The plain-Linux bond kinds' real shell scripts, run locally against an iscsiadm TEST DOUBLE
// (records in files laid out like open-iscsi's): iface bound to the NIC, node records with CHAP
// written from stdin (never in any argv), logins; then the removal plan's logouts and node deletes.
import { afterEach, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { disposeEngines } from '../../test-support/engine';
import { bondFixture, caps, hostRecord } from '../../test-support/bond-fixture';
import { fakeIscsiadm, type FakeIscsiadm } from '../../test-support/bond-iscsiadm';
import { BondInputSchema } from '../../../shared/domain/bond';

let fake: FakeIscsiadm | undefined;
afterEach(() => {
  disposeEngines();
  fake?.dispose();
  fake = undefined;
});

const IQN = 'iqn.2026-12.lab.stor1:linux';
const SECRET = 'linux-chap-secret-9';

describe('iscsiadm bond kinds (plain Linux host)', () => {
  it('apply: iface per NIC, node records with CHAP from stdin, logins; removal: logouts and node deletes', async () => {
    fake = fakeIscsiadm();
    const f = bondFixture([]);
    f.hosts.add(hostRecord('lx1', ['hypervisor'], caps({ eth1: '203.0.113.31', eth2: '192.0.2.31' }, { iscsiadm: true })));
    const dc = f.service.saveDataCenter({ name: 'DC', description: '', hostIds: ['lx1'] }).id;
    const a = f.service.saveNetwork({ dcId: dc, name: 'A', cidr: '203.0.113.0/24', vlan: null, required: false, bridged: false }).id;
    const b = f.service.saveNetwork({ dcId: dc, name: 'B', cidr: '192.0.2.0/24', vlan: null, required: false, bridged: false }).id;
    const cA = f.service.saveConnection({ dcId: dc, iqn: IQN, address: '203.0.113.11', port: 3260, tpgt: 1, chap: { user: 'lx', secret: SECRET }, serverId: null }).id;
    const cB = f.service.saveConnection({ dcId: dc, iqn: IQN, address: '192.0.2.11', port: 3260, tpgt: 1, chap: { user: 'lx', secret: SECRET }, serverId: null }).id;
    const bond = f.service.save(BondInputSchema.parse({ dcId: dc, name: 'lx', networkIds: [a, b], connectionIds: [cA, cB] }));

    const plan = await f.service.planApply(bond.id, false);
    expect(plan.steps.flatMap((s) => s.ops.map((o) => o.kind))).toEqual(['iscsiadm.iface', 'iscsiadm.node', 'iscsiadm.login', 'iscsiadm.iface', 'iscsiadm.node', 'iscsiadm.login', 'bonds.recordPaths']);
    expect(JSON.stringify(plan)).not.toContain(SECRET);
    const job = await (await f.engine.runner.apply(plan.id)).done;
    expect(job.state, job.error ?? '').toBe('succeeded');
    expect(fake.iface('eth2')).toContain('iface.net_ifacename = eth2');
    const rec = fake.nodeFile(IQN, '192.0.2.11:3260,1', 'eth2')!;
    expect(rec).toContain('node.session.auth.authmethod = CHAP');
    expect(rec).toContain('node.session.auth.username = lx');
    expect(rec).toContain(`node.session.auth.password = ${SECRET}`);
    expect(rec).toContain('node.startup = manual');
    expect(rec.match(/authmethod/g)).toHaveLength(1);
    expect(statSync(join(fake.root, 'nodes', IQN, '192.0.2.11,3260,1', 'eth2')).mode & 0o077).toBe(0);
    expect(fake.sessions()).toEqual([`${IQN} 192.0.2.11:3260 eth2`, `${IQN} 203.0.113.11:3260 eth1`]);
    expect(fake.argv().join('\n')).not.toContain(SECRET);
    expect(JSON.stringify(f.engine.db.prepare('SELECT * FROM job_ops').all())).not.toContain(SECRET);

    const removal = await f.service.planApply(bond.id, true);
    expect(removal.dangers.join(' ')).toMatch(/lx1 logs out of 2 path/);
    const gone = await (await f.engine.runner.apply(removal.id, { confirmDangers: true })).done;
    expect(gone.state, gone.error ?? '').toBe('succeeded');
    expect(fake.sessions()).toEqual([]);
    expect(fake.nodeFile(IQN, '192.0.2.11:3260,1', 'eth2')).toBeNull();
  });

  it('a failed login rolls back the node record and the iface it created', async () => {
    fake = fakeIscsiadm();
    const f = bondFixture([]);
    f.hosts.add(hostRecord('lx1', ['hypervisor'], caps({ eth2: '192.0.2.31' }, { iscsiadm: true })));
    const dc = f.service.saveDataCenter({ name: 'DC', description: '', hostIds: ['lx1'] }).id;
    const b = f.service.saveNetwork({ dcId: dc, name: 'B', cidr: '192.0.2.0/24', vlan: null, required: false, bridged: false }).id;
    const c = f.service.saveConnection({ dcId: dc, iqn: IQN, address: '192.0.2.11', port: 3260, tpgt: 1, chap: null, serverId: null }).id;
    const bond = f.service.save(BondInputSchema.parse({ dcId: dc, name: 'lx', networkIds: [b], connectionIds: [c] }));
    const plan = await f.service.planApply(bond.id, false);
    fake.failLogins('iscsiadm: Login failed to authorize with target', 24);
    const job = await (await f.engine.runner.apply(plan.id)).done;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/Login failed to authorize/);
    expect(fake.nodeFile(IQN, '192.0.2.11:3260,1', 'eth2')).toBeNull();
    expect(fake.iface('eth2')).toBeNull();
    expect(f.store.applied(bond.id)).toEqual([]);
  });
});
