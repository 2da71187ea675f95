// A bond applied to an oVirt host: the VDSM TEST DOUBLE on hv1 (its own port; the console reaches
// it the zero-config way, through hv1's SSH connection) receives connectStorageServer with exactly
// the per-NIC expansion of reference §5.3: one copy of each connection per bonded NIC, ifaceName /
// netIfaceName set, the first copy keeping the connection id. Removing the bond's paths
// disconnects them (a danger the apply must confirm). The double logs in for real to stor1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, requireLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { CONNECT_CALLS_METHOD, SNAPSHOT_METHOD, type DoubleSnapshot, type RecordedConnect } from '../../../e2e/doubles/vdsm/double';
import { contractCaller, testServices } from '../../test-support/services';
import { addLabHost, makeBondTarget } from '../../test-support/bond-lab';
import { startLabDouble, type LabDouble } from '../../test-support/vdsm-lab';
import { VdsmClient } from '../vdsm/client';
import { directTlsConnector } from '../vdsm/transport';
import type { BondView, ConnectionView, DataCenterView, NetworkView } from '../../../shared/domain/bond';
import type { JobView, PlanView } from '../../../shared/plan';

const reason = labSkipReason();
if (reason) console.warn(`[vdsm bond] skipped: ${reason}`);

const PORT = 54371;
const TID = 4700 + (process.pid % 200);
const IQN = `iqn.2026-12.lab.portico.bondvd:t${process.pid}`;
const CHAP = { user: `bondvd${process.pid}`, secret: 'BondVdsmSecret-9k' };

describe.skipIf(reason)('bond apply against the VDSM double on hv1', () => {
  let lab: LabInfo;
  let svc: ReturnType<typeof testServices>;
  let dbl: LabDouble | undefined;
  let probe: VdsmClient | undefined;
  let dropTarget: (() => Promise<void>) | undefined;
  let bond: BondView;
  let conns: ConnectionView[];
  const call = <T>(name: string, input: unknown) => contractCaller(svc)<T>(name, input);
  const runPlan = async (planId: string, confirmDangers = false) => {
    const { jobId } = await call<{ jobId: string }>('plans.apply', { planId, confirmDangers });
    for (;;) {
      const job = await call<JobView>('jobs.get', { jobId });
      if (job.state !== 'running') return job;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    lab = requireLab();
    const hv1 = lab.hosts.hv1;
    dropTarget = await makeBondTarget(lab.hosts.stor1, { tid: TID, iqn: IQN, chap: CHAP });
    dbl = await startLabDouble(hv1, { port: PORT, name: 'bonds' });
    probe = new VdsmClient({ connect: directTlsConnector(hv1.addresses.mgmt!, { ca: dbl.pki.ca, cert: dbl.pki.clientCert, key: dbl.pki.clientKey }, PORT, 5_000), label: 'hv1 (bond probe)' });
    process.env.PORTICO_VDSM_PORT = String(PORT);
    svc = testServices('vdsm bond passphrase');
    const hv1Id = (await addLabHost(call, lab, 'hv1', ['hypervisor', 'ovirt-host'])).id;
    const dc = await call<DataCenterView>('bonds.dcSave', { name: 'vdsm-dc', hostIds: [hv1Id] });
    const a = await call<NetworkView>('bonds.networkSave', { dcId: dc.id, name: 'iscsi-a', cidr: lab.networks.a.cidr, bridged: true });
    const b = await call<NetworkView>('bonds.networkSave', { dcId: dc.id, name: 'iscsi-b', cidr: lab.networks.b.cidr });
    conns = [];
    for (const p of lab.hosts.stor1.tgt!.portals) conns.push(await call<ConnectionView>('bonds.connectionSave', { dcId: dc.id, iqn: IQN, address: p.split(':')[0], port: 3260, tpgt: 1, chap: CHAP }));
    bond = await call<BondView>('bonds.save', { dcId: dc.id, name: 'vdsm-ab', networkIds: [a.id, b.id], connectionIds: conns.map((c) => c.id) });
  }, 120_000);

  afterAll(async () => {
    delete process.env.PORTICO_VDSM_PORT;
    await svc?.dispose();
    await probe?.close();
    await dbl?.stop();
    await dropTarget?.();
  });

  it('connectStorageServer per host equals the per-NIC expansion; removal disconnects', async () => {
    const hv1 = lab.hosts.hv1;
    const plan = await call<PlanView>('bonds.planApply', { bondId: bond.id });
    expect(plan.dangers).toEqual([]);
    expect(JSON.stringify(plan)).not.toContain(CHAP.secret);
    const job = await runPlan(plan.id);
    expect(job.state, job.error ?? '').toBe('succeeded');

    const calls = (await probe!.call(CONNECT_CALLS_METHOD, {})) as RecordedConnect[];
    const [pa, pb] = lab.hosts.stor1.tgt!.portals.map((p) => p.split(':')[0]);
    expect(calls).toEqual([
      {
        storagepoolID: '00000000-0000-0000-0000-000000000000',
        domainType: 3,
        connectionParams: [
          // iscsi-a is bridged: netIfaceName is the network (bridge) name; iscsi-b is not: the NIC.
          { id: conns[0].id, connection: pa, port: '3260', iqn: IQN, tpgt: '1', user: CHAP.user, password: '******', ifaceName: hv1.interfaces.a, netIfaceName: 'iscsi-a' },
          { id: conns[1].id, connection: pb, port: '3260', iqn: IQN, tpgt: '1', user: CHAP.user, password: '******', ifaceName: hv1.interfaces.b, netIfaceName: hv1.interfaces.b },
        ],
      },
    ]);
    // The double logged in for real with the CHAP secret the console sent.
    const snap = (await probe!.call(SNAPSHOT_METHOD, {})) as DoubleSnapshot;
    expect(snap.sessions.filter((s) => s.endsWith(IQN)).sort()).toEqual([`${pa}:3260,1 ${IQN}`, `${pb}:3260,1 ${IQN}`].sort());

    const removal = await call<PlanView>('bonds.planApply', { bondId: bond.id, remove: true });
    expect(removal.dangers.join(' ')).toMatch(/logs out of 2 path/);
    expect(removal.steps[0].ops[0].kind).toBe('vdsm.disconnectStorageServer');
    const gone = await runPlan(removal.id, true);
    expect(gone.state, gone.error ?? '').toBe('succeeded');
    const after = (await probe!.call(SNAPSHOT_METHOD, {})) as DoubleSnapshot;
    expect(after.sessions.filter((s) => s.endsWith(IQN))).toEqual([]);
    expect((await call<{ removed: boolean }>('bonds.remove', { id: bond.id, confirm: true })).removed).toBe(true);
  });
});
