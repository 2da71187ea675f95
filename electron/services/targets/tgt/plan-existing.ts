// Plans on an existing target: add LUNs, edit access (rules and CHAP).
import { NETWORKS_NOTE, SIZE_UNIT_NOTE } from '../../../../shared/domain/target';
import type { Plan, PlanStep } from '../../jobs/operation';
import { planBackings } from './backing';
import { fingerprint, TARGET_STATE } from './checks';
import { renderTargetConf, type DesiredTarget } from './conf';
import { lunOps } from './drift';
import { tgtadmOp } from './ops';
import { storageFolder } from './plan-create';
import type { TargetOp } from './target-op';
import {
  accessDangers, accessStateOf, addressesFor, backingsFree, backingSteps, chapAccounts, checkBackings, confOps, confUnchanged, holdsSecrets, loadExisting, lockKeys,
  lunFromBacking, refuse, secretsOf, verifyCheck, type AccessEditSpec, type Existing, type LunAddSpec, type TgtServerContext,
} from './plan-common';
import { refuseGuidClashes } from './guid-clash';

export function persistStep(ctx: TgtServerContext, ex: Existing, desired: DesiredTarget): PlanStep {
  const secrets = holdsSecrets(desired);
  return {
    title: `Persist to ${ex.confPath} (previous version kept as ${ex.confPath}.prev, mode 0600)`,
    ops: confOps(ctx.serverId, ex.confPath, renderTargetConf(desired), ex.files, { secrets, keepPrevious: true }),
  };
}

/**
 * What every edit of an existing target's plan shares: its server and locks, the conf file it
 * leaves (masked) as the artifact, its secrets, the freshness checks and the read-back. A planner
 * spreads this and overrides what differs (more secrets, more checks).
 */
export function existingTargetPlanBase(ctx: TgtServerContext, ex: Existing, desired: DesiredTarget) {
  return {
    hostIds: [ctx.serverId],
    lockKeys: lockKeys(ctx),
    artifacts: [{ name: ex.confPath, content: renderTargetConf(desired, { mask: true }) }],
    secrets: secretsOf(desired),
    fresh: freshExisting(ctx, ex),
    verify: [verifyCheck(ctx, desired, ex.confPath)],
  };
}

export function freshExisting(ctx: TgtServerContext, ex: Existing) {
  return [
    { kind: TARGET_STATE, host: ctx.serverId, params: { iqn: ex.live.iqn, expect: fingerprint(ex.live), sessions: false, freeTid: null } },
    confUnchanged(ctx.serverId, ex.confPath, ex.files),
  ];
}

export async function planLunAdd(ctx: TgtServerContext, a: LunAddSpec): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const ex = await loadExisting(ctx, a.iqn, true);
  const errors: string[] = [];
  const warnings: string[] = [SIZE_UNIT_NOTE];
  const first = Math.max(0, ...ex.live.luns.map((l) => l.lun), ...ex.desired.luns.map((l) => l.lun)) + 1;
  const taken = new Set<string>();
  for (const t of ex.state.targets) for (const l of t.luns) if (l.path) taken.add(l.path);
  for (const f of await d.listStorage()) taken.add(f.path);
  const base = ex.desired.luns.find((l) => l.kind === 'sparse' || l.kind === 'full')?.path.replace(/^.*\//, '').replace(/_\d+$/, '') ?? ex.desired.name;
  const bp = planBackings({ storageDir: d.storageDir, base, luns: a.luns, firstLun: first, firstIndex: 1, taken, skipTaken: true });
  errors.push(...bp.errors);
  const fields: Record<string, string> = {};
  const checked = errors.length ? null : await checkBackings(d, ex.state, bp.backings, a.luns, errors, warnings, fields);
  if (errors.length) refuse(errors, undefined, fields);
  // A storage folder that does not exist (yet, or any more: the settings name a new one) is created first, as for a new target.
  const folder = storageFolder(host, d.label, d.storageDir, checked?.space ?? null, bp.backings);
  if (folder.warning) warnings.push(folder.warning);
  if (ex.live.sessions.length) warnings.push(`Connected initiators (${ex.live.sessions.map((s) => s.initiator).join(', ')}) see the new LUNs after a rescan.`);
  const newLuns = bp.backings.map((b, i) => lunFromBacking(b, a.luns[i]));
  refuseGuidClashes(a.iqn, ex.live.tid, newLuns, ex.state.targets);
  const desired: DesiredTarget = { ...ex.desired, luns: [...ex.desired.luns, ...newLuns] };
  const ops = newLuns.flatMap((l) => lunOps(ex.live.tid, l));
  return {
    ...existingTargetPlanBase(ctx, ex, desired),
    kind: 'tgt.lun.add',
    title: `Add ${newLuns.length} LUN(s) to ${a.iqn} on ${d.label}`,
    steps: [
      ...folder.steps,
      ...backingSteps(host, d.label, bp.backings),
      { title: `Add LUN ${newLuns.map((l) => l.lun).join(', ')} to ${a.iqn} (tid ${ex.live.tid})`, ops: ops.map((o) => tgtadmOp(host, o)) },
      persistStep(ctx, ex, desired),
    ],
    warnings,
    dangers: checked?.dangers ?? [],
    fresh: [...folder.fresh, ...freshExisting(ctx, ex), ...backingsFree(host, bp.backings)],
  };
}

