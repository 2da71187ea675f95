// Typed SCSI ids that give hosts one device GUID are refused, within a plan and against the LUNs
// tgtd serves (the recording fake driver, through the real planners and JobRunner).
import { afterEach, describe, expect, it } from 'vitest';
import { TargetInputSchema, type TargetInput } from '../../../../shared/domain/target';
import { LunAddInputSchema } from '../../../../shared/domain/target';
import { FakeTgtDriver, fakeTgtKinds } from '../../../test-support/fake-tgt';
import { disposeEngines, testEngine } from '../../../test-support/engine';
import { guidClashes } from './guid-clash';
import { planLunAdd, planTargetCreate, type TgtServerContext } from './planner';

afterEach(disposeEngines);

function setup() {
  const fake = new FakeTgtDriver();
  const { plans, runner } = testEngine(fakeTgtKinds(fake, { dirs: true }));
  const ctx: TgtServerContext = { serverId: 'stor1', driver: fake };
  return { fake, plans, runner, ctx };
}

const input = (name: string, scsiIds: (string | undefined)[]): TargetInput => ({
  serverId: 'stor1', name, iqn: `iqn.2026-12.com.example:stor1:${name}`,
  luns: scsiIds.map((scsiId) => ({ size: '64MB', backing: { kind: 'sparse' as const }, ...(scsiId ? { scsiId } : {}) })),
  access: { initiators: ['iqn.1994-05.com.redhat:hv1'], networks: [] },
});

describe('GUID clashes of typed SCSI ids', () => {
  it('pure: two ids without hex digits are one device; ids with their own hex digits are not', () => {
    expect(guidClashes('iqn.x', 1, [{ index: 0, lun: 1, scsiId: 'vol-x' }, { index: 1, lun: 2, scsiId: 'vol-y' }], [])).toEqual([
      { field: 'luns.1.scsiId', message: expect.stringMatching(/^SCSI id: "vol-y" gives hosts the device GUID \S+, which LUN 1 of iqn\.x \(SCSI id "vol-x"\) already has/) },
    ]);
    expect(guidClashes('iqn.x', 1, [{ index: 0, lun: 1, scsiId: 'disk-a1' }, { index: 1, lun: 2, scsiId: 'disk-b2' }], [])).toEqual([]);
  });

  it('a new target whose typed id clashes with a LUN tgtd serves is refused, naming the field; a clean one plans', async () => {
    const t = setup();
    const first = await planTargetCreate(t.ctx, TargetInputSchema.parse(input('one', ['vol-x'])));
    expect((await t.runner.apply(t.plans.register(first).id).then((r) => r.done)).state).toBe('succeeded');
    await expect(planTargetCreate(t.ctx, TargetInputSchema.parse(input('two', ['vol-y'])))).rejects.toMatchObject({
      field: 'luns.0.scsiId', message: expect.stringContaining('LUN 1 of iqn.2026-12.com.example:stor1:one (SCSI id "vol-x")'),
    });
    await expect(planTargetCreate(t.ctx, TargetInputSchema.parse(input('two', [undefined])))).resolves.toMatchObject({ kind: 'tgt.target.create' });
  });

  it('add LUN: the same check against the target\'s own LUNs', async () => {
    const t = setup();
    const first = await planTargetCreate(t.ctx, TargetInputSchema.parse(input('one', ['vol-x'])));
    expect((await t.runner.apply(t.plans.register(first).id).then((r) => r.done)).state).toBe('succeeded');
    const add = LunAddInputSchema.parse({ serverId: 'stor1', iqn: 'iqn.2026-12.com.example:stor1:one', luns: [{ size: '64MB', backing: { kind: 'sparse' }, scsiId: 'vol-z' }] });
    await expect(planLunAdd(t.ctx, add)).rejects.toMatchObject({ field: 'luns.0.scsiId' });
  });
});
