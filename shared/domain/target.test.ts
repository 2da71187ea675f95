import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AccessInputSchema, ChapInputSchema, LunInputSchema, TargetInputSchema, addressAcl, formatSize, generateChapSecret,
  iscsiNameProblem, parseSize, buildIqn, issuesToMessages,
} from './target';

const G = 1024 ** 3;
const M = 1024 ** 2;

describe('parseSize / formatSize', () => {
  it('accepts NetManager units (binary) and IEC units', () => {
    expect(parseSize('750GB')).toEqual({ ok: true, bytes: 750 * G });
    expect(parseSize('500MB')).toEqual({ ok: true, bytes: 500 * M });
    expect(parseSize('2TB')).toEqual({ ok: true, bytes: 2 * 1024 * G });
    expect(parseSize('1.5 GiB')).toEqual({ ok: true, bytes: 1.5 * G });
    expect(parseSize(' 8 mib ')).toEqual({ ok: true, bytes: 8 * M });
  });
  it('refuses 0, absurd, malformed and unknown units with the field name', () => {
    const bad: [string, RegExp][] = [
      ['0GB', /greater than 0/], ['', /enter a size/], ['abc', /not a size/], ['750', /no unit/], ['5 PB', /unknown unit "PB"/],
      ['10KB', /unknown unit/], ['1000TB', /256 TB/], ['0.1MB', /512-byte blocks/], ['-5GB', /not a size/], ['1e3GB', /not a size|unknown unit/],
    ];
    for (const [t, re] of bad) {
      const r = parseSize(t, 'Size');
      expect(r.ok, t).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(re);
        expect(r.error.startsWith('Size:')).toBe(true);
      }
    }
  });
  it('formats in binary units', () => {
    expect(formatSize(750 * G)).toBe('750 GiB');
    expect(formatSize(500 * M)).toBe('500 MiB');
    expect(formatSize(768500 * M)).toBe('750.49 GiB');
    expect(formatSize(100)).toBe('100 B');
  });
  it('round-trips every whole MiB size (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1024 * 1024 }), (mib) => {
      const r = parseSize(`${mib}MiB`);
      if (!r.ok || r.bytes !== mib * M) return false;
      // The label is exact when it has no decimals, within 0.5% otherwise.
      const back = parseSize(formatSize(r.bytes).replace(' ', '').replace(/(\.\d+)(\w+)$/, '$1$2'));
      const shown = formatSize(r.bytes);
      const [num, unit] = shown.split(' ');
      const approx = Number(num) * ({ MiB: M, GiB: G, TiB: 1024 * G } as Record<string, number>)[unit];
      return Math.abs(approx - r.bytes) / r.bytes < 0.005 && (shown.includes('.') || (back.ok && back.bytes === r.bytes));
    }));
  });
});

describe('IQN grammar (RFC 3720/3722)', () => {
  it('accepts valid names', () => {
    for (const n of ['iqn.2002-08.info.netmanager:xenserver', 'iqn.2024-01.lab.portico', 'iqn.1994-05.com.redhat:a1b2c3', 'iqn.2012-02.org.opennebula:stor1.vg-one.lv-one-7']) {
      expect(iscsiNameProblem(n, 'IQN', false), n).toBeNull();
    }
    expect(iscsiNameProblem('eui.0123456789ABCDEF', 'Allowed initiator', true)).toBeNull();
    expect(iscsiNameProblem('naa.0123456789ABCDEF0123456789ABCDEF', 'Allowed initiator', true)).toBeNull();
  });
  it('refuses bad names naming the field', () => {
    const bad: [string, RegExp][] = [
      ['iqn.2002-13.info.x:y', /month 13/], ['IQN.2002-08.info.x', /must start with iqn\./], ['iqn.2002-08.Info.x', /upper-case/],
      ['iqn.02-08.info.x', /does not follow/], ['iqn.2002-08.info.x:a_b', /does not follow/], ['iqn.2002-08.info.x:a,b', /does not follow/],
      ['iqn.2002-08.info.x:a b', /does not follow/], ['iqn.2002-08.-info.x', /does not follow/], ['', /enter an iSCSI name/],
      [`iqn.2002-08.info.x:${'a'.repeat(230)}`, /223 bytes/], ['eui.0123', /16 upper-case hex/],
    ];
    for (const [n, re] of bad) expect(iscsiNameProblem(n, 'IQN', true), n).toMatch(re);
    expect(iscsiNameProblem('eui.0123456789ABCDEF', 'IQN', false)).toMatch(/must be iqn\./);
  });
  it('builds the proposal from the base IQN', () => {
    expect(buildIqn('iqn.2002-08.info.netmanager', 'xenserver')).toBe('iqn.2002-08.info.netmanager:xenserver');
  });
});

