// Plan: change a target's alias and comment. tgt has neither for a target (it reads an
// InitiatorAlias from initiators but never sends a TargetAlias, and targets.conf has no comment
// directive; tgt 1.0.97, usr/iscsi/iscsid.c), so both live in the portico-meta line of the
// target's conf.d file: the plan rewrites that file only and tgtd is not touched.
import type { RenameSpec } from '../../../../shared/domain/target-actions';
import type { Plan } from '../../jobs/operation';
import { type DesiredTarget } from './conf';
import { persistStep, existingTargetPlanBase } from './plan-existing';
import { loadExisting, refuse, verifyCheck, type TgtServerContext } from './plan-common';

export async function planRename(ctx: TgtServerContext, a: RenameSpec): Promise<Plan> {
  const d = ctx.driver;
  const ex = await loadExisting(ctx, a.iqn, false);
  const alias = a.alias !== undefined ? a.alias.trim() : (ex.desired.alias ?? '');
  const comment = a.comment !== undefined ? a.comment.trim() : (ex.desired.comment ?? '');
  if (alias === (ex.desired.alias ?? '') && comment === (ex.desired.comment ?? '')) refuse([`Alias: the alias and comment of ${a.iqn} are already as given`], 'alias');
  const desired: DesiredTarget = { ...ex.desired, alias: alias || undefined, comment: comment || undefined };
  return {
    ...existingTargetPlanBase(ctx, ex, desired),
    kind: 'tgt.target.rename',
    title: `Set the alias${alias ? ` "${alias}"` : ''} and comment of ${a.iqn} on ${d.label}`,
    steps: [persistStep(ctx, ex, desired)],
    warnings: ['tgt keeps no alias or comment for a target: they are Portico metadata in the conf file; initiators do not see them.'],
    dangers: [],
    verify: [verifyCheck({ ...ctx, verifyLogin: false }, desired, ex.confPath)],
  };
}
