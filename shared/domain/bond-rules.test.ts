import { describe, expect, it } from 'vitest';
import { BondInputSchema, inCidr, NetworkInputSchema, parseCidr, type MatrixCell, type NetworkView } from './bond';
import {
  connectionRemoval,
  copyId,
  dataCenterRemoval,
  holders,
  hostState,
  intendedPaths,
  iscsiadmCommands,
  networkRemoval,
  placement,
  releasable,
  validateAddConnection,
  validateBond,
  vdsmExpansion,
  type BondWorld,
  type HostNic,
} from './bond-rules';

const net = (id: string, name: string, cidr: string, o: Partial<NetworkView> = {}): NetworkView => ({ id, dcId: 'dc1', name, cidr, vlan: null, required: false, bridged: false, ...o });
const A = net('na', 'A', '203.0.113.0/24');
const B = net('nb', 'B', '192.0.2.0/24');
const REQ = net('nr', 'ovirtmgmt', '198.51.100.0/24', { required: true });
const OTHER = net('nx', 'X', '10.9.0.0/16', { dcId: 'dc2' });
const c1 = { id: 'c1', dcId: 'dc1', iqn: 'iqn.2024-01.lab:t1', address: '203.0.113.11', port: 3260 };
const c2 = { id: 'c2', dcId: 'dc1', iqn: 'iqn.2024-01.lab:t1', address: '192.0.2.11', port: 3260 };
const c9 = { id: 'c9', dcId: 'dc2', iqn: 'iqn.2024-01.lab:t9', address: '10.9.0.1', port: 3260 };

function world(): BondWorld {
  return {
    networks: [A, B, REQ, OTHER],
    connections: [c1, c2, c9],
    bonds: [
      { id: 'b1', dcId: 'dc1', name: 'iscsi-ab', networkIds: ['na', 'nb'], connectionIds: ['c1', 'c2'] },
      { id: 'b2', dcId: 'dc1', name: 'iscsi-b', networkIds: ['nb'], connectionIds: ['c2'] },
      { id: 'b3', dcId: 'dc2', name: 'other-dc', networkIds: ['nx'], connectionIds: ['c9'] },
    ],
  };
}
const fields = (ps: { field: string }[]) => ps.map((p) => p.field);

