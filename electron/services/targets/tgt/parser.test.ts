import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAddressAcl, parseAccountShow, parsePortalShow, parseSysShow, parseTargetShow, TgtParseError, type TgtLun } from './parser';

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

// A live tgtd's state at the size the tgt-parse bench reads (1,000 targets x 4 LUNs, ~80,000 lines),
// in tgt's own layout: every 5th target has a CHAP account, every 100th a session with two connections.
function bigShow(targets = 1000, luns = 4): string {
  const out: string[] = [];
  for (let tid = 1; tid <= targets; tid++) {
    out.push(`Target ${tid}: iqn.2024-01.bench.portico:vm-disk-${tid}`, '    System information:', '        Driver: iscsi', '        State: ready', '    I_T nexus information:');
    if (tid % 100 === 0) {
      out.push(`        I_T nexus: ${tid}`, `            Initiator: iqn.1994-05.com.redhat:hv${tid % 7} alias: hv-${tid}`);
      out.push('            Connection: 0', '                IP Address: 192.0.2.10', '            Connection: 1', '                IP Address: 192.0.2.11');
    }
    out.push('    LUN information:');
    for (let l = 0; l <= luns; l++) {
      out.push(
        `        LUN: ${l}`, `            Type: ${l ? 'disk' : 'controller'}`, `            SCSI ID: IET     ${String(tid).padStart(4, '0')}000${l}`,
        `            SCSI SN: beaf${tid}${l}`, `            Size: ${l ? 1000 * l + tid : 0} MB, Block size: ${l ? 512 : 1}`, '            Online: Yes',
        '            Removable media: No', '            Prevent removal: No', `            Readonly: ${l === 4 && tid % 2 ? 'Yes' : 'No'}`, '            SWP: No',
        `            Thin-provisioning: ${l === 3 ? 'Yes' : 'No'}`, `            Backing store type: ${l ? 'rdwr' : 'null'}`,
        `            Backing store path: ${l ? `/srv/portico/vm-disk-${tid}_${l}` : 'None'}`, `            Backing store flags: ${l === 2 ? 'sync:direct' : ''}`,
      );
    }
    out.push('    Account information:');
    if (tid % 5 === 0) out.push(`        chap-${tid}`, `        mutual-${tid} (outgoing)`);
    out.push('    ACL information:', '        192.0.2.0/24', `        iqn.1994-05.com.redhat:hv${tid % 7}`);
  }
  return out.join('\n') + '\n';
}

/** Rewrites every LUN block out of tgt's order (SCSI SN before SCSI ID), so each is read line by line. */
const reordered = (text: string) => text.replace(/^( {12}SCSI ID: .*)\n( {12}SCSI SN: .*)$/gm, '$2\n$1');

