// One plan for many targets: delete them, or grant the same initiators/networks to each. Built
// from the single-target planners (each refusal names its target) and joined into one plan, so
// the admin reviews and confirms once and a failure rolls every target back.
import { PorticoError } from '../../../../shared/contract-kit';
import type { BulkSpec } from '../../../../shared/domain/target-actions';
import type { Plan } from '../../jobs/operation';
import { NO_ADDRESS_PLACEHOLDER } from './conf';
import { lockKeys, type TgtServerContext } from './plan-common';
import { planAccessEdit } from './plan-existing';
import { planTargetDelete } from './plan-delete';

function join(ctx: TgtServerContext, kind: string, title: string, plans: Plan[]): Plan {
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    kind,
    title,
    hostIds: [ctx.serverId],
    lockKeys: lockKeys(ctx),
    steps: plans.flatMap((p) => p.steps),
    warnings: uniq(plans.flatMap((p) => p.warnings ?? [])),
    dangers: uniq(plans.flatMap((p) => p.dangers ?? [])),
    artifacts: plans.flatMap((p) => p.artifacts ?? []),
    secrets: uniq(plans.flatMap((p) => p.secrets ?? [])),
    fresh: plans.flatMap((p) => p.fresh ?? []),
    verify: plans.flatMap((p) => p.verify ?? []),
  };
}

export async function planBulk(ctx: TgtServerContext, a: BulkSpec): Promise<Plan> {
  const iqns = [...new Set(a.iqns)];
  const plans: Plan[] = [];
  const errors: string[] = [];
  // One read-back login per target would make a bulk plan slow; the rules are checked by show.
  const quiet: TgtServerContext = { ...ctx, verifyLogin: false };
  const state = await ctx.driver.readState();
  for (const iqn of iqns) {
    const live = state.targets.find((t) => t.iqn === iqn);
    try {
      if (a.action === 'delete') {
        // The admin confirmed the initiators of all chosen targets at once: each target checks its own.
        const mine = new Set(live?.sessions.map((s) => s.initiator) ?? []);
        const confirmedSessions = a.confirmedSessions?.filter((x) => mine.has(x));
        plans.push(await planTargetDelete(quiet, { serverId: a.serverId, iqn, force: a.force, deleteBackingFiles: a.deleteBackingFiles, confirmedSessions }));
      } else {
        const networks = [...new Set([...(live?.aclAddresses ?? []).filter((x) => x !== NO_ADDRESS_PLACEHOLDER), ...a.networks])];
        const initiators = [...new Set([...(live?.aclNames ?? []), ...a.initiators])];
        plans.push(await planAccessEdit(quiet, { serverId: a.serverId, iqn, access: { networks, initiators, chap: { mode: 'keep' } } }));
      }
    } catch (e) {
      if (!(e instanceof PorticoError)) throw e;
      errors.push(`${iqn}: ${e.message}`);
    }
  }
  if (errors.length) throw new PorticoError('invalid-input', `Targets: ${errors.length} of ${iqns.length} cannot be planned; deselect them or fix them first:\n${errors.join('\n')}`, 'iqns', { messages: errors });
  return a.action === 'delete'
    ? join(ctx, 'tgt.bulk.delete', `Delete ${iqns.length} target(s) on ${ctx.driver.label}`, plans)
    : join(ctx, 'tgt.bulk.acl-add', `Grant ${[...a.initiators, ...a.networks].join(', ')} access to ${iqns.length} target(s) on ${ctx.driver.label}`, plans);
}
