import { describe, expect, it } from 'vitest';
import { parsePortalList } from './iscsi';

describe('parsePortalList', () => {
  it('reads address, address:port, [v6]:port and bare IPv6, skipping blank lines', () => {
    const r = parsePortalList('192.0.2.10\n\n 203.0.113.11:3261 \n[2001:db8::10]:3262\n2001:db8::11\nstor1.example.org:3260');
    expect(r.errors).toEqual([]);
    expect(r.portals).toEqual([
      { address: '192.0.2.10', port: 3260 },
      { address: '203.0.113.11', port: 3261 },
      { address: '2001:db8::10', port: 3262 },
      { address: '2001:db8::11', port: 3260 },
      { address: 'stor1.example.org', port: 3260 },
    ]);
  });

  it('names the line and says what to write for a bad address or port', () => {
    const r = parsePortalList('192.0.2.10:3260\nnot a portal\n192.0.2.11:70000');
    expect(r.portals).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^line 2 \(not a portal\): portal address: not a valid/);
    expect(r.errors[1]).toMatch(/^line 3 .*portal port: must be 1-65535.*write address:port/);
  });
});
