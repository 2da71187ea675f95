// Forced delete under I/O, against the recording fake (tgtd's refusals modelled): tgtd's own --force
// stops at the first LUN with commands in flight ("this logical unit is still active") and leaves a
// half-deleted target, so the plan closes the sessions first (new logins refused, every connection
// closed, a bounded wait until tgtd lists none), then deletes; any failure rolls back completely,
// and refusals read as sentences.
import { afterEach, describe, expect, it } from 'vitest';
import { TargetDeleteInputSchema } from '../../../../shared/domain/target';
import type { Failpoint } from '../../jobs/failpoints';
import { FakeTgtDriver, fakeTgtKinds } from '../../../test-support/fake-tgt';
import { disposeEngines, testEngine } from '../../../test-support/engine';
import { refusal } from './ops';
import { planTargetDelete, type TgtServerContext } from './planner';
import { opArgs } from './target-op';

const IQN = 'iqn.2024-01.lab.portico:busy';
const HV1 = 'iqn.2024-01.lab.portico:hv1';
afterEach(disposeEngines);

function setup(fake: FakeTgtDriver, failpoints: Failpoint[] = [], o: Partial<TgtServerContext> = {}) {
  const { kinds, plans, runner } = testEngine(fakeTgtKinds(fake), { failpoints });
  const ctx: TgtServerContext = { serverId: 'stor1', driver: fake, ...o };
  return { kinds, plans, runner, ctx };
}

/** A running target with two LUNs on files, an address rule, and hv1 logged in with I/O on LUN 1. */
async function busyServer(): Promise<FakeTgtDriver> {
  const fake = new FakeTgtDriver();
  for (const f of ['busy', 'busy_1']) fake.storage.set(`/srv/portico/${f}`, { size: 4 << 20, allocated: 0, kind: 'file' });
  await fake.runOps([
    { op: 'target-new', tid: 1, iqn: IQN },
    { op: 'lun-new', tid: 1, lun: 1, path: '/srv/portico/busy' },
    { op: 'lun-new', tid: 1, lun: 2, path: '/srv/portico/busy_1' },
    { op: 'bind-address', tid: 1, address: '192.0.2.0/24' },
  ], 'strict');
  fake.connect(1, HV1, ['192.0.2.21']);
  // LUN 2 is listed after LUN 1 but tgtd walks LUNs in order: LUN 1 goes, LUN 2 (I/O) stops it.
  fake.busyLuns.add('1/2');
  return fake;
}

const forced = { serverId: 'stor1', iqn: IQN, force: true, confirmedSessions: [HV1] };
const noSessions = (s: ReturnType<FakeTgtDriver['snapshot']>) => ({ ...s, targets: s.targets.map((t) => ({ ...t, sessions: [] })) });