describe('parseTargetShow on 1,000 targets x 4 LUNs', () => {
  const text = bigShow();
  const targets = parseTargetShow(text);

  it('reads every target, LUN, session, account and ACL', () => {
    expect(text.split('\n').length).toBeGreaterThan(80_000);
    expect(targets).toHaveLength(1000);
    expect(targets.map((t) => t.tid)).toEqual(Array.from({ length: 1000 }, (_, k) => k + 1));
    expect(targets.every((t) => t.luns.map((l) => l.lun).join() === '0,1,2,3,4')).toBe(true);
    expect(targets.reduce((n, t) => n + t.luns.length, 0)).toBe(5000);
    expect(targets.reduce((n, t) => n + t.sessions.length, 0)).toBe(10);
    expect(targets.reduce((n, t) => n + t.accounts.length, 0)).toBe(400);
    expect(targets.every((t) => t.aclAddresses.join() === '192.0.2.0/24' && t.aclNames.length === 1)).toBe(true);
    expect(targets.flatMap((t) => t.luns).filter((l) => l.readonly)).toHaveLength(500);
    expect(targets.flatMap((t) => t.luns).filter((l) => l.thinProvisioning)).toHaveLength(1000);
    expect(targets.flatMap((t) => t.luns).some((l) => l.extra !== undefined)).toBe(false);
  });

  it('reads each value as written (targets 1 and 100 by hand)', () => {
    const lun = (tid: number, l: number, over: Partial<TgtLun>): TgtLun => ({
      lun: l, type: 'disk', scsiId: `IET     ${String(tid).padStart(4, '0')}000${l}`, scsiSn: `beaf${tid}${l}`, sizeBytes: (1000 * l + tid) * 1_000_000,
      blockSize: 512, online: true, removable: false, preventRemoval: false, readonly: false, swp: false, thinProvisioning: false,
      bsType: 'rdwr', path: `/srv/portico/vm-disk-${tid}_${l}`, bsFlags: '', ...over,
    });
    const controller = (tid: number) => lun(tid, 0, { type: 'controller', sizeBytes: 0, blockSize: 1, bsType: 'null', path: null });
    expect(targets[0]).toEqual({
      tid: 1, iqn: 'iqn.2024-01.bench.portico:vm-disk-1', driver: 'iscsi', state: 'ready', sessions: [],
      luns: [controller(1), lun(1, 1, {}), lun(1, 2, { bsFlags: 'sync:direct' }), lun(1, 3, { thinProvisioning: true }), lun(1, 4, { readonly: true })],
      accounts: [], aclAddresses: ['192.0.2.0/24'], aclNames: ['iqn.1994-05.com.redhat:hv1'],
    });
    expect(targets[99]).toEqual({
      tid: 100, iqn: 'iqn.2024-01.bench.portico:vm-disk-100', driver: 'iscsi', state: 'ready',
      sessions: [{ nexus: 100, initiator: 'iqn.1994-05.com.redhat:hv2', alias: 'hv-100', connections: [{ cid: 0, address: '192.0.2.10' }, { cid: 1, address: '192.0.2.11' }] }],
      luns: [controller(100), lun(100, 1, {}), lun(100, 2, { bsFlags: 'sync:direct' }), lun(100, 3, { thinProvisioning: true }), lun(100, 4, {})],
      accounts: [{ user: 'chap-100', outgoing: false }, { user: 'mutual-100', outgoing: true }], aclAddresses: ['192.0.2.0/24'], aclNames: ['iqn.1994-05.com.redhat:hv2'],
    });
  });

  it('gives the same result for blocks in another key order (read line by line) and without the last newline', () => {
    const other = reordered(text);
    expect(other).not.toBe(text);
    expect(parseTargetShow(other)).toEqual(targets);
    expect(parseTargetShow(text.slice(0, -1))).toEqual(targets);
    expect(parseTargetShow(other.slice(0, -1))).toEqual(targets);
  });

  it('keeps a newer key at the end of a block, and any one block out of order, next to blocks in order', () => {
    const lines = text.split('\n');
    const at = lines.indexOf('            Backing store path: /srv/portico/vm-disk-500_2');
    const extra = [...lines.slice(0, at + 2), '            Write cache: On', ...lines.slice(at + 2)].join('\n');
    const got = parseTargetShow(extra);
    expect(got[499].luns[2].extra).toEqual({ 'Write cache': 'On' });
    expect({ ...got[499].luns[2], extra: undefined }).toEqual({ ...targets[499].luns[2], extra: undefined });
    expect(got.filter((t) => t.luns.some((l) => l.extra))).toHaveLength(1);
    const one = [...lines.slice(0, at - 1), lines[at], lines[at - 1], ...lines.slice(at + 1)].join('\n');
    expect(parseTargetShow(one)).toEqual(targets);
  });

  it('names the right line of a malformed input after thousands of blocks', () => {
    const lines = text.split('\n');
    const fails = (mutated: string[], lineNo: number, reason: RegExp) => {
      try {
        parseTargetShow(mutated.join('\n'));
      } catch (e) {
        expect(e).toBeInstanceOf(TgtParseError);
        expect((e as TgtParseError).lineNo).toBe(lineNo);
        expect((e as TgtParseError).lineText).toBe(mutated[lineNo - 1]);
        expect((e as Error).message).toMatch(reason);
        return;
      }
      throw new Error('parsed');
    };
    const k = lines.indexOf('            Readonly: Yes', 60_000);
    fails(lines.map((l, i) => (i === k ? '            Readonly: Maybe' : l)), k - 7, /Readonly must be Yes or No/); // the LUN's own line, 8 above
    fails([...lines.slice(0, k + 1), '             Write cache: On', ...lines.slice(k + 1)], k + 2, /unexpected indentation \(13 spaces\)/);
    const flags = lines.lastIndexOf('            Backing store flags: ');
    fails([...lines.slice(0, flags + 1), '                Write cache: On', ...lines.slice(flags + 1)], flags + 2, /unexpected indentation \(16 spaces\)/);
    fails(lines.map((l, i) => (i === flags ? '            Backing store flags' : l)), flags + 1, /expected "<key>: <value>"/);
    fails(lines.map((l, i) => (i === k ? '            Online: No' : l)), k + 1, /"Online" repeated in LUN 4/);
    // The last target ends inside its LUN section: the error names the last line.
    const last = lines.lastIndexOf('    Account information:');
    fails(lines.slice(0, last), last, /target 1000 has no "Account information:" section/);
    const reLines = reordered(text).split('\n').slice(0, last);
    fails(reLines, last, /target 1000 has no "Account information:" section/);
  });
});
