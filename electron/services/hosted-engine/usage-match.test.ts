// Which refs the parsed hosted-engine.conf of each oVirt host hits.
import { describe, expect, it } from 'vitest';
import { lunUsersOf, onServer, pathUsersOf, type AddressBook, type HeHostConf } from './usage-match';
import { parseHeConf, type HeStorage } from './usage-conf';

const IQN = 'iqn.2026-12.lab.stor1:he';
const he = (text: string): HeStorage => parseHeConf(text)!;
const STORAGE = he(`domainType=iscsi\nstorage=203.0.113.11,192.0.2.11\nport=3260,3260\niqn=${IQN}\nportal=1\nsdUUID=sd-1`);
const book: AddressBook = new Map([
  ['stor1', new Set(['198.51.100.11', '203.0.113.11', '192.0.2.11'])],
  ['stor2', new Set(['198.51.100.12', '203.0.113.12'])],
  ['hv1', new Set(['198.51.100.21'])],
]);
const hv1: HeHostConf = { hostId: 'hv1', hostName: 'hv1', storage: STORAGE };

describe('onServer', () => {
  it('the IQN decides; the portal IPs only rule out a server when they are all another host\'s', () => {
    expect(onServer(STORAGE, IQN, 'stor1', book)).toBe(true);
    expect(onServer(STORAGE, 'iqn.other:t', 'stor1', book)).toBe(false);
    // Same IQN on stor2 (a cloned server), portals all stor1's: not stor2's target.
    expect(onServer(STORAGE, IQN, 'stor2', book)).toBe(false);
    // Addresses nobody is known by (NAT, a portal IP not probed yet): kept, the safe mistake.
    expect(onServer(he(`storage=10.9.9.9\niqn=${IQN}`), IQN, 'stor2', book)).toBe(true);
    expect(onServer(he(`iqn=${IQN}`), IQN, 'stor2', book)).toBe(true);
    expect(onServer(STORAGE, IQN, 'stor9', new Map())).toBe(true);
  });
});

describe('lunUsersOf', () => {
  it('every LUN of the HE target, and the target itself, is used; the words name domain, host and the LUN caveat', () => {
    for (const lun of [undefined, 0, 1, 7]) {
      expect(lunUsersOf({ serverId: 'stor1', iqn: IQN, lun }, [hv1], book)).toEqual([{
        owner: 'hosted-engine',
        description: 'the hosted-engine storage domain sd-1 of hv1 is on this target (hosted-engine.conf); Portico cannot tell which LUN, so every LUN of it is protected',
        fix: `move the hosted engine to other storage or undeploy it from hv1 first (hosted-engine.conf must no longer name ${IQN}); deleting it destroys the hosted-engine VM's disk`,
      }]);
    }
    expect(lunUsersOf({ serverId: 'stor1', iqn: 'iqn.2026-12.lab.stor1:other' }, [hv1], book)).toEqual([]);
  });

  it('a host without the file (or with NFS storage) is no user; one that could not be read is named with its reason and what to do', () => {
    const none: HeHostConf = { hostId: 'hv2', hostName: 'hv2', storage: null };
    const down: HeHostConf = { hostId: 'hv3', hostName: 'hv3', error: 'connect ETIMEDOUT 198.51.100.23:22' };
    expect(lunUsersOf({ serverId: 'stor1', iqn: 'iqn.x:y' }, [none], book)).toEqual([]);
    const users = lunUsersOf({ serverId: 'stor1', iqn: 'iqn.x:y' }, [none, down, hv1], book);
    expect(users).toEqual([{
      owner: 'hosted-engine',
      description: 'could not check hv3 for a hosted-engine storage domain on this target (connect ETIMEDOUT 198.51.100.23:22)',
      fix: 'fix hv3\'s connection or sudo on the Hosts page so Portico can read /etc/ovirt-hosted-engine/hosted-engine.conf, or, if hv3 is gone, remove its oVirt host role; then plan again',
    }]);
  });

  it('two HE hosts of the same engine: one user each; no sdUUID still names the domain', () => {
    const hv2: HeHostConf = { hostId: 'hv2', hostName: 'hv2', storage: he(`iqn=${IQN}\nstorage=203.0.113.11`) };
    expect(lunUsersOf({ serverId: 'stor1', iqn: IQN }, [hv1, hv2], book).map((u) => u.description.split(' is on')[0])).toEqual([
      'the hosted-engine storage domain sd-1 of hv1', 'the hosted-engine storage domain of hv2',
    ]);
  });
});

describe('pathUsersOf', () => {
  it('the host\'s own conf naming iqn and address:port is a user; another portal, port or iqn is not', () => {
    expect(pathUsersOf({ hostId: 'hv1', iqn: IQN, address: '192.0.2.11', port: 3260 }, hv1)).toEqual([{
      owner: 'hosted-engine',
      description: 'the hosted-engine storage domain sd-1 (hosted-engine.conf on hv1)',
      fix: `the hosted-engine HA agent on hv1 connects through it; move the hosted engine off ${IQN} first if the path must go`,
    }]);
    expect(pathUsersOf({ hostId: 'hv1', iqn: IQN, address: '192.0.2.12', port: 3260 }, hv1)).toEqual([]);
    expect(pathUsersOf({ hostId: 'hv1', iqn: IQN, address: '192.0.2.11', port: 3261 }, hv1)).toEqual([]);
    expect(pathUsersOf({ hostId: 'hv1', iqn: 'iqn.x:y', address: '192.0.2.11', port: 3260 }, hv1)).toEqual([]);
    expect(pathUsersOf({ hostId: 'hv1', iqn: IQN, address: '192.0.2.11', port: 3260 }, { hostId: 'hv1', hostName: 'hv1', storage: null })).toEqual([]);
  });

  it('an unreadable host keeps its paths, saying why', () => {
    expect(pathUsersOf({ hostId: 'hv1', iqn: IQN, address: '192.0.2.11', port: 3260 }, { hostId: 'hv1', hostName: 'hv1', error: 'sudo: a password is required' })).toEqual([{
      owner: 'hosted-engine',
      description: 'the hosted engine, if hv1 runs one (its hosted-engine.conf could not be read: sudo: a password is required)',
      fix: 'fix hv1\'s connection or sudo on the Hosts page and plan again to log the path out',
    }]);
  });
});
