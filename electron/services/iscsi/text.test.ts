import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBinary, decodeText, encodeBinary, encodeText, parseNumber } from './text';
import { parseSendTargets, parseTargetAddress, formatPortal } from './targets';
import { SENDTARGETS_TEXT } from './vectors';

describe('key=value text', () => {
  it('tolerates padding NULs and keeps repeated keys in order', () => {
    const pairs = decodeText(Buffer.from('TargetPortalGroupTag=1\0AuthMethod=None\0\0\0', 'latin1'));
    expect(pairs).toEqual([['TargetPortalGroupTag', '1'], ['AuthMethod', 'None']]);
  });
  it('splits at the first = only', () => {
    expect(decodeText(Buffer.from('X-a=b=c\0'))).toEqual([['X-a', 'b=c']]);
  });
  it('round-trips arbitrary pairs', () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}$/);
    const val = fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0'));
    fc.assert(fc.property(fc.array(fc.tuple(key, val), { maxLength: 10 }), (pairs) => {
      expect(decodeText(encodeText(pairs))).toEqual(pairs);
    }));
  });
  it('decodes binary values by prefix, including base64 that starts with "0x"', () => {
    expect(decodeBinary('0x00ff').toString('hex')).toBe('00ff');
    expect(decodeBinary('0X0ff').toString('hex')).toBe('00ff');
    expect(decodeBinary('0b0xR3syBtO4Wn0APaqRDm3w==').toString('hex')).toBe('d31477b3206d3b85a7d003daa910e6df');
    expect(() => decodeBinary('1234')).toThrow();
    expect(encodeBinary(Buffer.from([1, 2]), 'base64')).toBe('0bAQI=');
  });
  it('parses numbers in decimal and hex', () => {
    expect(parseNumber('42')).toBe(42);
    expect(parseNumber('0x2a')).toBe(42);
    expect(parseNumber('4x')).toBeUndefined();
  });
});

describe('TargetAddress and SendTargets', () => {
  it('parses IPv4, IPv6 in brackets, names, defaults', () => {
    expect(parseTargetAddress('127.0.0.1:3267,1')).toEqual({ address: '127.0.0.1', port: 3267, tpgt: 1 });
    expect(parseTargetAddress('[fd00::2]:3260,1')).toEqual({ address: 'fd00::2', port: 3260, tpgt: 1 });
    expect(parseTargetAddress('[fe80::1%eth0]:3260,7')).toEqual({ address: 'fe80::1', port: 3260, tpgt: 7 });
    expect(parseTargetAddress('[::1]')).toEqual({ address: '::1', port: 3260, tpgt: 1 });
    expect(parseTargetAddress('san.example.com')).toEqual({ address: 'san.example.com', port: 3260, tpgt: 1 });
    expect(parseTargetAddress('san.example.com:3261,2')).toEqual({ address: 'san.example.com', port: 3261, tpgt: 2 });
    expect(parseTargetAddress('host:99999,1')).toBeUndefined();
    expect(formatPortal({ address: 'fd00::2', port: 3260 })).toBe('[fd00::2]:3260');
  });
  it('groups the captured three-target answer', () => {
    const t = parseSendTargets(decodeText(Buffer.from(SENDTARGETS_TEXT)));
    expect(t.map((x) => x.targetName)).toEqual(['iqn.2024-01.test.ref:tgt1', 'iqn.2024-01.test.ref:tgt3-chap', 'iqn.2024-01.test.ref:tgt4-mutual']);
    expect(t[0].portals).toEqual([{ address: '127.0.0.1', port: 3267, tpgt: 1 }]);
  });
  it('keeps several portals per target and aliases', () => {
    const t = parseSendTargets([
      ['TargetName', 'iqn.a:1'], ['TargetAlias', 'one'], ['TargetAddress', '10.0.0.1:3260,1'], ['TargetAddress', '[fd00::1]:3260,2'],
      ['TargetName', 'iqn.a:2'],
    ]);
    expect(t[0]).toEqual({ targetName: 'iqn.a:1', targetAlias: 'one', portals: [{ address: '10.0.0.1', port: 3260, tpgt: 1 }, { address: 'fd00::1', port: 3260, tpgt: 2 }] });
    expect(t[1].portals).toEqual([]);
  });
});
