// hosted-engine.conf's storage keys as the HA agent reads them (reference/ovirt-vdsm.md §4.4).
import { describe, expect, it } from 'vitest';
import { parseHeConf } from './usage-conf';

describe('parseHeConf', () => {
  it('zips storage and port into one path each, one IQN and TPGT for all; the password is not kept', () => {
    const s = parseHeConf([
      'fqdn=engine.lab', 'domainType=iscsi', 'storage=203.0.113.11,192.0.2.11', 'port=3260,3261', 'iqn=iqn.2026-12.lab.stor1:he', 'portal=1',
      'user=heuser', 'password=Secr3t=with=equals', 'sdUUID=6f0c5c2e-1111-2222-3333-444455556666', 'spUUID=00000000-0000-0000-0000-000000000000',
    ].join('\n'));
    expect(s).toEqual({
      domainType: 'iscsi',
      sdUUID: '6f0c5c2e-1111-2222-3333-444455556666',
      iqns: ['iqn.2026-12.lab.stor1:he'],
      paths: [
        { iqn: 'iqn.2026-12.lab.stor1:he', address: '203.0.113.11', port: 3260, tpgt: 1 },
        { iqn: 'iqn.2026-12.lab.stor1:he', address: '192.0.2.11', port: 3261, tpgt: 1 },
      ],
    });
    expect(JSON.stringify(s)).not.toContain('Secr3t');
    expect(JSON.stringify(s)).not.toContain('heuser');
  });

  it('comma lists of IQNs and TPGTs zip with the portals', () => {
    const s = parseHeConf('domainType=iscsi\nstorage=10.0.0.1,10.0.0.2\nport=3260,3260\niqn=iqn.a:one,iqn.b:two\nportal=1,2\n');
    expect(s?.paths).toEqual([
      { iqn: 'iqn.a:one', address: '10.0.0.1', port: 3260, tpgt: 1 },
      { iqn: 'iqn.b:two', address: '10.0.0.2', port: 3260, tpgt: 2 },
    ]);
    expect(s?.iqns).toEqual(['iqn.a:one', 'iqn.b:two']);
  });

  it('a short list repeats its last item (so no portal is dropped), a missing port is 3260', () => {
    expect(parseHeConf('storage=10.0.0.1,10.0.0.2,10.0.0.3\nport=3261\niqn=iqn.a:one')?.paths.map((p) => `${p.address}:${p.port} ${p.tpgt}`)).toEqual(['10.0.0.1:3261 null', '10.0.0.2:3261 null', '10.0.0.3:3261 null']);
    expect(parseHeConf('storage=10.0.0.1\niqn=iqn.a:one')?.paths).toEqual([{ iqn: 'iqn.a:one', address: '10.0.0.1', port: 3260, tpgt: null }]);
  });

  it('comments, blank lines, CRLF, spaces around keys and values; a value keeps its "="', () => {
    const s = parseHeConf('# written by the installer\r\n\r\n  domainType = iscsi \r\n#iqn=iqn.commented:out\r\niqn = iqn.x:y=z \r\nstorage= 10.0.0.9 , 10.0.0.8\r\nsdUUID=\r\nnot a key line\r\n');
    expect(s).toEqual({ domainType: 'iscsi', sdUUID: null, iqns: ['iqn.x:y=z'], paths: [{ iqn: 'iqn.x:y=z', address: '10.0.0.9', port: 3260, tpgt: null }, { iqn: 'iqn.x:y=z', address: '10.0.0.8', port: 3260, tpgt: null }] });
  });

  it('not iSCSI storage: another domainType, or no iqn; an iqn without portals still names its target', () => {
    expect(parseHeConf('domainType=nfs3\nstorage=nfs.lab:/he\niqn=iqn.x:y')).toBeNull();
    expect(parseHeConf('domainType=iscsi\nstorage=10.0.0.1')).toBeNull();
    expect(parseHeConf('')).toBeNull();
    // domainType missing: counted as iSCSI when an iqn is there (the safe reading).
    expect(parseHeConf('iqn=iqn.x:y\nsdUUID=sd')).toEqual({ domainType: null, sdUUID: 'sd', iqns: ['iqn.x:y'], paths: [] });
    expect(parseHeConf('domainType=ISCSI\niqn=iqn.x:y')?.iqns).toEqual(['iqn.x:y']);
  });
});