describe('bond name', () => {
  it('is unique per data center (exactly, as the engine compares), at most 50 of [A-Za-z0-9._-]', () => {
    const w = world();
    expect(validateBond({ dcId: 'dc1', name: 'iscsi-ab', networkIds: ['na'], connectionIds: [] }, w)[0].message).toMatch(/already has a bond named iscsi-ab/);
    // The same name in another data center, the bond itself on edit, and another case are fine.
    expect(validateBond({ dcId: 'dc2', name: 'iscsi-ab', networkIds: ['nx'], connectionIds: [] }, w)).toEqual([]);
    expect(validateBond({ id: 'b1', dcId: 'dc1', name: 'iscsi-ab', networkIds: ['na'], connectionIds: [] }, w)).toEqual([]);
    expect(validateBond({ dcId: 'dc1', name: 'ISCSI-AB', networkIds: ['na'], connectionIds: [] }, w)).toEqual([]);
    expect(validateBond({ dcId: 'dc1', name: 'a'.repeat(50), networkIds: ['na'], connectionIds: [] }, w)).toEqual([]);
    expect(validateBond({ dcId: 'dc1', name: 'a'.repeat(51), networkIds: ['na'], connectionIds: [] }, w)[0].message).toMatch(/^name: at most 50/);
    expect(validateBond({ dcId: 'dc1', name: 'my bond', networkIds: ['na'], connectionIds: [] }, w)[0].message).toMatch(/^name: use only letters/);
    expect(validateBond({ dcId: 'dc1', name: 'x;rm', networkIds: ['na'], connectionIds: [] }, w)[0].field).toBe('name');
  });
  it('the input schema says the same, naming the field', () => {
    const r = BondInputSchema.safeParse({ dcId: 'dc1', name: 'bad name!', networkIds: [], connectionIds: [] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toMatch(/^name: /);
    expect(BondInputSchema.safeParse({ dcId: 'dc1', name: 'x'.repeat(51), networkIds: [], connectionIds: [] }).error!.issues[0].message).toMatch(/^name: at most 50/);
  });
});

describe('bond networks', () => {
  it('needs at least one', () => {
    expect(validateBond({ dcId: 'dc1', name: 'n', networkIds: [], connectionIds: [] }, world()).map((p) => p.message)).toEqual(['networkIds: choose at least one logical network for the bond']);
  });
  it('must belong to the data center and not be required', () => {
    const ps = validateBond({ dcId: 'dc1', name: 'n', networkIds: ['na', 'nr', 'nx', 'nope', 'na'], connectionIds: [] }, world());
    expect(fields(ps)).toEqual(['networkIds.1', 'networkIds.2', 'networkIds.3', 'networkIds.4']);
    expect(ps[0].message).toMatch(/ovirtmgmt is required .* cannot be part of an iSCSI bond/);
    expect(ps[1].message).toMatch(/belongs to another data center/);
    expect(ps[2].message).toMatch(/no network with id nope/);
    expect(ps[3].message).toMatch(/chosen twice/);
  });
});

describe('bond connections', () => {
  it('are iSCSI connections of the data center, not already in the bond', () => {
    const ps = validateBond({ dcId: 'dc1', name: 'n', networkIds: ['na'], connectionIds: ['c1', 'c1', 'c9', 'nfs1'] }, world());
    expect(fields(ps)).toEqual(['connectionIds.1', 'connectionIds.2', 'connectionIds.3']);
    expect(ps[0].message).toMatch(/already in the bond/);
    expect(ps[1].message).toMatch(/another data center/);
    expect(ps[2].message).toMatch(/not an iSCSI storage connection/);
    expect(validateAddConnection(world().bonds[0], 'c2', world())[0].message).toMatch(/already in the bond/);
    expect(validateAddConnection({ dcId: 'dc1', connectionIds: ['c1'] }, 'c2', world())).toEqual([]);
  });
});

describe('cascades', () => {
  it('removing a network takes it out of its bonds and deletes a bond left with none', () => {
    const c = networkRemoval('nb', world());
    expect(c.updated).toEqual([{ id: 'b1', networkIds: ['na'], connectionIds: ['c1', 'c2'] }]);
    expect(c.deleted).toEqual(['b2']);
    expect(c.effects).toEqual(['bond iscsi-ab loses network B', 'bond iscsi-b is deleted: network B was its only network']);
    expect(networkRemoval('nr', world())).toEqual({ updated: [], deleted: [], effects: [] });
  });
  it('removing a data center deletes its bonds, networks and connections, and only its own', () => {
    const c = dataCenterRemoval('dc1', 'DC1', world());
    expect(c.deleted).toEqual(['b1', 'b2']);
    expect(c.effects).toEqual(['bond iscsi-ab is deleted', 'bond iscsi-b is deleted', 'networks A, B, ovirtmgmt are deleted', '2 storage connection(s) are deleted']);
  });
  it('removing a connection takes it out of every bond using it', () => {
    const c = connectionRemoval('c2', world());
    expect(c.updated.map((u) => [u.id, u.connectionIds])).toEqual([['b1', ['c1']], ['b2', []]]);
    expect(c.deleted).toEqual([]);
  });
});

describe('placement', () => {
  const hosts = [
    { hostId: 'hv1', name: 'hv1', kind: 'vdsm' as const },
    { hostId: 'hv2', name: 'hv2', kind: 'linux' as const },
    { hostId: 'hv3', name: 'hv3', kind: 'linux' as const },
  ];
  const ifs = [
    { hostId: 'hv1', networkId: 'na', nic: 'eth1', address: '203.0.113.21', source: 'discovered' as const },
    { hostId: 'hv1', networkId: 'nb', nic: 'eth2', address: '192.0.2.21', source: 'discovered' as const },
    { hostId: 'hv2', networkId: 'na', nic: 'eth1', address: '203.0.113.22', source: 'manual' as const },
    { hostId: 'hv2', networkId: 'nb', nic: null, address: null, source: 'manual' as const },
  ];
  it('names each host NIC per network, lists hosts missing one with what to do, and a host with none falls back to its default network', () => {
    const p = placement(hosts, [A, B], ifs);
    expect(p.hosts.map((h) => [h.hostId, h.status, h.networks.map((n) => n.nic)])).toEqual([
      ['hv1', 'bonded', ['eth1', 'eth2']],
      ['hv2', 'partial', ['eth1', null]],
      ['hv3', 'default-network', [null, null]],
    ]);
    expect(p.hosts[1].missing).toHaveLength(1);
    expect(p.hosts[1].missing[0].fix).toMatch(/hv2 has no interface on B \(192.0.2.0\/24\).*no path on B/);
    expect(p.hosts[2].missing[0].fix).toMatch(/connects through its default network/);
  });
});

describe('per-NIC expansion (reference §5.3)', () => {
  // The reference's own example: one target, two bonded networks, "iscsi-a" bridged on eth2, the other on eth3.
  const ia: HostNic = { network: { id: 'n1', name: 'iscsi-a', cidr: '10.10.2.0/24', bridged: true }, nic: 'eth2' };
  const ib: HostNic = { network: { id: 'n2', name: 'iscsi-b', cidr: '10.10.3.0/24', bridged: false }, nic: 'eth3' };
  const conn = { id: 'conn-id', address: '10.10.1.50', port: 3260, iqn: 'iqn.2024-01.lab:t1', tpgt: 1, user: '', password: '' };

  it('equals the reference example: one copy per NIC, the first keeps the id, netIfaceName = network if bridged else NIC', () => {
    const got = vdsmExpansion([conn], [ia, ib]);
    expect(got).toEqual([
      { id: 'conn-id', connection: '10.10.1.50', port: '3260', iqn: 'iqn.2024-01.lab:t1', tpgt: '1', user: '', password: '', ifaceName: 'eth2', netIfaceName: 'iscsi-a' },
      { id: copyId('conn-id', 'eth3'), connection: '10.10.1.50', port: '3260', iqn: 'iqn.2024-01.lab:t1', tpgt: '1', user: '', password: '', ifaceName: 'eth3', netIfaceName: 'eth3' },
    ]);
    expect(got[1].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(got[1].id).not.toBe('conn-id');
    // Keys and their order as in the reference's JSON.
    expect(Object.keys(got[0])).toEqual(['id', 'connection', 'port', 'iqn', 'tpgt', 'user', 'password', 'ifaceName', 'netIfaceName']);
  });
  it('copy ids are stable (Portico must find them again to disconnect) and differ per NIC and connection', () => {
    expect(copyId('conn-id', 'eth3')).toBe(copyId('conn-id', 'eth3'));
    expect(new Set([copyId('conn-id', 'eth3'), copyId('conn-id', 'eth4'), copyId('other', 'eth3')]).size).toBe(3);
  });
  it('a host without bonded NICs gets the connection unchanged (default iface)', () => {
    expect(vdsmExpansion([conn], [])).toEqual([{ id: 'conn-id', connection: '10.10.1.50', port: '3260', iqn: 'iqn.2024-01.lab:t1', tpgt: '1', user: '', password: '' }]);
  });
  it('a portal inside a bonded network goes only through that network\'s NIC; CHAP rides along', () => {
    const la: HostNic = { network: A, nic: 'eth1' };
    const lb: HostNic = { network: B, nic: 'eth2' };
    const got = vdsmExpansion(
      [
        { ...c1, tpgt: 1, user: 'u', password: 'secret-123456' },
        { ...c2, tpgt: 1, user: 'u', password: 'secret-123456' },
      ],
      [la, lb],
    );
    expect(got.map((e) => [e.id, e.connection, e.ifaceName, e.netIfaceName, e.user, e.password])).toEqual([
      ['c1', '203.0.113.11', 'eth1', 'eth1', 'u', 'secret-123456'],
      ['c2', '192.0.2.11', 'eth2', 'eth2', 'u', 'secret-123456'],
    ]);
    expect(intendedPaths('hv1', [c1, c2], [la, lb])).toEqual([
      { hostId: 'hv1', networkId: 'na', connectionId: 'c1', nic: 'eth1' },
      { hostId: 'hv1', networkId: 'nb', connectionId: 'c2', nic: 'eth2' },
    ]);
    expect(intendedPaths('hv3', [c1], [])).toEqual([{ hostId: 'hv3', networkId: null, connectionId: 'c1', nic: null }]);
  });
  it('plain Linux: an iface bound to the NIC, the node record through it, CHAP masked, login', () => {
    expect(iscsiadmCommands({ nic: 'eth2', iqn: 'iqn.2024-01.lab:t1', address: '192.0.2.11', port: 3260, tpgt: 1, chapUser: 'u' })).toEqual([
      'iscsiadm -m iface -I eth2 -o new',
      'iscsiadm -m iface -I eth2 -o update -n iface.net_ifacename -v eth2',
      'iscsiadm -m node -T iqn.2024-01.lab:t1 -p 192.0.2.11:3260,1 -I eth2 -o new',
      'iscsiadm -m node -T iqn.2024-01.lab:t1 -p 192.0.2.11:3260,1 -I eth2 -o update -n node.session.auth.authmethod -v CHAP',
      'iscsiadm -m node -T iqn.2024-01.lab:t1 -p 192.0.2.11:3260,1 -I eth2 -o update -n node.session.auth.username -v u',
      'iscsiadm -m node -T iqn.2024-01.lab:t1 -p 192.0.2.11:3260,1 -I eth2 -o update -n node.session.auth.password -v ******',
      'iscsiadm -m node -T iqn.2024-01.lab:t1 -p 192.0.2.11:3260,1 -I eth2 --login',
    ]);
  });
});

describe('reference counting', () => {
  const p = (hostId: string, address: string, nic: string | null) => ({ hostId, iqn: 'iqn.2024-01.lab:t1', address, port: 3260, nic });
  it('a path another bond or a domain still holds is never logged out', () => {
    const held = holders([
      { user: 'bond iscsi-b', paths: [p('hv1', '192.0.2.11', 'eth2')] },
      { user: 'hosted-engine domain', paths: [p('hv2', '203.0.113.11', null)] },
      { user: 'bond iscsi-b', paths: [p('hv1', '192.0.2.11', 'eth2')] },
    ]);
    expect(held.get('hv1 iqn.2024-01.lab:t1 192.0.2.11:3260 eth2')).toEqual(['bond iscsi-b']);
    const r = releasable([p('hv1', '192.0.2.11', 'eth2'), p('hv1', '203.0.113.11', 'eth1'), p('hv2', '203.0.113.11', null)], held.keys());
    expect(r.logout).toEqual([p('hv1', '203.0.113.11', 'eth1')]);
    expect(r.kept.map((k) => k.path)).toEqual([p('hv1', '192.0.2.11', 'eth2'), p('hv2', '203.0.113.11', null)]);
  });
});

describe('host state', () => {
  const cell = (networkId: string | null, state: MatrixCell['state'], message = state === 'ok' ? 'logged in, 1 LUN' : 'connection timed out') => ({ networkId, iqn: 'iqn.2024-01.lab:t1', portal: networkId === 'nb' ? '192.0.2.11:3260' : '203.0.113.11:3260', nic: networkId === 'nb' ? 'eth2' : 'eth1', state, message });
  const name = (id: string | null) => (id === 'na' ? 'A' : id === 'nb' ? 'B' : 'default network');
  it('all paths up: ok', () => {
    expect(hostState('hv1', [cell('na', 'ok'), cell('nb', 'ok')], name)).toEqual({ state: 'ok', reason: 'all 2 paths up' });
  });
  it('a partial path failure is degraded, naming the path and why', () => {
    const s = hostState('hv1', [cell('na', 'ok'), cell('nb', 'failed')], name);
    expect(s.state).toBe('degraded');
    expect(s.reason).toBe('1 of 2 paths down: B (eth2) to 192.0.2.11:3260: connection timed out');
    expect(hostState('hv1', [cell('na', 'ok'), cell('nb', 'missing', 'no session any more')], name).state).toBe('degraded');
  });
  it('has the networks but connects through none: non-operational with the reason', () => {
    const s = hostState('hv1', [cell('na', 'failed', 'network unreachable'), cell('nb', 'failed')], name);
    expect(s.state).toBe('non-operational');
    expect(s.reason).toMatch(/^hv1 has the bond's networks but connects through none of them: iqn.2024-01.lab:t1 unreachable; A \(eth1\) to 203.0.113.11:3260: network unreachable; B/);
  });
  it('none of the bond\'s networks: the default network; unreachable that way too is non-operational', () => {
    expect(hostState('hv3', [cell(null, 'ok')], name).state).toBe('default-network');
    expect(hostState('hv3', [cell(null, 'failed')], name).reason).toMatch(/none of the bond's networks and cannot reach the storage through its default network/);
    expect(hostState('hv3', [], name).state).toBe('unknown');
  });
});

describe('networks', () => {
  it('CIDR parsing and membership', () => {
    expect(parseCidr('192.0.2.7/24')).toEqual({ base: (192 << 24 >>> 0) + (0 << 16) + (2 << 8), prefix: 24 });
    expect(parseCidr('192.0.2.0/33')).toBeNull();
    expect(inCidr('192.0.2.11', '192.0.2.0/24')).toBe(true);
    expect(inCidr('192.0.3.11', '192.0.2.0/24')).toBe(false);
    expect(inCidr('10.1.2.3', '0.0.0.0/0')).toBe(true);
    expect(NetworkInputSchema.safeParse({ dcId: 'dc1', name: 'A', cidr: '1.2.3/24' }).error!.issues[0].message).toMatch(/^cidr: /);
    expect(NetworkInputSchema.safeParse({ dcId: 'dc1', name: 'A', cidr: '10.0.0.0/8', vlan: 5000 }).error!.issues[0].message).toMatch(/^vlan: /);
  });
});
