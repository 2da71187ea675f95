// The matrix service over a fake per-cell checker (answers by host/network, can hang like a dead
// link): cells are the intended paths, a refresh while one runs joins it, dead paths cost one
// timeout per refresh, a recorded path that is no longer meant shows as missing, host states come
// from the rules, and every result lands in the path-health store.
import { afterEach, describe, expect, it } from 'vitest';
import { disposeEngines } from '../../test-support/engine';
import { bondFixture, caps, hostRecord } from '../../test-support/bond-fixture';
import { BondInputSchema } from '../../../shared/domain/bond';
import { MatrixService } from './matrix';
import { checkCells, type CellChecker, type CellSpec } from './path-check';
import { parseRouteDevices, routeDevices } from './routes';
import { LocalRunner } from '../../test-support/local-runner';

afterEach(() => disposeEngines());

function setup(down: Set<string>, routes?: Record<string, Record<string, string | null>>) {
  const f = bondFixture([]);
  f.hosts.add(
    hostRecord('hv1', ['hypervisor'], caps({ eth1: '203.0.113.21', eth2: '192.0.2.21' }, { initiatorName: 'iqn.1994-05.com.redhat:hv1' })),
    hostRecord('hv2', ['hypervisor'], caps({ eth1: '203.0.113.22', eth2: '192.0.2.22' })),
  );
  const dc = f.service.saveDataCenter({ name: 'DC', description: '', hostIds: ['hv1', 'hv2'] }).id;
  const a = f.service.saveNetwork({ dcId: dc, name: 'A', cidr: '203.0.113.0/24', vlan: null, required: false, bridged: false }).id;
  const b = f.service.saveNetwork({ dcId: dc, name: 'B', cidr: '192.0.2.0/24', vlan: null, required: false, bridged: false }).id;
  const iqn = 'iqn.2026-12.lab:m';
  const cA = f.service.saveConnection({ dcId: dc, iqn, address: '203.0.113.11', port: 3260, tpgt: 1, chap: null, serverId: null }).id;
  const cB = f.service.saveConnection({ dcId: dc, iqn, address: '192.0.2.11', port: 3260, tpgt: 1, chap: null, serverId: null }).id;
  const bond = f.service.save(BondInputSchema.parse({ dcId: dc, name: 'ab', networkIds: [a, b], connectionIds: [cA, cB] }));
  const seen: CellSpec[] = [];
  let calls = 0;
  const check: CellChecker = async (s, o) => {
    calls++;
    seen.push(s);
    if (down.has(`${s.hostId}/${s.networkName}`)) {
      // A dead link: nothing comes back until the check's own limit cancels it.
      await new Promise((r) => o.signal.addEventListener('abort', r, { once: true }));
      return { state: 'failed', tcp: false, login: false, luns: [], message: 'cancelled', elapsedMs: 0 };
    }
    await new Promise((r) => setTimeout(r, 20));
    return { state: 'ok', tcp: true, login: true, luns: [{ lun: 1, guid: '360000000000000000000000000000001', sizeBytes: 1 << 30 }], message: 'logged in; 1 LUN(s) seen', elapsedMs: 20 };
  };
  const m = new MatrixService(f.store, f.hosts, check, f.paths, routes ? { routes: async (h, addrs) => new Map(addrs.map((a) => [a, routes[h]?.[a] ?? null])) } : {});
  return { ...f, m, bond, a, b, seen, calls: () => calls };
}

const states = (v: { cells: { hostId: string; networkId: string | null; state: string }[]; networks: { id: string | null; name: string }[] }) =>
  Object.fromEntries(v.cells.map((c) => [`${c.hostId}/${v.networks.find((n) => n.id === c.networkId)!.name}`, c.state]));

