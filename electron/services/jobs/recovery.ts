// From the journal to a rollback or a resume. Both read the live server: an operation that was
// interrupted ("in doubt") is verified first, then inverted only if it took effect. The same
// function serves the runner's rollback after a failure and the rollback plan offered after a crash.
import type { OperationRegistry } from './kinds';
import type { JournalEntry } from './journal';
import { pick, resolveRefs, type OpContext, type Operation, type OutRef, type Plan, type PlanStep } from './operation';
import { unseal, type SecretVault } from './seal';

/** The plan as stored with its job (ops sealed). */
export interface StoredPlan {
  kind: string;
  title: string;
  hostIds: string[];
  lockKeys: string[];
  steps: PlanStep[];
  verify: Operation[];
  priorOutputs: Record<string, unknown>;
}

export interface RollbackBuild {
  /** Undo steps, last original step first; forStep names the original step each one undoes. */
  steps: (PlanStep & { forStep: number })[];
  /** What the review should say: operations that had not taken effect, uncertain ones. */
  notes: string[];
  /** Operations that cannot be undone and took effect. */
  irreversible: string[];
  /** Secret values met while opening the journal (for masking the plan built from it). */
  secrets: string[];
}

/** Outputs by name from done operations (and a resumed job's prior outputs). */
export function outputsOf(entries: readonly JournalEntry[], prior: Record<string, unknown>, vault: SecretVault): Map<string, unknown> {
  const m = new Map<string, unknown>(Object.entries(prior));
  for (const e of entries) if (e.phase === 'apply' && e.state === 'done' && e.op.out) m.set(e.op.out, unseal(e.output, vault));
  return m;
}

export function refLookup(outputs: Map<string, unknown>) {
  return (r: OutRef) => {
    if (!outputs.has(r.$out)) throw new Error(`needs the output of an earlier operation ("${r.$out}"), which did not run`);
    return pick(outputs.get(r.$out), r.path);
  };
}

/** Opens, resolves and parses one journaled operation. */
export function openOp(kinds: OperationRegistry, sealed: Operation, vault: SecretVault, outputs: Map<string, unknown>, seen?: Set<string>): { op: Operation; params: Record<string, unknown> } {
  const op = unseal(sealed, vault, seen) as Operation;
  const kind = kinds.op(op.kind);
  const params = kind.schema.parse(resolveRefs(op.params, refLookup(outputs)));
  return { op, params };
}

export async function buildRollback(
  kinds: OperationRegistry,
  entries: readonly JournalEntry[],
  stepTitles: readonly string[],
  prior: Record<string, unknown>,
  vault: SecretVault,
  ctx: OpContext,
  describeHost: (host: string) => string,
): Promise<RollbackBuild> {
  const seen = new Set<string>();
  const outputs = outputsOf(entries, prior, vault);
  const notes: string[] = [];
  const irreversible: string[] = [];
  const byStep = new Map<number, Operation[]>();
  const applied = entries.filter((e) => e.phase === 'apply').sort((a, b) => b.seq - a.seq);
  for (const e of applied) {
    if (e.state === 'not-run' || e.state === 'skipped') continue;
    const kind = kinds.op(e.op.kind);
    if (kind.readOnly) continue;
    const { op, params } = openOp(kinds, e.op, vault, outputs, seen);
    const what = `operation ${e.idx + 1} (${kinds.describe(op)}) on ${describeHost(op.host)}`;
    let output = unseal(e.output, vault, seen);
    if (e.state !== 'done') {
      const v = await kind.verify(params, op.host, ctx).catch((err: unknown) => ({ applied: 'unknown' as const, reason: err instanceof Error ? err.message : String(err) }));
      if (v.applied === false) {
        notes.push(`${what} had not taken effect: nothing to undo.`);
        continue;
      }
      if (v.applied === 'unknown') notes.push(`Could not tell whether ${what} took effect (${v.reason}); its undo runs anyway (undo is idempotent).`);
      else if (v.output !== undefined) output = v.output;
    }
    const inv = kind.inverse(params, op.host, output);
    if (inv === null) {
      irreversible.push(`${what} cannot be undone.`);
      continue;
    }
    if (!inv.length) continue;
    const list = byStep.get(e.step) ?? [];
    list.push(...inv);
    byStep.set(e.step, list);
  }
  // Steps in reverse order of the original plan; within a step, the inverses in reverse op order.
  const steps = [...byStep.entries()].sort((a, b) => b[0] - a[0]).map(([step, ops]) => ({ title: `Undo step ${step + 1}: ${stepTitles[step] ?? ''}`.trim(), ops, forStep: step }));
  return { steps, notes, irreversible, secrets: [...seen] };
}

export type ResumeBuild = { ok: true; steps: PlanStep[]; stepIndexes: number[]; opIndexes: number[]; outputs: Record<string, unknown>; secrets: string[] } | { ok: false; reason: string };

/**
 * A job can resume when the server still is where the journal left it: every done operation is
 * still in effect, the interrupted one is known to have run or not, and no remaining operation has
 * been done by someone else.
 */
