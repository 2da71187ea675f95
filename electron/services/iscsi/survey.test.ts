import { describe, expect, it } from 'vitest';
import type { Duplex } from 'node:stream';
import { fakeTarget } from '../../test-support/fake-target';
import { surveyPortals } from './survey';

const INITIATOR = 'iqn.2024-01.test.unit:console';

/** Fake portals by address: each connect gets a fresh scripted target; counts the streams we hold. */
function lab(targetsByAddress: Record<string, string[]>) {
  const streams: Duplex[] = [];
  let maxOpen = 0;
  const open = () => streams.filter((s) => !s.destroyed).length;
  const connects: string[] = [];
  const connect = (p: { address: string }) => async (): Promise<Duplex> => {
    connects.push(p.address);
    const targets = targetsByAddress[p.address];
    if (!targets) throw Object.assign(new Error(`connect ECONNREFUSED ${p.address}:3260`), { code: 'ECONNREFUSED' });
    const ft = fakeTarget({ targets });
    streams.push(ft.stream);
    maxOpen = Math.max(maxOpen, open());
    return ft.stream;
  };
  return { connect, connects, stats: () => ({ open: open(), maxOpen }) };
}

describe('surveyPortals', () => {
  it('checks every portal, reports a dead one without failing the rest, and flags GUIDs seen on two targets', async () => {
    const l = lab({ '192.0.2.1': ['iqn.2024-01.test.unit:a'], '192.0.2.2': ['iqn.2024-01.test.unit:b'] });
    const r = await surveyPortals({
      portals: [
        { address: '192.0.2.1', server: 'stor1' },
        { address: '192.0.2.2', port: 3260, server: 'stor2' },
        { address: '192.0.2.9' },
        { address: '192.0.2.1', port: 3260 }, // listed twice: checked once
      ],
      connect: l.connect,
      initiatorName: INITIATOR,
    });
    expect(r.portals.map((p) => [p.portal, p.ok])).toEqual([
      ['192.0.2.1:3260', true],
      ['192.0.2.2:3260', true],
      ['192.0.2.9:3260', false],
    ]);
    const dead = r.portals[2];
    expect(dead.ok === false && dead.error.code).toBe('connection');
    const a = r.portals[0];
    expect(a.ok && a.targets.map((t) => t.ok && [t.targetName, t.luns.filter((x) => x.present).length])).toEqual([['iqn.2024-01.test.unit:a', 2]]);
    // both fakes answer with the same VPD 0x83, as two tgtd servers with the same tid/LUN do
    expect(r.guidWarnings.map((w) => w.guid)).toContain('360000000000000000e00000000010001');
    expect(r.guidWarnings[0].message).toMatch(/iqn\.2024-01\.test\.unit:a .*iqn\.2024-01\.test\.unit:b|iqn\.2024-01\.test\.unit:b .*iqn\.2024-01\.test\.unit:a/);
    // one discovery and one normal session per live portal, one attempt at the dead one
    expect(l.connects.sort()).toEqual(['192.0.2.1', '192.0.2.1', '192.0.2.2', '192.0.2.2', '192.0.2.9']);
    expect(l.stats().open).toBe(0); // every session logged out before the survey returned
  });

  it('never holds more sessions open than its concurrency limit', async () => {
    const addrs = Array.from({ length: 6 }, (_, i) => `192.0.2.${10 + i}`);
    const l = lab(Object.fromEntries(addrs.map((a, i) => [a, [`iqn.2024-01.test.unit:t${i}`]])));
    const r = await surveyPortals({ portals: addrs.map((address) => ({ address })), connect: l.connect, initiatorName: INITIATOR, concurrency: 2 });
    expect(r.portals.every((p) => p.ok)).toBe(true);
    expect(l.stats().maxOpen).toBe(2);
    expect(l.stats().open).toBe(0);
  });

  it('runs portals concurrently by default', async () => {
    const addrs = Array.from({ length: 6 }, (_, i) => `192.0.2.${20 + i}`);
    const l = lab(Object.fromEntries(addrs.map((a, i) => [a, [`iqn.2024-01.test.unit:t${i}`]])));
    await surveyPortals({ portals: addrs.map((address) => ({ address })), connect: l.connect, initiatorName: INITIATOR });
    expect(l.stats().maxOpen).toBeGreaterThanOrEqual(6);
  });
});