export async function planAccessEdit(ctx: TgtServerContext, a: AccessEditSpec): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const ex = await loadExisting(ctx, a.iqn, true);
  const tid = ex.live.tid;
  const old = ex.desired;
  // CHAP: keep (the accounts and secrets as the conf file has them), set (new ones), remove.
  const choice = a.access.chap;
  const chap = choice.mode === 'keep' ? { incoming: old.incoming, outgoing: old.outgoing } : choice.mode === 'set' ? chapAccounts({ chap: choice.chap }) : { incoming: [] };
  const desired: DesiredTarget = { ...old, addresses: addressesFor(a.access), names: [...a.access.initiators], incoming: chap.incoming, outgoing: chap.outgoing };
  const errors: string[] = [];
  const warnings: string[] = [NETWORKS_NOTE];
  const ops: TargetOp[] = [];
  // Remove first, then add: for the split second in between the target is closed, never wider open.
  const liveA = ex.live.aclAddresses;
  const liveN = ex.live.aclNames;
  for (const x of liveA.filter((x) => !desired.addresses.includes(x))) ops.push({ op: 'unbind-address', tid, address: x });
  for (const x of liveN.filter((x) => !desired.names.includes(x))) ops.push({ op: 'unbind-name', tid, name: x });
  // Accounts: tgt has no password update, so a changed secret is delete + new + bind.
  const oldAcc = [...old.incoming.map((x) => ({ ...x, outgoing: false })), ...(old.outgoing ? [{ ...old.outgoing, outgoing: true }] : [])];
  const newAcc = [...desired.incoming.map((x) => ({ ...x, outgoing: false })), ...(desired.outgoing ? [{ ...desired.outgoing, outgoing: true }] : [])];
  const same = (x: (typeof oldAcc)[number], y: (typeof oldAcc)[number]) => x.user === y.user && x.password === y.password && x.outgoing === y.outgoing;
  const boundElsewhere = (user: string) => ex.state.targets.some((t) => t.tid !== tid && t.accounts.some((q) => q.user === user));
  const deleted = new Set<string>();
  for (const o of oldAcc.filter((o) => !newAcc.some((n) => same(o, n)))) {
    if (ex.live.accounts.some((q) => q.user === o.user && q.outgoing === o.outgoing)) ops.push({ op: 'account-unbind', tid, user: o.user, outgoing: o.outgoing });
    const changedSecret = newAcc.some((n) => n.user === o.user && n.password !== o.password);
    if (changedSecret && boundElsewhere(o.user)) errors.push(`CHAP secret: account ${o.user} is also used by another target; changing its secret here would change it there too. Use a new user name.`);
    if (!boundElsewhere(o.user) && ex.state.accounts.includes(o.user) && !deleted.has(o.user)) {
      // The secret from the conf file travels with the delete: its undo re-creates the account.
      ops.push({ op: 'account-delete', user: o.user, password: o.password || null });
      deleted.add(o.user);
    }
  }
  const accountsAfter = ex.state.accounts.filter((u) => !deleted.has(u));
  for (const n of newAcc.filter((n) => !oldAcc.some((o) => same(o, n)))) {
    if (!accountsAfter.includes(n.user)) {
      ops.push({ op: 'account-new', user: n.user, password: n.password });
      accountsAfter.push(n.user);
    } else if (!oldAcc.some((o) => o.user === n.user)) {
      errors.push(`CHAP user: ${n.user} already exists on ${d.label}; tgt accounts are shared by all targets, so choose a new user name`);
    }
    ops.push({ op: 'account-bind', tid, user: n.user, outgoing: n.outgoing });
  }
  for (const x of desired.addresses.filter((x) => !liveA.includes(x))) ops.push({ op: 'bind-address', tid, address: x });
  for (const x of desired.names.filter((x) => !liveN.includes(x))) ops.push({ op: 'bind-name', tid, name: x });
  if (errors.length) refuse(errors);
  const dangers = accessDangers(a.iqn, accessStateOf(ex.live, old), {
    addresses: desired.addresses, names: desired.names, incoming: desired.incoming.map((x) => x.user), outgoing: desired.outgoing?.user ?? null,
  });
  if (ex.live.sessions.length) warnings.push(`Connected initiators keep their sessions until they log out: ${ex.live.sessions.map((s) => `${s.initiator} (${s.connections.map((c) => c.address).join(', ')})`).join('; ')}.`);
  const steps: PlanStep[] = [];
  if (ops.length) steps.push({ title: `Change access rules of ${a.iqn} (tid ${tid})`, ops: ops.map((o) => tgtadmOp(host, o)) });
  const content = renderTargetConf(desired);
  if (ex.files.get(ex.confPath)?.content !== content || (holdsSecrets(desired) && ex.files.get(ex.confPath)?.mode !== '600')) steps.push(persistStep(ctx, ex, desired));
  return {
    ...existingTargetPlanBase(ctx, ex, desired),
    kind: 'tgt.access.edit',
    title: `Edit access of ${a.iqn} on ${d.label}`,
    steps,
    warnings,
    dangers,
    secrets: [...secretsOf(desired), ...secretsOf(old)],
  };
}
