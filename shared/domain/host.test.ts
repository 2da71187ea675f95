import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addressKind,
  AddressSchema,
  describeIssues,
  HostAuthSchema,
  HostInputSchema,
  PortSchema,
  UserSchema,
} from './host';

const good = {
  name: 'stor1',
  address: '198.51.100.11',
  user: 'root',
  auth: { kind: 'key', keyPath: '~/.ssh/id_ed25519' },
  roles: ['storage'],
};

describe('HostInputSchema', () => {
  it('accepts a typical host and applies defaults', () => {
    const h = HostInputSchema.parse(good);
    expect(h.port).toBe(22);
    expect(h.sudo).toBe(false);
  });

  it('classifies addresses', () => {
    expect(addressKind('192.0.2.1')).toBe('ipv4');
    expect(addressKind('2001:db8::10')).toBe('ipv6');
    expect(addressKind('::1')).toBe('ipv6');
    expect(addressKind('stor1.example.org')).toBe('hostname');
    expect(addressKind('stor1')).toBe('hostname');
    expect(addressKind('300.1.2.3')).toBeNull();
    expect(addressKind('[2001:db8::1]')).toBeNull();
    expect(addressKind('host name')).toBeNull();
    expect(addressKind('-oProxyCommand=x')).toBeNull();
    expect(addressKind('a..b')).toBeNull();
    expect(addressKind('x'.repeat(64))).toBeNull();
  });

  it('names the field and says how to fix it', () => {
    const r = HostInputSchema.safeParse({ ...good, address: 'bad host', port: 70000, user: '-root', roles: [] });
    expect(r.success).toBe(false);
    const text = describeIssues(r.error!);
    expect(text).toMatch(/^address: not a valid IPv4/m);
    expect(text).toMatch(/^port: must be from 1 to 65535/m);
    expect(text).toMatch(/^user: a user name starts with/m);
    expect(text).toMatch(/^roles: choose at least one role/m);
  });

  it('validates ports and users', () => {
    expect(PortSchema.safeParse(0).success).toBe(false);
    expect(PortSchema.safeParse(1).success).toBe(true);
    expect(PortSchema.safeParse(65535).success).toBe(true);
    expect(PortSchema.safeParse(22.5).success).toBe(false);
    for (const u of ['root', 'admin', 'portico_adm', 'svc.backup', '_apt']) expect(UserSchema.safeParse(u).success).toBe(true);
    for (const u of ['', '-x', 'a b', 'root;id', 'x'.repeat(33), 'machine$', 'Ü'])
      expect(UserSchema.safeParse(u).success).toBe(false);
  });

  it('keeps auth kinds apart and never echoes a password in messages', () => {
    expect(HostAuthSchema.safeParse({ kind: 'agent' }).success).toBe(true);
    expect(HostAuthSchema.safeParse({ kind: 'password', password: 'x' }).success).toBe(true);
    expect(HostAuthSchema.safeParse({ kind: 'key', keyPath: 'relative/key' }).success).toBe(false);
    const r = HostAuthSchema.safeParse({ kind: 'password', password: 'sec\0ret-value' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).not.toContain('ret-value');
    expect(HostAuthSchema.safeParse({ kind: 'telnet' }).error!.issues[0].message).toMatch(/^auth:/);
  });

  it('refuses duplicate roles and unknown roles', () => {
    expect(HostInputSchema.safeParse({ ...good, roles: ['storage', 'storage'] }).success).toBe(false);
    expect(HostInputSchema.safeParse({ ...good, roles: ['db'] }).success).toBe(false);
    expect(HostInputSchema.safeParse({ ...good, roles: ['storage', 'hypervisor', 'one-frontend', 'ovirt-host'] }).success).toBe(true);
  });

  it('property: address and user never let through shell metacharacters or whitespace', () => {
    const meta = fc.constantFrom('$(', '`', ';', "'", '"', '\n', '\0', ' ', '|', '&', '>', '<', '*', '\\', '$', '!');
    fc.assert(
      fc.property(fc.string(), meta, fc.string(), (a, m, b) => {
        const s = a + m + b;
        // Surrounding blanks are trimmed from the address; what comes out must be clean.
        const addr = AddressSchema.safeParse(s);
        if (addr.success) expect(addr.data).toMatch(/^[A-Za-z0-9.:-]+$/);
        expect(UserSchema.safeParse(s).success).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