describe('bond path matrix', () => {
  it('intended cells before any check; all green; the result is recorded for the dashboard', async () => {
    const w = setup(new Set());
    const first = await w.m.matrix(w.bond, { refresh: false });
    expect(first.at).toBeNull();
    expect(first.cells.map((c) => c.state)).toEqual(['checking', 'checking', 'checking', 'checking']);
    const v = await w.m.matrix(w.bond, { refresh: true, timeoutMs: 300 });
    expect(states(v)).toEqual({ 'hv1/A': 'ok', 'hv1/B': 'ok', 'hv2/A': 'ok', 'hv2/B': 'ok' });
    expect(v.hosts.map((h) => h.state)).toEqual(['ok', 'ok']);
    expect(v.luns).toEqual([{ guid: '360000000000000000000000000000001', perHost: [{ hostId: 'hv1', expected: 2, seen: 2 }, { hostId: 'hv2', expected: 2, seen: 2 }] }]);
    // Checked as the host itself, through the NIC of the network, to that network's portal.
    expect(w.seen.find((s) => s.hostId === 'hv1' && s.networkName === 'B')).toMatchObject({ address: '192.0.2.11', nic: 'eth2', initiatorName: 'iqn.1994-05.com.redhat:hv1' });
    const rec = w.paths.latest().find((r) => r.source === `bond:${w.bond.id}`)!;
    expect(rec.cells.map((c) => `${c.fromHostId} ${c.network} ${c.state}`).sort()).toEqual(['hv1 A ok', 'hv1 B ok', 'hv2 A ok', 'hv2 B ok']);
  });

  it('a partial failure is degraded, costs one timeout, and shows the dead path only', async () => {
    const w = setup(new Set(['hv1/B']));
    const t0 = performance.now();
    const v = await w.m.matrix(w.bond, { refresh: true, timeoutMs: 150 });
    const took = performance.now() - t0;
    expect(states(v)).toEqual({ 'hv1/A': 'ok', 'hv1/B': 'failed', 'hv2/A': 'ok', 'hv2/B': 'ok' });
    expect(v.cells.find((c) => c.state === 'failed')!.message).toMatch(/hv1 \(eth2\): no answer from 192.0.2.11:3260 within 150 ms/);
    expect(v.hosts[0]).toMatchObject({ state: 'degraded' });
    expect(took).toBeLessThan(150 * 2 + 200);
  });

  it('several dead paths still cost one timeout (all at once, each under its own limit)', async () => {
    const specs = Array.from({ length: 8 }, (_, i) => ({ hostId: `h${i}`, hostName: `h${i}`, networkId: null, networkName: 'x', connectionId: 'c', iqn: 'iqn.2026-12.x:y', address: '10.0.0.1', port: 3260, tpgt: 1, nic: null, chap: null, initiatorName: null }));
    const hang: CellChecker = (_s, o) => new Promise((r) => o.signal.addEventListener('abort', () => r({ state: 'failed', tcp: false, login: false, luns: [], message: 'x', elapsedMs: 0 }), { once: true }));
    const t0 = performance.now();
    const r = await checkCells(specs, hang, { concurrency: 64, timeoutMs: 100 });
    expect(performance.now() - t0).toBeLessThan(100 * 2 + 150);
    expect(r.every((c) => c.state === 'failed' && /within 100 ms/.test(c.message))).toBe(true);
    const t1 = performance.now();
    await checkCells(specs.slice(0, 3), hang, { concurrency: 1, timeoutMs: 100 });
    expect(performance.now() - t1).toBeGreaterThanOrEqual(3 * 200 - 20);
  });

  it('both networks down on a host: non-operational with the reason', async () => {
    const w = setup(new Set(['hv1/A', 'hv1/B']));
    const v = await w.m.matrix(w.bond, { refresh: true, timeoutMs: 100 });
    expect(v.hosts[0].state).toBe('non-operational');
    expect(v.hosts[0].reason).toMatch(/^hv1 has the bond's networks but connects through none of them/);
    expect(v.hosts[1].state).toBe('ok');
  });

  it('a refresh while one runs joins it: one round of checks', async () => {
    const w = setup(new Set());
    const [x, y] = await Promise.all([w.m.matrix(w.bond, { refresh: true }), w.m.matrix(w.bond, { refresh: true })]);
    expect(x).toBe(y);
    expect(w.calls()).toBe(4);
    const during = w.m.matrix(w.bond, { refresh: true });
    expect((await w.m.matrix(w.bond, { refresh: false })).running).toBe(true);
    await during;
    expect(w.calls()).toBe(8);
  });

  it('a recorded path the bond no longer means (its NIC vanished) is missing, not absent', async () => {
    const w = setup(new Set());
    const job = await (await w.engine.runner.apply((await w.service.planApply(w.bond.id, false)).id)).done;
    expect(job.state, job.error ?? '').toBe('succeeded');
    // After a reboot hv2's B NIC is gone: a probe finds no address in B.
    w.hosts.add(hostRecord('hv2', ['hypervisor'], caps({ eth1: '203.0.113.22' })));
    w.service.fillInterfaces(w.bond.dcId);
    const v = await w.m.matrix(w.bond, { refresh: true });
    const miss = v.cells.filter((c) => c.state === 'missing');
    expect(miss.map((c) => `${c.hostId} ${c.nic} ${c.portal}`)).toEqual(['hv2 eth2 192.0.2.11:3260']);
    expect(miss[0].message).toMatch(/eth2 no longer carries B on hv2/);
    expect(v.hosts[1].state).toBe('degraded');
  });

  it('a path that logs in but leaves the host through another NIC than its bonded one is degraded, in words', async () => {
    const w = setup(new Set(), { hv1: { '203.0.113.11': 'eth1', '192.0.2.11': 'eth0' }, hv2: { '203.0.113.11': 'eth1', '192.0.2.11': 'eth2' } });
    const v = await w.m.matrix(w.bond, { refresh: true });
    expect(states(v)).toEqual({ 'hv1/A': 'ok', 'hv1/B': 'degraded', 'hv2/A': 'ok', 'hv2/B': 'ok' });
    expect(v.cells.find((c) => c.state === 'degraded')!.message).toMatch(/hv1 routes 192.0.2.11 out of eth0, not eth2: this path does not use the bonded NIC/);
    expect(v.hosts[0].state).toBe('degraded');
  });

  it('route devices come from ip route get, run as a script with the addresses as arguments', async () => {
    expect(parseRouteDevices('192.0.2.11 eth2\n10.0.0.1 \n')).toEqual(new Map([['192.0.2.11', 'eth2'], ['10.0.0.1', null]]));
    const runner = new LocalRunner();
    const m = await routeDevices(runner, ['127.0.0.1']);
    expect(m.get('127.0.0.1')).toBe('lo');
    expect(runner.argvs[0]).not.toContain('127.0.0.1');
  });
});
