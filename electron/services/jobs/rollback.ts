// A job's rollback: what the journal shows took effect, undone in reverse with idempotent batches.
import { maskSecrets } from '../mask';
import type { FlatOp } from './batches';
import { buildRollback, outputsOf } from './recovery';
import { runBatch } from './run-batch';
import { errText, type LiveJob, type RunnerCore } from './runner-types';

/** Undoes what the journal shows took effect, in reverse; returns what could not be undone. */
export async function rollback(core: RunnerCore, job: LiveJob): Promise<string[]> {
  const undoCtl = new AbortController(); // undo must run even after a cancel
  const leftover: string[] = [];
  const entries = core.journal.entries(job.view.id);
  const titles = job.view.steps.map((s) => s.title);
  let built;
  try {
    built = await buildRollback(core.d.kinds, entries, titles, job.plan.priorOutputs ?? {}, core.d.vault, { signal: undoCtl.signal, log: () => undefined }, (h) => core.label(h));
  } catch (e) {
    return [`could not work out the rollback: ${errText(e)}`];
  }
  for (const n of built.notes) core.audit(job, 'rollback.note', n);
  leftover.push(...built.irreversible);
  const undoneSteps = new Set<number>();
  for (const e of entries) if (e.phase === 'apply' && e.state !== 'not-run') undoneSteps.add(e.step);
  for (const s of undoneSteps) core.setStep(job, s, 'undoing', job.view.steps[s].message);
  // Outputs of the apply phase are what inverses refer to.
  job.outputs = outputsOf(entries, job.plan.priorOutputs ?? {}, core.d.vault);
  for (const s of built.steps) {
    const stepNo = s.forStep;
    let failed = false;
    for (let i = 0; i < s.ops.length; ) {
      const first = s.ops[i];
      const group: FlatOp[] = [];
      while (i < s.ops.length && s.ops[i].kind === first.kind && s.ops[i].host === first.host) group.push({ step: Math.max(0, stepNo), idx: -1, op: s.ops[i++] });
      const r = await runBatch(core, job, group, 'ensure', 'undo', undoCtl.signal);
      if (r.error !== null) {
        const what = group.map((g) => maskSecrets(core.d.kinds.describe(g.op), job.secrets)).join('; ');
        failed = true;
        leftover.push(`on ${core.label(first.host)}: ${what} — ${r.error}`);
        core.audit(job, 'step.undo-failed', `Undo in step ${stepNo + 1} failed on ${core.label(first.host)}: ${r.error}`);
      }
    }
    if (stepNo >= 0) {
      core.setStep(job, stepNo, failed ? 'undo-failed' : 'undone', failed ? 'Undo incomplete: see the job error.' : null);
      if (!failed) core.audit(job, 'step.undone', `Step ${stepNo + 1} undone: ${job.view.steps[stepNo].title}`);
    }
  }
  for (const s of undoneSteps) if (job.view.steps[s].state === 'undoing') core.setStep(job, s, 'undone', 'Nothing had taken effect, or nothing to undo.');
  return leftover;
}
