// Plan: bring running targets in line with the conf files Portico wrote (drift fixes as tgtadm changes).
import type { Plan, PlanStep } from '../../jobs/operation';
import { fingerprint, RECONCILE_BASE, RECONCILE_VERIFY, reconcileDigest } from './checks';
import { computeDrift } from './drift';
import { tgtadmOp } from './ops';
import type { TargetOp } from './target-op';
import { accessDangers, accessStateOf, lockKeys, readServer, type AccessState, type TgtServerContext } from './plan-common';

export async function planReconcile(ctx: TgtServerContext, input: { serverId: string; iqn?: string }): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const { state, confs } = await readServer(d);
  const report = computeDrift(state, confs);
  const chosen = report.targets.filter((t) => (!input.iqn || t.iqn === input.iqn) && t.managed && (t.status === 'drift' || t.status === 'not-running'));
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const secrets: string[] = [];
  const dangers: string[] = [];
  for (const t of chosen) {
    const ops: TargetOp[] = [];
    for (const it of t.items) {
      if (it.blocked) warnings.push(`${t.iqn}: not fixed automatically: ${it.message} (${it.blocked})`);
      else ops.push(...it.fix);
    }
    for (const o of ops) if (o.op === 'account-new') secrets.push(o.password);
    if (!ops.length) continue;
    // Bringing a target in line with its file can lower protection too (an account the file lacks, a wider rule in it).
    const live = state.targets.find((x) => x.iqn === t.iqn);
    if (live) {
      const before = accessStateOf(live);
      dangers.push(...accessDangers(t.iqn, before, afterOps(before, ops)));
    }
    steps.push({ title: t.status === 'not-running' ? `Start ${t.iqn} from ${t.file} (tid ${t.tid})` : `Bring ${t.iqn} (tid ${t.tid}) in line with ${t.file}`, ops: ops.map((o) => tgtadmOp(host, o)) });
  }
  const iqns = chosen.map((t) => t.iqn);
  const digest = reconcileDigest(iqns.map((iqn) => fingerprint(state.targets.find((x) => x.iqn === iqn))), confs);
  return {
    kind: 'tgt.reconcile',
    title: input.iqn ? `Reconcile ${input.iqn} on ${d.label}` : `Reconcile all targets on ${d.label}`,
    hostIds: [host],
    lockKeys: lockKeys(ctx),
    steps,
    warnings,
    dangers,
    artifacts: [],
    secrets,
    fresh: [{ kind: RECONCILE_BASE, host, params: { iqns, digest } }],
    verify: [{ kind: RECONCILE_VERIFY, host, params: { iqns } }],
  };
}

/** The access state after a target's fix operations. */
function afterOps(s: AccessState, ops: readonly TargetOp[]): AccessState {
  const addresses = [...s.addresses];
  const names = [...s.names];
  let incoming = [...s.incoming];
  let outgoing = s.outgoing;
  for (const o of ops) {
    if (o.op === 'bind-address') addresses.push(o.address);
    else if (o.op === 'unbind-address') addresses.splice(addresses.indexOf(o.address) >>> 0, 1);
    else if (o.op === 'bind-name') names.push(o.name);
    else if (o.op === 'unbind-name') names.splice(names.indexOf(o.name) >>> 0, 1);
    else if (o.op === 'account-bind') {
      if (o.outgoing) outgoing = o.user;
      else incoming.push(o.user);
    } else if (o.op === 'account-unbind') {
      if (o.outgoing) outgoing = outgoing === o.user ? null : outgoing;
      else incoming = incoming.filter((u) => u !== o.user);
    }
  }
  return { addresses, names, incoming, outgoing };
}
