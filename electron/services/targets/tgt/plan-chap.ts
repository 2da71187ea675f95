// Plans for CHAP on an existing target: add an account (incoming, or the mutual/outgoing one),
// rotate an account's secret (a new one generated here, in main), remove one (lowers protection).
// tgt has no "change password": a new secret is account delete + new + bind, and accounts are
// global to tgtd, so an account bound to another target too is refused rather than changed there.
import { generateChapSecret } from '../../../../shared/domain/target';
import type { ChapActionSpec } from '../../../../shared/domain/target-actions';
import type { Plan, PlanStep } from '../../jobs/operation';
import { type ChapAccount, type DesiredTarget } from './conf';
import { tgtadmOp } from './ops';
import { persistStep, existingTargetPlanBase } from './plan-existing';
import { accessDangers, accessStateOf, loadExisting, refuse, secretsOf, type TgtServerContext } from './plan-common';
import { sessionList } from './plan-lun';
import type { TargetOp } from './target-op';

export interface ChapPlan {
  plan: Plan;
  /** A secret main generated: shown once, after the job succeeded (targets.chapReveal). */
  generated: { user: string; mutual: boolean; secret: string } | null;
}

export async function planChap(ctx: TgtServerContext, a: ChapActionSpec): Promise<ChapPlan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const ex = await loadExisting(ctx, a.iqn, false);
  const tid = ex.live.tid;
  const old = ex.desired;
  const kind = a.mutual ? 'mutual CHAP (outgoing)' : 'CHAP';
  const field = a.mutual ? 'Mutual CHAP user' : 'CHAP user';
  const boundElsewhere = (user: string) => ex.state.targets.filter((t) => t.tid !== tid && t.accounts.some((q) => q.user === user)).map((t) => t.iqn);
  const bound = ex.live.accounts.find((x) => x.user === a.user && x.outgoing === a.mutual);
  const inFile = a.mutual ? (old.outgoing?.user === a.user ? old.outgoing : undefined) : old.incoming.find((x) => x.user === a.user);
  const ops: TargetOp[] = [];
  let desired: DesiredTarget;
  let generated: ChapPlan['generated'] = null;
  const warnings: string[] = [];
  const otherSecrets = (skip: string) => [...old.incoming, ...(old.outgoing ? [old.outgoing] : [])].filter((x) => x.user !== skip).map((x) => x.password);
  const newSecret = (skipUser: string) => {
    // RFC 3720: the two directions never share a secret; regenerate on the (astronomically rare) clash.
    for (;;) {
      const s = generateChapSecret();
      if (!otherSecrets(skipUser).includes(s)) return s;
    }
  };

  if (a.action === 'add') {
    if (ex.state.accounts.includes(a.user)) refuse([`${field}: ${a.user} already exists on ${d.label}; tgt accounts are shared by every target, so choose a new user name`], 'user');
    if (a.mutual && old.outgoing) refuse([`Mutual CHAP user: ${a.iqn} already has the mutual CHAP account ${old.outgoing.user}; remove or rotate it instead (tgt allows one per target)`], 'mutual');
    if (a.mutual && !old.incoming.length) refuse([`Mutual CHAP user: add an incoming CHAP account first; mutual CHAP only works on top of it`], 'mutual');
    const secret = a.secret ?? newSecret(a.user);
    if (a.secret && otherSecrets(a.user).includes(a.secret)) refuse([`CHAP secret: ${a.mutual ? 'the mutual secret must differ from the incoming one' : 'must differ from the mutual CHAP secret'} (RFC 3720 forbids the same secret in both directions)`], 'secret');
    if (!a.secret) generated = { user: a.user, mutual: a.mutual, secret };
    const acc: ChapAccount = { user: a.user, password: secret };
    ops.push({ op: 'account-new', user: a.user, password: secret }, { op: 'account-bind', tid, user: a.user, outgoing: a.mutual });
    desired = a.mutual ? { ...old, outgoing: acc } : { ...old, incoming: [...old.incoming, acc] };
    if (!a.mutual && !old.incoming.length && ex.live.sessions.length) warnings.push(`Connected initiators (${sessionList(ex.live)}) keep their sessions; at their next login they need this CHAP user and secret.`);
    if (!a.mutual && !old.incoming.length) warnings.push(`From now on every initiator needs ${a.user} and its secret to log in to ${a.iqn}.`);
  } else {
    if (!bound && !inFile) refuse([`${field}: ${a.user} is not a ${kind} account of ${a.iqn}${old.incoming.length || old.outgoing ? ` (it has ${[...old.incoming.map((x) => x.user), ...(old.outgoing ? [`${old.outgoing.user} (mutual)`] : [])].join(', ')})` : ''}`], 'user');
    const others = boundElsewhere(a.user);
    if (a.action === 'rotate') {
      if (others.length) refuse([`${field}: ${a.user} is also used by ${others.join(', ')}; a new secret here would change it there too. Add a new account to this target, then remove ${a.user} from it.`], 'user');
      if (!inFile?.password) refuse([`${field}: the current secret of ${a.user} is not in ${ex.confPath}, so the rotation could not be undone; adopt the target with its secret first`], 'user');
      const secret = newSecret(a.user);
      generated = { user: a.user, mutual: a.mutual, secret };
      // The old secret travels with the delete: its undo re-creates the account as it was.
      if (bound) ops.push({ op: 'account-unbind', tid, user: a.user, outgoing: a.mutual });
      if (ex.state.accounts.includes(a.user)) ops.push({ op: 'account-delete', user: a.user, password: inFile.password });
      ops.push({ op: 'account-new', user: a.user, password: secret }, { op: 'account-bind', tid, user: a.user, outgoing: a.mutual });
      const acc: ChapAccount = { user: a.user, password: secret };
      desired = a.mutual ? { ...old, outgoing: acc } : { ...old, incoming: old.incoming.map((x) => (x.user === a.user ? acc : x)) };
      warnings.push(`Sessions already logged in stay up; every initiator using ${a.user} needs the new secret at its next login (the old one is refused from now on). The new secret is shown once, after the job succeeded.`);
    } else {
      if (bound) ops.push({ op: 'account-unbind', tid, user: a.user, outgoing: a.mutual });
      if (!others.length && ex.state.accounts.includes(a.user)) {
        if (!inFile?.password) refuse([`${field}: the secret of ${a.user} is not in ${ex.confPath}, so removing the account could not be undone; adopt the target with its secret first`], 'user');
        ops.push({ op: 'account-delete', user: a.user, password: inFile.password });
      }
      desired = a.mutual ? { ...old, outgoing: undefined } : { ...old, incoming: old.incoming.filter((x) => x.user !== a.user) };
      if (!a.mutual && desired.outgoing && !desired.incoming.length) {
        // Mutual CHAP needs an incoming account: it goes too, and the review says so.
        ops.push({ op: 'account-unbind', tid, user: desired.outgoing.user, outgoing: true });
        if (!boundElsewhere(desired.outgoing.user).length && ex.state.accounts.includes(desired.outgoing.user)) ops.push({ op: 'account-delete', user: desired.outgoing.user, password: desired.outgoing.password });
        warnings.push(`Mutual CHAP account ${desired.outgoing.user} is removed too: it works only on top of an incoming account.`);
        desired = { ...desired, outgoing: undefined };
      }
    }
  }
  const before = accessStateOf(ex.live, old);
  const after = { addresses: desired.addresses, names: desired.names, incoming: desired.incoming.map((x) => x.user), outgoing: desired.outgoing?.user ?? null };
  const dangers = accessDangers(a.iqn, before, after);
  if (a.action === 'remove' && !dangers.length) {
    dangers.push(`${kind} account ${a.user} is removed from ${a.iqn}: this lowers protection (initiators that used it can no longer log in with it, and the target accepts the remaining ${desired.incoming.length} account(s)).`);
  }
  const steps: PlanStep[] = [
    { title: `${a.action === 'add' ? 'Add' : a.action === 'rotate' ? 'Rotate the secret of' : 'Remove'} ${kind} account ${a.user} ${a.action === 'add' ? 'to' : 'of'} ${a.iqn} (tid ${tid})`, ops: ops.map((o) => tgtadmOp(host, o)) },
    persistStep(ctx, ex, desired),
  ];
  return {
    generated,
    plan: {
      ...existingTargetPlanBase(ctx, ex, desired),
      kind: `tgt.chap.${a.action}`,
      title: `${a.action === 'add' ? 'Add' : a.action === 'rotate' ? 'Rotate' : 'Remove'} ${kind} ${a.user} on ${a.iqn} (${d.label})`,
      steps,
      warnings,
      dangers,
      secrets: [...new Set([...secretsOf(desired), ...secretsOf(old)])],
    },
  };
}
