// The bond path matrix against the lab: bond {A, B} x a CHAP target on stor1, hosts hv1 and hv2,
// each path checked by Portico's initiator through the host's own SSH connection. hv1's B link
// down -> only hv1/B red and hv1 degraded; A down too -> hv1 non-operational with the reason;
// links up -> green again within one refresh. The plain-Linux hosts have no iscsiadm in the lab:
// the apply plan is checked (shown, recorded) and applied (the record), the paths natively.
// Link faults share the lab with the e2e run: run this file under /tmp/portico-e2e.lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, requireLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { linkDown, linkUp } from '../../../e2e/lab/faults';
import { contractCaller, testServices } from '../../test-support/services';
import { addLabHost, makeBondTarget } from '../../test-support/bond-lab';
import type { BondView, ConnectionView, DataCenterView, MatrixView, NetworkView } from '../../../shared/domain/bond';
import type { PlanView } from '../../../shared/plan';
import type { JobView } from '../../../shared/plan';

const reason = labSkipReason();
if (reason) console.warn(`[bond matrix] skipped: ${reason}`);

const TID = 4100 + (process.pid % 500);
const IQN = `iqn.2026-12.lab.portico.bondmx:t${process.pid}`;
const CHAP = { user: `bondmx${process.pid}`, secret: 'BondMatrixSecret-7x' };
const TIMEOUT_MS = 2500;