export async function buildResume(
  kinds: OperationRegistry,
  plan: StoredPlan,
  entries: readonly JournalEntry[],
  vault: SecretVault,
  ctx: OpContext,
): Promise<ResumeBuild> {
  const seen = new Set<string>();
  const outputs = outputsOf(entries, plan.priorOutputs, vault);
  const last = new Map<number, JournalEntry>();
  for (const e of entries) if (e.phase === 'apply') last.set(e.idx, e);
  if (entries.some((e) => e.phase === 'undo')) return { ok: false, reason: 'part of this job was already undone; roll it back instead' };
  const flat = plan.steps.flatMap((s, step) => s.ops.map((op) => ({ step, op })));
  const remaining: { step: number; idx: number; op: Operation }[] = [];
  for (let idx = 0; idx < flat.length; idx++) {
    const { step, op: sealed } = flat[idx];
    const e = last.get(idx);
    const kind = kinds.op(sealed.kind);
    let opened: { op: Operation; params: Record<string, unknown> } | null = null;
    try {
      opened = openOp(kinds, sealed, vault, outputs, seen);
    } catch {
      opened = null; // depends on an output that does not exist yet: cannot be checked before it runs
    }
    const what = `operation ${idx + 1} (${opened ? kinds.describe(opened.op) : sealed.kind})`;
    if (kind.readOnly) {
      if (!e || e.state !== 'done') remaining.push({ step, idx, op: sealed });
      continue;
    }
    const v = opened ? await kind.verify(opened.params, sealed.host, ctx).catch((err: unknown) => ({ applied: 'unknown' as const, reason: err instanceof Error ? err.message : String(err) })) : null;
    if (e?.state === 'done') {
      if (v && v.applied !== true) return { ok: false, reason: `${what} is no longer in effect on the server${v.applied === 'unknown' ? ` (${v.reason})` : ''}` };
      continue;
    }
    if (e && e.state !== 'not-run') {
      if (!v || v.applied === 'unknown') return { ok: false, reason: `cannot tell whether the interrupted ${what} took effect${v && v.applied === 'unknown' ? ` (${v.reason})` : ''}` };
      if (v.applied === true) {
        if (sealed.out && v.output !== undefined) outputs.set(sealed.out, v.output);
        continue;
      }
      remaining.push({ step, idx, op: sealed });
      continue;
    }
    if (v && v.applied === true) return { ok: false, reason: `${what} has already been done by someone else: the server changed since the job stopped` };
    if (v && v.applied === 'unknown') return { ok: false, reason: `cannot check ${what} against the server (${v.reason})` };
    remaining.push({ step, idx, op: sealed });
  }
  if (!remaining.length) return { ok: false, reason: 'every operation of this job has taken effect; nothing is left to resume' };
  const stepIndexes = [...new Set(remaining.map((r) => r.step))];
  const steps = stepIndexes.map((s) => ({ title: plan.steps[s].title, ops: remaining.filter((r) => r.step === s).map((r) => unseal(r.op, vault, seen) as Operation) }));
  return { ok: true, steps, stepIndexes, opIndexes: remaining.map((r) => r.idx), outputs: Object.fromEntries(outputs), secrets: [...seen] };
}

/** The stored form of a plan: ops sealed by kind (sensitive keys whole), the rest as is. */
export function storedPlanOf(plan: Plan, sealOp: (o: Operation) => Operation, seal: (v: unknown) => unknown): StoredPlan {
  return {
    kind: plan.kind,
    title: plan.title,
    hostIds: plan.hostIds,
    lockKeys: plan.lockKeys,
    steps: plan.steps.map((s) => ({ title: s.title, ops: s.ops.map(sealOp) })),
    verify: (plan.verify ?? []).map((c) => seal(c) as Operation),
    priorOutputs: seal(plan.priorOutputs ?? {}) as Record<string, unknown>,
  };
}

/** The rollback of a job as an ordinary plan for review. */
export function rollbackPlanOf(jobId: string, title: string, stored: StoredPlan, built: RollbackBuild): Plan {
  return {
    kind: 'rollback',
    title: `Roll back "${title}"`,
    hostIds: stored.hostIds,
    lockKeys: stored.lockKeys,
    steps: built.steps.map((s) => ({ title: s.title, ops: s.ops })),
    warnings: [...built.notes, ...built.irreversible.map((x) => `Left as it is: ${x}`), 'Each undo is idempotent: running this rollback again, or after a partial one, leaves the servers as before the job.'],
    secrets: built.secrets,
    rollbackOf: jobId,
  };
}

/** The rest of an interrupted job as a plan that continues it under its own id. */
export function resumePlanOf(jobId: string, title: string, plan: StoredPlan, r: Extract<ResumeBuild, { ok: true }>): Plan {
  return {
    kind: plan.kind,
    title: `Resume "${title}"`,
    hostIds: plan.hostIds,
    lockKeys: plan.lockKeys,
    steps: r.steps,
    verify: plan.verify,
    priorOutputs: r.outputs,
    secrets: r.secrets,
    warnings: [`Continues the interrupted job with its ${r.opIndexes.length} remaining operation(s); if one fails, the whole job is rolled back.`],
    resume: { jobId, stepIndexes: r.stepIndexes, opIndexes: r.opIndexes },
  };
}