describe('forced delete under I/O', () => {
  it("tgtd's own --force under I/O fails half-way (the defect): a LUN gone, the target left", async () => {
    const fake = await busyServer();
    const { results } = await fake.runOps([{ op: 'target-delete', tid: 1, iqn: IQN, force: true, rebuild: null }], 'strict');
    expect(results[0].out).toBe('tgtadm: this logical unit is still active');
    expect(fake.targets[0].luns.map((l) => l.lun)).toEqual([2]);
  });

  it('closes the sessions first (logins refused, each connection closed, wait until none), then deletes without --force', async () => {
    const fake = await busyServer();
    fake.relogin = true; // the initiator logs in again as soon as it is dropped, unless the target is offline
    fake.connect(1, HV1, ['192.0.2.21', '203.0.113.21']); // a second session with two connections
    const t = setup(fake);
    const plan = await planTargetDelete(t.ctx, TargetDeleteInputSchema.parse(forced));
    const ops = plan.steps.flatMap((s) => s.ops);
    expect(ops.map((o) => [o.kind, (o.params as { op?: string }).op ?? ''])).toEqual([
      ['tgt.tgtadm', 'target-state'],
      ['tgt.session.close', 'conn-delete'], ['tgt.session.close', 'conn-delete'], ['tgt.session.close', 'conn-delete'],
      ['tgt.sessions.gone', ''],
      ['tgt.tgtadm', 'target-delete'],
    ]);
    expect(ops.slice(1, 4).map((o) => opArgs(o.params as never).join(' '))).toEqual([
      '--mode conn --op delete --tid 1 --sid 1 --cid 0',
      '--mode conn --op delete --tid 1 --sid 2 --cid 0',
      '--mode conn --op delete --tid 1 --sid 2 --cid 1',
    ]);
    expect(ops[5].params).toMatchObject({ force: false });
    const view = t.plans.register(plan);
    // Closing a session is flagged (the initiator must log in again); nothing else to undo.
    expect(view.steps[0].ops.map((o) => o.irreversible)).toEqual([false, true, true, true, false]);
    expect(view.steps[0].ops[1].command).toMatch(/drops iqn\.2024-01\.lab\.portico:hv1 from 192\.0\.2\.21/);
    expect(view.steps[0].ops[4].command).toMatch(/wait until tgtd lists no session on .* at most 30 s/);
    const job = await (await t.runner.apply(view.id, { confirmDangers: true })).done;
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    expect(fake.targets).toEqual([]);
  });

  it('without the offline step a re-logging initiator would come back: the wait catches it, times out in words and everything is put back', async () => {
    const fake = await busyServer();
    fake.stuckSessions = true;
    const t = setup(fake, [], { sessionsGoneTimeoutMs: 300 });
    const before = fake.snapshot();
    const view = t.plans.register(await planTargetDelete(t.ctx, TargetDeleteInputSchema.parse(forced)));
    const job = await (await t.runner.apply(view.id, { confirmDangers: true })).done;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/After 0 s tgtd on stor1 still lists 1 session\(s\) on .*busy: iqn\.2024-01\.lab\.portico:hv1 \(session 1 from 192\.0\.2\.21\)\. The target was not deleted; .* Log these initiators out/);
    expect(job.error).not.toMatch(/tgtadm:/);
    expect(fake.snapshot()).toEqual(before);
    expect(fake.targets[0].state).toBe('ready');
  });

  it('a failure at any operation of the forced plan rolls back completely (target, LUNs, rules, state ready)', async () => {
    const probe = await busyServer();
    const n = (await planTargetDelete(setup(probe).ctx, TargetDeleteInputSchema.parse(forced))).steps.flatMap((s) => s.ops).length;
    expect(n).toBe(4);
    for (let k = 1; k <= n; k++) {
      const fake = await busyServer();
      const before = noSessions(fake.snapshot());
      const t = setup(fake, [{ planKind: 'tgt.target.delete', op: k, mode: 'fail' }]);
      const view = t.plans.register(await planTargetDelete(t.ctx, TargetDeleteInputSchema.parse(forced)));
      const job = await (await t.runner.apply(view.id, { confirmDangers: true })).done;
      expect(job.state, `op ${k}`).toBe('failed');
      expect(noSessions(fake.snapshot()), `op ${k}`).toEqual(before);
    }
  });

  it("a refused delete says what happened and what to do, not tgtadm's text", () => {
    const op = { op: 'target-delete' as const, tid: 3, iqn: IQN, force: false, rebuild: null };
    expect(refusal('tgtadm: this logical unit is still active', 22, op, 'stor1')).toBe(`a LUN of target ${IQN} (tid 3) still had I/O in flight from a connected initiator, so tgtd refused to remove it: close the initiators' sessions first (a forced delete does that and waits until tgtd reports none), then apply again.`);
    expect(refusal('tgtadm: this target is still active', 22, op, 'stor1')).toMatch(/^initiators are still connected to target .* log them out on their hosts, or plan a forced delete/);
    expect(refusal("tgtadm: can't connect to the tgt daemon, Transport endpoint is not connected", 107, op, 'stor1')).toBe('tgtd is not running on stor1: start it (systemctl start tgt) and apply the plan again.');
    expect(refusal("tgtadm: can't find the session", 22, { op: 'conn-delete', tid: 3, sid: 7, cid: 0, initiator: HV1, address: null })).toBe(`the session of ${HV1} (tid 3, session 7, connection 0) had already ended.`);
    expect(refusal('tgtadm: something new', 22, op)).toBe('tgtd said: tgtadm: something new');
  });
});
