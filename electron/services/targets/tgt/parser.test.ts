import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAddressAcl, parseAccountShow, parsePortalShow, parseSysShow, parseTargetShow, TgtParseError } from './parser';

const fx = (n: string) => readFileSync(join(import.meta.dirname, 'fixtures', n), 'utf8');

describe('parseTargetShow on a capture from a real tgtd 1.0.85', () => {
  const targets = parseTargetShow(fx('show-target.txt'));

  it('finds every target with tid and IQN', () => {
    expect(targets).toHaveLength(44);
    expect(targets[0]).toMatchObject({ tid: 1, iqn: 'iqn.2002-08.info.netmanager:xenserver', driver: 'iscsi', state: 'ready' });
    expect(targets.map((t) => t.tid)).toContain(49);
  });

  it('reads LUNs with backing store, size, type, readonly and flags', () => {
    const x = targets.find((t) => t.tid === 1)!;
    expect(x.luns.map((l) => l.lun)).toEqual([0, 1, 2]);
    expect(x.luns[0]).toMatchObject({ type: 'controller', path: null, bsType: 'null', blockSize: 1 });
    expect(x.luns[1]).toMatchObject({ type: 'disk', scsiId: 'portico-xenserver-1', scsiSn: 'pxen0001', sizeBytes: 805_306_000_000, blockSize: 512, readonly: false, path: '/tmp/tgtfx/xenserver', bsType: 'rdwr', bsFlags: '' });
    expect(x.luns[2].scsiId).toBe('IET     00010002');
    // The fixture's LUN is 750 GiB: tgt's "805306 MB" is decimal, so bytes are within 1 MB of it (binary MiB would be 5 % too large).
    expect(Math.abs(x.luns[1].sizeBytes - 750 * 1024 ** 3)).toBeLessThan(1_000_000);
    const one = targets.find((t) => t.tid === 2)!;
    expect(one.luns.map((l) => l.lun)).toEqual([0, 1, 3, 4]);
    expect(one.luns[1].bsFlags).toBe('sync:direct');
    expect(one.luns[2].bsType).toBe('aio');
    expect(one.luns[3].readonly).toBe(true);
  });

  it('reads sessions with initiator name and address', () => {
    const x = targets.find((t) => t.tid === 1)!;
    expect(x.sessions).toEqual([
      { nexus: 3, initiator: 'iqn.2011-07.com.example:89abcdef', alias: null, connections: [{ cid: 0, address: '127.0.0.1' }] },
      { nexus: 4, initiator: 'iqn.1994-05.com.redhat:hv1', alias: null, connections: [{ cid: 0, address: '127.0.0.1' }] },
    ]);
    const t11 = targets.find((t) => t.tid === 11)!;
    expect(t11.sessions.map((s) => s.connections[0].address)).toEqual(['127.0.0.6', '127.0.0.9']);
    expect(targets.reduce((n, t) => n + t.sessions.length, 0)).toBe(14);
  });

  it('reads accounts and classifies ACL lines', () => {
    const one = targets.find((t) => t.tid === 2)!;
    expect(one.accounts).toEqual([{ user: 'vmstore1-chap', outgoing: false }, { user: 'mutual-user', outgoing: true }]);
    expect(one.aclAddresses).toEqual(['ALL']);
    const x = targets.find((t) => t.tid === 1)!;
    expect(x.aclAddresses).toEqual(['192.168.100.0/24', '127.0.0.1']);
    expect(x.aclNames).toEqual(['iqn.2011-07.com.example:89abcdef', 'iqn.2011-07.com.example:01234567']);
    const v6 = targets.find((t) => t.tid === 7)!;
    expect(v6.aclAddresses).toEqual(['[fd00::]/64', '[fd00::1]']);
    expect(v6).toMatchObject({ nopInterval: 5, nopCount: 3 });
    const empty = targets.find((t) => t.tid === 5)!;
    expect(empty.aclAddresses).toEqual([]);
    expect(empty.luns).toHaveLength(1);
  });

  it('returns no targets for empty output', () => {
    expect(parseTargetShow('')).toEqual([]);
  });

  it('reports malformed output with the line instead of guessing', () => {
    const good = fx('show-target.txt');
    const cases = [
      good.replace('Target 2:', 'Targ 2:'),
      good.replace('            Readonly: No\n', '            Readonly: Maybe\n'),
      good.replace('            Size: 524 MB, Block size: 512\n', '            Size: big\n'),
      good.replace('    ACL information:\n', '    ACL info:\n'),
      good.replace('        I_T nexus: 3\n', '        I_T nexus: three\n'),
      good.replace(/ {12}Backing store path: \/tmp\/tgtfx\/xenserver_1\n/, ''),
      good.replace('    I_T nexus information:\n', '      I_T nexus information:\n'),
      '    System information:\n',
      good.split('\n').slice(0, 3).join('\n'),
    ];
    for (const c of cases) {
      expect(c).not.toBe(good);
      expect(() => parseTargetShow(c)).toThrow(TgtParseError);
    }
    try {
      parseTargetShow(cases[1]);
    } catch (e) {
      expect((e as TgtParseError).lineNo).toBeGreaterThan(1);
      expect((e as Error).message).toMatch(/Readonly must be Yes or No/);
    }
  });

  it('keeps unknown LUN keys of newer tgt versions verbatim', () => {
    const t = parseTargetShow(fx('show-target.txt').replace('            SWP: No\n', '            SWP: No\n            Write cache: On\n'));
    expect(t[0].luns[0].extra).toEqual({ 'Write cache': 'On' });
  });
});

describe('other show modes', () => {
  it('accounts', () => {
    expect(parseAccountShow(fx('show-account.txt'))).toContain('mutual-user');
    expect(parseAccountShow(fx('show-account.txt'))).toHaveLength(11);
    expect(parseAccountShow('')).toEqual([]);
    expect(() => parseAccountShow('Accounts:\n')).toThrow(TgtParseError);
  });
  it('portals incl. IPv6', () => {
    expect(parsePortalShow(fx('show-portal.txt'))).toEqual([
      { address: '127.0.0.2', port: 13260, tpgt: 1 },
      { address: '127.0.0.1', port: 13260, tpgt: 1 },
    ]);
    expect(parsePortalShow('Portal: [::1]:3260,1\nPortal: :3260,1\n')).toEqual([
      { address: '[::1]', port: 3260, tpgt: 1 },
      { address: '', port: 3260, tpgt: 1 },
    ]);
    expect(() => parsePortalShow('Portal 1.2.3.4\n')).toThrow(TgtParseError);
  });
  it('system', () => {
    const s = parseSysShow(fx('show-sys.txt'));
    expect(s.state).toBe('ready');
    expect(s.llds.iscsi).toBe('ready');
    expect(s.backingStores).toContain('rdwr');
    expect(s.backingStores).toContain('aio');
  });
  it('ACL classification', () => {
    for (const a of ['ALL', '10.0.0.1', '10.0.0.0/8', '[fd00::1]', '[fd00::]/64']) expect(isAddressAcl(a)).toBe(true);
    for (const n of ['iqn.1994-05.com.redhat:x', 'eui.0123456789ABCDEF', 'naa.0123456789abcdef', 'foo']) expect(isAddressAcl(n)).toBe(false);
  });
});
