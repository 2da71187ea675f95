import { describe, expect, it } from 'vitest';
import { makeTopology, portalsOf } from './topology';

describe('lab topology', () => {
  const t = makeTopology();

  it('has the five hosts with documentation-range addresses', () => {
    expect(t.hosts.map((h) => h.name)).toEqual(['stor1', 'stor2', 'hv1', 'hv2', 'fe1']);
    const stor1 = t.hosts[0];
    expect(stor1.addresses).toEqual({ mgmt: '198.51.100.11', a: '203.0.113.11', b: '192.0.2.11' });
    expect(portalsOf(stor1)).toEqual(['203.0.113.11:3260', '192.0.2.11:3260']);
    expect(t.hosts[1].networks).toEqual(['mgmt', 'a']);
    expect(t.hosts[4].networks).toEqual(['mgmt']);
    expect(t.networks.b.workstation).toBeNull();
  });

  it('uses unique, short, prefixed names and addresses', () => {
    const links = [...Object.values(t.networks).map((n) => n.bridge), ...t.hosts.flatMap((h) => Object.values(h.veths))];
    for (const l of links) {
      expect(l!.length).toBeLessThanOrEqual(15);
      expect(l!.startsWith('pt-')).toBe(true);
    }
    expect(new Set(links).size).toBe(links.length);
    const addrs = t.hosts.flatMap((h) => Object.values(h.addresses));
    expect(new Set(addrs).size).toBe(addrs.length);
    expect(t.hosts.every((h) => h.netns.startsWith('portico-'))).toBe(true);
    expect(new Set(t.hosts.map((h) => h.initiatorIqn)).size).toBe(5);
  });

  it('documents the port plan for doubles', () => {
    expect(t.hosts.find((h) => h.name === 'hv1')!.ports.vdsm).toBe(54321);
    expect(t.hosts.find((h) => h.name === 'fe1')!.ports.oned).toBe(2633);
  });

  it('rejects interface names longer than 15 characters', () => {
    expect(() => makeTopology({ hosts: [{ name: 'averylonghost', role: 'frontend', octet: 5, networks: ['mgmt'] }] })).toThrow(/too long/);
  });
});
