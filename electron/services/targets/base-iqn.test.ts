// The base IQN Portico proposes for a storage server: the site's own naming authority (its DNS
// domain, reversed, RFC 3720) with the server's name after the colon, or a marked placeholder.
import { describe, expect, it } from 'vitest';
import { buildIqn, iscsiNameProblem, isPlaceholderIqn } from '../../../shared/domain/target';
import { targetsCalls } from '../../../shared/features/targets';
import { defaultBaseIqn, reversedDomain } from './target-service';

const DEC = new Date('2026-12-01T10:00:00Z');

describe('reversedDomain', () => {
  it('reverses the domain of a DNS name (the host label dropped)', () => {
    expect(reversedDomain('stor1.example.com')).toBe('com.example');
    expect(reversedDomain('STOR1.San.Example.co.uk.')).toBe('uk.co.example.san');
  });
  it('has no domain for addresses, bare or one-label names, and private top-level names', () => {
    for (const n of ['203.0.113.11', 'fd00::11', 'stor1', 'stor1.lan', 'stor1.example.local', 'stor1.corp.internal', 'nas.home', 'stor1.localdomain', 'x.y.invalid', 'bad_name.example.com', '10.0.0.1.5']) {
      expect(reversedDomain(n), n).toBeNull();
    }
  });
});

describe('defaultBaseIqn', () => {
  it("uses the address's domain, the server name after the colon", () => {
    expect(defaultBaseIqn({ name: 'stor1', address: 'stor1.example.com' }, DEC)).toBe('iqn.2026-12.com.example:stor1');
    expect(defaultBaseIqn({ name: 'Storage 1', address: 'san-a.dc2.example.org' }, DEC)).toBe('iqn.2026-12.org.example.dc2:storage-1');
  });
  it('falls back to the host name when the address is numeric, and its first label is the server name', () => {
    expect(defaultBaseIqn({ name: 'stor1.example.net', address: '203.0.113.11' }, DEC)).toBe('iqn.2026-12.net.example:stor1');
  });
  it('without a known domain: the placeholder authority, marked as such, never org.portico', () => {
    const iqn = defaultBaseIqn({ name: 'stor1', address: '203.0.113.11' }, DEC);
    expect(iqn).toBe('iqn.2026-12.invalid.set-your-domain:stor1');
    expect(isPlaceholderIqn(iqn)).toBe(true);
    expect(isPlaceholderIqn('iqn.2026-12.com.example:stor1')).toBe(false);
    expect(defaultBaseIqn({ name: 'stor1.lan', address: 'stor1.lan' }, DEC)).not.toContain('portico');
  });
  it('every proposal is a valid base for the settings call and builds valid target IQNs', () => {
    const settings = targetsCalls['targets.settings'].input;
    for (const s of [{ name: 'stor1', address: 'stor1.example.com' }, { name: '!!', address: '10.0.0.1' }, { name: 'a.b.example.com', address: 'fd00::1' }]) {
      const base = defaultBaseIqn(s, DEC);
      expect(settings.safeParse({ serverId: 'h1', storageDir: '/srv/iscsi', baseIqn: base }).success, base).toBe(true);
      expect(iscsiNameProblem(buildIqn(base, 'xenserver'), 'IQN', false), base).toBeNull();
    }
    // Older bases without a colon stay valid.
    expect(settings.safeParse({ serverId: 'h1', storageDir: '/srv/iscsi', baseIqn: 'iqn.2002-08.info.netmanager' }).success).toBe(true);
    expect(settings.safeParse({ serverId: 'h1', storageDir: '/srv/iscsi', baseIqn: 'iqn.2026-12.com.example:' }).success).toBe(false);
  });
});
