// The access edit's input (three-way CHAP, keep by default) and the CIDR containment the planners
// use to tell a widening edit (a danger) from a narrowing or unrelated one.
import { describe, expect, it } from 'vitest';
import { AccessEditInputSchema, aclRanges, aclStrictlyContains, issuesToMessages } from './target';

const base = { serverId: 'stor1', iqn: 'iqn.2002-08.info.netmanager:xenserver' };
const rules = { networks: ['192.168.100.0/24'], initiators: [] };

describe('AccessEditInputSchema', () => {
  it('an edit that says nothing about CHAP keeps it; keep, set and remove parse', () => {
    expect(AccessEditInputSchema.parse({ ...base, access: rules }).access.chap).toEqual({ mode: 'keep' });
    expect(AccessEditInputSchema.parse({ ...base, access: { ...rules, chap: { mode: 'remove' } } }).access.chap).toEqual({ mode: 'remove' });
    const set = AccessEditInputSchema.parse({ ...base, access: { ...rules, chap: { mode: 'set', chap: { user: 'u1', secret: 'Secret123456ab', mutual: { user: 'u2', secret: 'Other123456abc' } } } } });
    expect(set.access.chap).toEqual({ mode: 'set', chap: { user: 'u1', secret: 'Secret123456ab', mutual: { user: 'u2', secret: 'Other123456abc' } } });
  });

  it('refuses an unknown choice and bad CHAP values, naming the field and never echoing a secret', () => {
    const msgs = (access: unknown) => {
      const r = AccessEditInputSchema.safeParse({ ...base, access });
      expect(r.success).toBe(false);
      return r.success ? '' : issuesToMessages(r.error).join('\n');
    };
    expect(msgs({ ...rules, chap: { mode: 'drop' } })).toMatch(/^CHAP: choose keep, set .* or remove$/m);
    // The create wizard's shape is not silently taken as "keep" or "remove".
    expect(msgs({ ...rules, chap: { user: 'u1', secret: 'Secret123456ab' } })).toMatch(/^CHAP: choose/m);
    expect(msgs({ ...rules, chap: { mode: 'set', chap: { user: 'u1', secret: 'short' } } })).toMatch(/^CHAP secret: must be 12-16 characters long/m);
    expect(msgs({ ...rules, chap: { mode: 'set', chap: { user: 'u1', secret: 'short' } } })).not.toContain('short');
    expect(msgs({ ...rules, chap: { mode: 'set', chap: { user: 'u1', secret: 'Secret123456ab', mutual: { user: 'u1', secret: 'Secret123456ab' } } } })).toMatch(/Mutual CHAP secret: must differ/);
    expect(msgs({ networks: [], initiators: [], chap: { mode: 'keep' } })).toMatch(/^Access: add at least one/m);
  });
});

describe('address rule containment', () => {
  it('parses bound rules, ALL and refuses anything else', () => {
    expect(aclRanges('10.0.0.0/8')).toEqual([{ family: 4, net: 10n << 24n, prefix: 8 }]);
    expect(aclRanges('10.0.0.5')).toEqual([{ family: 4, net: (10n << 24n) + 5n, prefix: 32 }]);
    expect(aclRanges('[fd00::]/8')).toEqual([{ family: 6, net: 0xfdn << 120n, prefix: 8 }]);
    expect(aclRanges('ALL')).toHaveLength(2);
    for (const bad of ['stor1.example.com', '10.0.0.0/33', '10.0.0.0/x', '']) expect(aclRanges(bad), bad).toBeNull();
  });

  it('is strict CIDR containment, IPv4 and IPv6, never across families', () => {
    const yes: [string, string][] = [
      ['192.168.0.0/16', '192.168.100.0/24'], ['192.168.100.0/24', '192.168.100.7'], ['0.0.0.0/1', '10.0.0.0/8'], ['ALL', '10.0.0.0/8'], ['ALL', '[fd00::1]'],
      ['[fd00:1::]/32', '[fd00:1::]/64'], ['[fd00::]/8', '[fd12:3456::1]'], ['128.0.0.0/1', '255.255.255.255'],
    ];
    const no: [string, string][] = [
      ['192.168.100.0/24', '192.168.100.0/24'], ['192.168.100.0/24', '192.168.0.0/16'], ['10.0.0.0/8', '192.168.100.0/24'], ['192.168.100.7', '192.168.100.8'],
      ['[fd00::]/8', '10.0.0.0/8'], ['0.0.0.0/1', '[::1]'], ['[fd00:1::]/64', '[fd00:2::]/64'], ['ALL', 'ALL'], ['10.0.0.0/8', 'ALL'], ['garbage', '10.0.0.1'],
    ];
    for (const [w, n] of yes) expect(aclStrictlyContains(w, n), `${w} > ${n}`).toBe(true);
    for (const [w, n] of no) expect(aclStrictlyContains(w, n), `${w} > ${n}`).toBe(false);
  });
});