describe.skipIf(reason)('bond path matrix in the lab', () => {
  let lab: LabInfo;
  let svc: ReturnType<typeof testServices>;
  let dropTarget: (() => Promise<void>) | undefined;
  let bond: BondView;
  let hv1Id: string;
  let hv2Id: string;
  const call = <T>(name: string, input: unknown) => contractCaller(svc)<T>(name, input);
  const matrix = () => call<MatrixView>('bonds.matrix', { bondId: bond.id, refresh: true, timeoutMs: TIMEOUT_MS });
  const cellsOf = (m: MatrixView) =>
    Object.fromEntries(m.cells.map((c) => [`${c.hostId === hv1Id ? 'hv1' : 'hv2'}/${m.networks.find((n) => n.id === c.networkId)?.name}`, c.state]));
  const hostOf = (m: MatrixView, id: string) => m.hosts.find((h) => h.hostId === id)!;

  beforeAll(async () => {
    lab = requireLab();
    svc = testServices('bond matrix passphrase');
    dropTarget = await makeBondTarget(lab.hosts.stor1, { tid: TID, iqn: IQN, chap: CHAP });
    hv1Id = (await addLabHost(call, lab, 'hv1', ['hypervisor'])).id;
    hv2Id = (await addLabHost(call, lab, 'hv2', ['hypervisor'])).id;
    const dc = await call<DataCenterView>('bonds.dcSave', { name: 'lab-dc', hostIds: [hv1Id, hv2Id] });
    const a = await call<NetworkView>('bonds.networkSave', { dcId: dc.id, name: 'A', cidr: lab.networks.a.cidr });
    const b = await call<NetworkView>('bonds.networkSave', { dcId: dc.id, name: 'B', cidr: lab.networks.b.cidr });
    const [pa, pb] = lab.hosts.stor1.tgt!.portals.map((p) => p.split(':')[0]);
    const conns: ConnectionView[] = [];
    for (const address of [pa, pb]) conns.push(await call<ConnectionView>('bonds.connectionSave', { dcId: dc.id, iqn: IQN, address, port: 3260, tpgt: 1, chap: CHAP }));
    expect(conns.map((c) => c.networkId)).toEqual([a.id, b.id]);
    bond = await call<BondView>('bonds.save', { dcId: dc.id, name: 'lab-ab', networkIds: [a.id, b.id], connectionIds: conns.map((c) => c.id) });
  }, 120_000);

  afterAll(async () => {
    for (const net of ['a', 'b'] as const) await linkUp(lab.hosts.hv1, net).catch(() => undefined);
    await dropTarget?.();
    await svc?.dispose();
  });

  it('discovers each host\'s NIC per network from the probe', async () => {
    const o = await call<{ interfaces: { hostId: string; nic: string | null; address: string | null }[] }>('bonds.overview', {});
    const hv1 = o.interfaces.filter((i) => i.hostId === hv1Id).map((i) => `${i.nic} ${i.address}`).sort();
    expect(hv1).toEqual([`${lab.hosts.hv1.interfaces.b} ${lab.hosts.hv1.addresses.b}`, `${lab.hosts.hv1.interfaces.a} ${lab.hosts.hv1.addresses.a}`].sort());
  });

  it('the apply plan: no iscsiadm on the lab hosts, so the commands are shown and the intended paths recorded', async () => {
    const plan = await call<PlanView>('bonds.planApply', { bondId: bond.id });
    expect(plan.steps.flatMap((s) => s.ops.map((o) => o.kind))).toEqual(['bonds.recordPaths', 'bonds.recordPaths']);
    expect(plan.artifacts.map((a) => a.content).join('\n')).toContain(`iscsiadm -m node -T ${IQN} -p ${lab.hosts.stor1.addresses.b}:3260,1 -I ${lab.hosts.hv1.interfaces.b} --login`);
    expect(JSON.stringify(plan)).not.toContain(CHAP.secret);
    const { jobId } = await call<{ jobId: string }>('plans.apply', { planId: plan.id });
    let job: JobView;
    for (;;) {
      job = await call<JobView>('jobs.get', { jobId });
      if (job.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(job.state, job.error ?? '').toBe('succeeded');
  });

  it('four green paths; hv1 B down: only hv1/B red, degraded; A down too: non-operational; links up: green within one refresh', async () => {
    const up = await matrix();
    expect(cellsOf(up)).toEqual({ 'hv1/A': 'ok', 'hv1/B': 'ok', 'hv2/A': 'ok', 'hv2/B': 'ok' });
    for (const c of up.cells) {
      expect(c.login).toBe(true);
      expect(c.luns).toHaveLength(1);
      expect(c.luns[0].guid).toMatch(/^3[0-9a-f]{32}$|^[0-9a-f]{16,}/);
      expect(c.message).toMatch(/logged in with CHAP; 1 LUN/);
    }
    expect(up.luns).toHaveLength(1);
    expect(up.luns[0].perHost).toEqual([{ hostId: hv1Id, expected: 2, seen: 2 }, { hostId: hv2Id, expected: 2, seen: 2 }]);
    expect(up.hosts.map((h) => h.state)).toEqual(['ok', 'ok']);
    expect(svc.paths.latest().find((r) => r.source === `bond:${bond.id}`)?.cells.filter((c) => c.state === 'ok')).toHaveLength(4);

    try {
      await linkDown(lab.hosts.hv1, 'b');
      const t0 = performance.now();
      const degraded = await matrix();
      const took = performance.now() - t0;
      expect(cellsOf(degraded)).toEqual({ 'hv1/A': 'ok', 'hv1/B': 'failed', 'hv2/A': 'ok', 'hv2/B': 'ok' });
      const red = degraded.cells.find((c) => c.hostId === hv1Id && c.state === 'failed')!;
      expect(red.tcp).toBe(false);
      console.log(`[bond matrix] hv1/B down: "${red.message}" (refresh ${Math.round(took)} ms)`);
      expect(hostOf(degraded, hv1Id)).toMatchObject({ state: 'degraded' });
      expect(hostOf(degraded, hv1Id).reason).toMatch(/1 of 2 paths down: B/);
      expect(hostOf(degraded, hv2Id).state).toBe('ok');
      expect(degraded.luns[0].perHost[0]).toEqual({ hostId: hv1Id, expected: 2, seen: 1 });
      // One timeout at most for the dead path, however many there are.
      expect(took).toBeLessThan(TIMEOUT_MS * 2 + 1500);

      await linkDown(lab.hosts.hv1, 'a');
      const down = await matrix();
      expect(cellsOf(down)).toEqual({ 'hv1/A': 'failed', 'hv1/B': 'failed', 'hv2/A': 'ok', 'hv2/B': 'ok' });
      expect(hostOf(down, hv1Id).state).toBe('non-operational');
      expect(hostOf(down, hv1Id).reason).toMatch(/^hv1 has the bond's networks but connects through none of them: .* unreachable; A \(eth\d\) to .*; B \(eth\d\) to /);
      console.log(`[bond matrix] hv1 A and B down: ${hostOf(down, hv1Id).reason}`);
      expect(hostOf(down, hv2Id).state).toBe('ok');
    } finally {
      await linkUp(lab.hosts.hv1, 'a');
      await linkUp(lab.hosts.hv1, 'b');
    }
    const again = await matrix();
    expect(cellsOf(again)).toEqual({ 'hv1/A': 'ok', 'hv1/B': 'ok', 'hv2/A': 'ok', 'hv2/B': 'ok' });
    expect(again.hosts.map((h) => h.state)).toEqual(['ok', 'ok']);
  });

  it('refreshes never pile up: a refresh while one runs joins it', async () => {
    const [x, y] = await Promise.all([matrix(), matrix()]);
    expect(x.at).toBe(y.at);
    const last = await call<MatrixView>('bonds.matrix', { bondId: bond.id });
    expect(last.at).toBe(x.at);
  });
});