describe('address ACLs (tgt rules)', () => {
  it('keeps addresses and network addresses', () => {
    expect(addressAcl('192.168.100.0/24')).toEqual({ ok: true, acl: '192.168.100.0/24' });
    expect(addressAcl('10.0.0.5')).toEqual({ ok: true, acl: '10.0.0.5' });
    expect(addressAcl('fd00::1')).toEqual({ ok: true, acl: '[fd00::1]' });
    expect(addressAcl('[fd00::]/64')).toEqual({ ok: true, acl: '[fd00::]/64' });
  });
  it('refuses /32, host bits, ALL, host names, bad prefixes', () => {
    expect(addressAcl('10.0.0.5/32')).toMatchObject({ ok: false, error: expect.stringMatching(/never matches a \/32.*10\.0\.0\.5/) });
    expect(addressAcl('10.0.0.5/24')).toMatchObject({ ok: false, error: expect.stringMatching(/host bits.*10\.0\.0\.0\/24/) });
    expect(addressAcl('ALL')).toMatchObject({ ok: false });
    expect(addressAcl('stor1.example')).toMatchObject({ ok: false, error: expect.stringMatching(/host names are not allowed/) });
    expect(addressAcl('10.0.0.0/0')).toMatchObject({ ok: false });
    expect(addressAcl('10.0.0.0/x')).toMatchObject({ ok: false });
    expect(addressAcl('256.1.1.1')).toMatchObject({ ok: false });
    expect(addressAcl('[fd00::1]/64')).toMatchObject({ ok: false, error: expect.stringMatching(/host bits/) });
    expect(addressAcl('fd00::1/128')).toMatchObject({ ok: false });
  });
});

describe('CHAP', () => {
  it('generates strong secrets of the allowed length', () => {
    const s = generateChapSecret();
    expect(s).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(generateChapSecret()).not.toBe(s);
    expect(ChapInputSchema.safeParse({ user: 'u1', secret: s }).success).toBe(true);
  });
  it('refuses wrong lengths, bad characters and equal secrets without echoing them', () => {
    const short = ChapInputSchema.safeParse({ user: 'u1', secret: 'short' });
    expect(short.success).toBe(false);
    expect(issuesToMessages(short.error!).join()).toMatch(/CHAP secret: must be 12-16 characters/);
    expect(issuesToMessages(short.error!).join()).not.toContain('short');
    const bad = ChapInputSchema.safeParse({ user: 'u 1', secret: 'abc#defghijkl' });
    expect(issuesToMessages(bad.error!).join('\n')).toMatch(/CHAP user:[\s\S]*CHAP secret: use only/);
    const same = ChapInputSchema.safeParse({ user: 'u1', secret: 'Abcdefghijkl12', mutual: { user: 'u2', secret: 'Abcdefghijkl12' } });
    expect(issuesToMessages(same.error!).join()).toMatch(/Mutual CHAP secret: must differ/);
  });
});

describe('target and LUN inputs', () => {
  const base = {
    serverId: 'stor1', name: 'xenserver', iqn: 'iqn.2002-08.info.netmanager:xenserver',
    luns: [{ size: '750GB', backing: { kind: 'sparse' } }, { size: '500MB', backing: { kind: 'sparse' } }],
    access: { initiators: ['iqn.2011-07.com.example:89abcdef', 'iqn.2011-07.com.example:01234567'], networks: ['192.168.100.0/24'] },
  };
  it('accepts the NetManager seed example', () => {
    const r = TargetInputSchema.safeParse(base);
    expect(r.success).toBe(true);
    expect(r.data!.luns[0].readonly).toBe(false);
  });
  it('refuses duplicates, empty access, bad paths and names, each naming the field', () => {
    const msgs = (v: unknown) => {
      const r = TargetInputSchema.safeParse(v);
      return r.success ? '' : issuesToMessages(r.error).join('\n');
    };
    expect(msgs({ ...base, access: { initiators: ['iqn.2011-07.com.example:89abcdef', 'iqn.2011-07.com.example:89abcdef'] } })).toMatch(/Allowed initiators: .* twice/);
    expect(msgs({ ...base, access: { networks: ['10.0.0.0/8', '10.0.0.0/8'] } })).toMatch(/Allowed networks: .* twice/);
    expect(msgs({ ...base, access: {} })).toMatch(/Access: add at least one/);
    expect(msgs({ ...base, luns: [{ size: '1GB', backing: { kind: 'sparse', file: '../etc/passwd' } }] })).toMatch(/Backing file: .*\.\./);
    expect(msgs({ ...base, luns: [{ size: '1GB', backing: { kind: 'sparse', file: 'a/b' } }] })).toMatch(/Backing file: .*plain file name/);
    expect(msgs({ ...base, luns: [{ size: '1GB', backing: { kind: 'device', path: '/dev/../etc/x' } }] })).toMatch(/Block device:/);
    expect(msgs({ ...base, luns: [{ size: '1GB', backing: { kind: 'device', path: '/dev/vg0/lv' } }] })).toMatch(/Size: an existing device keeps its own size/);
    expect(msgs({ ...base, luns: [{ size: '0MB', backing: { kind: 'sparse' } }] })).toMatch(/Size: the size must be greater than 0/);
    expect(msgs({ ...base, luns: [] })).toMatch(/LUNs: add at least one LUN/);
    expect(msgs({ ...base, name: 'Xen_Server' })).toMatch(/Name: /);
    expect(msgs({ ...base, iqn: 'iqn.2002-08.info.netmanager:xen,server' })).toMatch(/IQN: /);
    expect(msgs({ ...base, luns: [{ size: '1GB', backing: { kind: 'sparse' }, vendorId: 'TOOLONGVENDOR' }] })).toMatch(/Vendor: use 1-8/);
    expect(msgs({ ...base, luns: [{ size: '1GB', backing: { kind: 'lvm', vg: 'vg-one', lv: '-bad' } }] })).toMatch(/Logical volume:/);
    expect(msgs({ ...base, comment: 'line\nbreak' })).toMatch(/Comment: remove control characters/);
  });
  it('LUN defaults and access normalisation', () => {
    expect(LunInputSchema.parse({ size: '1GB', backing: { kind: 'full' } }).readonly).toBe(false);
    expect(AccessInputSchema.parse({ networks: ['fd00::1'] }).networks).toEqual(['[fd00::1]']);
  });
});
