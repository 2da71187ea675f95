import { describe, expect, it } from 'vitest';
import { ChapSchema, chapSecretNotes, IscsiDiscoverInputSchema, IscsiInspectInputSchema, IscsiPortalSchema } from './iscsi';

const msgs = (r: { success: boolean; error?: { issues: Array<{ message: string; path: PropertyKey[] }> } }) =>
  r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('iscsi portal', () => {
  it('defaults the port and accepts IPv4, IPv6 with or without brackets, and names', () => {
    expect(IscsiPortalSchema.parse({ address: '203.0.113.11' })).toEqual({ address: '203.0.113.11', port: 3260 });
    expect(IscsiPortalSchema.parse({ address: '[fd00::2]', port: 3261 })).toEqual({ address: 'fd00::2', port: 3261 });
    expect(IscsiPortalSchema.parse({ address: '2001:db8::10' }).address).toBe('2001:db8::10');
    expect(IscsiPortalSchema.parse({ address: ' stor1.example.org ' }).address).toBe('stor1.example.org');
  });
  it('rejects bad addresses and ports with field messages', () => {
    for (const address of ['', '300.1.2.3', 'a b', '[fd00::2', 'fe80::1%eth0']) expect(IscsiPortalSchema.safeParse({ address }).success).toBe(false);
    expect(msgs(IscsiPortalSchema.safeParse({ address: '10.0.0.1', port: 70000 }))[0]).toMatch(/1-65535/);
    expect(IscsiPortalSchema.safeParse({ address: '10.0.0.1', extra: 1 }).success).toBe(false);
  });
});

describe('iscsi names', () => {
  const base = { portal: { address: '10.0.0.1' } };
  it.each(['iqn.2024-01.lab.portico:stor1.t1', 'iqn.2003-01.org.linux-iscsi.host:sn.1234', 'eui.0123456789ABCDEF', 'naa.60000000000000000E00000000010001'])('accepts %s', (target) => {
    expect(IscsiInspectInputSchema.safeParse({ ...base, target }).success).toBe(true);
  });
  it.each(['iqn.2024-13.lab.x:t', 'iqn.2024-01.Lab.x:t', 'iqn.24-01.lab:t', 'eui.0123', 'naa.123', 'target1', `iqn.2024-01.x:${'a'.repeat(230)}`])('rejects %s', (target) => {
    expect(IscsiInspectInputSchema.safeParse({ ...base, target }).success).toBe(false);
  });
  it('validates an "as host X" initiator name', () => {
    expect(IscsiDiscoverInputSchema.safeParse({ ...base, initiatorName: 'iqn.2024-01.lab.portico:hv1' }).success).toBe(true);
    expect(IscsiDiscoverInputSchema.safeParse({ ...base, initiatorName: 'hv1' }).success).toBe(false);
  });
});

describe('CHAP input', () => {
  it('accepts 12-255 printable characters', () => {
    expect(ChapSchema.safeParse({ user: 'chapuser', secret: 'chapsecret12' }).success).toBe(true);
    expect(ChapSchema.safeParse({ user: 'chapuser', secret: 'x'.repeat(255) }).success).toBe(true);
  });
  it('rejects short, long, spaced or quoted secrets without echoing them', () => {
    for (const secret of ['short1', 'x'.repeat(256), 'has a space12', 'quote"secret1', "quote'secret1"]) {
      const r = ChapSchema.safeParse({ user: 'u', secret });
      expect(r.success).toBe(false);
      expect(JSON.stringify(msgs(r))).not.toContain(secret);
    }
  });
  it('refuses the same secret for both directions', () => {
    const r = ChapSchema.safeParse({ user: 'u', secret: 'samesecret123', mutual: { user: 't', secret: 'samesecret123' } });
    expect(msgs(r)).toEqual(['mutual.secret: target CHAP secret: must differ from the initiator CHAP secret']);
  });
  it('notes the Microsoft 16-character limit', () => {
    expect(chapSecretNotes('a'.repeat(16))).toEqual([]);
    expect(chapSecretNotes('a'.repeat(17))[0]).toMatch(/Microsoft/);
  });
  it('full discover input with via and timeout', () => {
    const v = IscsiDiscoverInputSchema.parse({ portal: { address: '203.0.113.11' }, via: 'hv1', chap: { user: 'u', secret: 'chapsecret123' }, timeoutMs: 3000 });
    expect(v.portal.port).toBe(3260);
    expect(IscsiDiscoverInputSchema.safeParse({ portal: { address: '203.0.113.11' }, via: 'hv 1' }).success).toBe(false);
  });
});
