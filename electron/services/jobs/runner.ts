// Applies plans as jobs with a write-ahead journal: each batch of operations is journaled as an
// intent before it touches a server and its outcome after; a failure, a cancel or a lost
// connection rolls back what the journal shows (verifying in-doubt operations first); a job the
// console died in is "interrupted" at the next start and offered for rollback or resume as an
// ordinary plan. Everything stored or pushed is masked; secrets are journaled as references.
import { randomUUID } from 'node:crypto';
import type { JobState, JobView, PlanView, StepState } from '../../../shared/plan';
import { PorticoError } from '../../../shared/contract-kit';
import { maskDeep, maskSecrets } from '../mask';
import { flattenPlan, takeBatch } from './batches';
import { jobOutcome } from './outcome';
import { JobStore } from './job-store';
import { Journal } from './journal';
import { KeyedLocks } from './locks';
import { resolveRefs, type OpContext, type Operation, type Plan } from './operation';
import { buildResume, buildRollback, refLookup, resumePlanOf, rollbackPlanOf, storedPlanOf, type StoredPlan } from './recovery';
import { Sealer, unseal } from './seal';
import { runBatch } from './run-batch';
import { rollback } from './rollback';
import { errText, type JobRunnerDeps, type LiveJob, type RunnerCore } from './runner-types';

// Batches (run-batch.ts) and rollback (rollback.ts) are their own modules; importers keep this path.
export type { JobRunnerDeps } from './runner-types';

const TERMINAL_CLEAN: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'rolled-back', 'resumed'];

export class JobRunner {
  private readonly live = new Map<string, LiveJob>();
  private readonly locks = new KeyedLocks();
  private readonly journal: Journal;
  private readonly store: JobStore;

  /** The helpers runBatch and rollback use. */
  private readonly core: RunnerCore;
  constructor(private readonly d: JobRunnerDeps) {
    this.journal = new Journal(d.db);
    this.store = new JobStore(d.db);
    this.core = {
      d,
      journal: this.journal,
      label: (h) => this.label(h),
      sealOp: (job, o) => this.sealOp(job, o),
      ctx: (job, i, signal) => this.ctx(job, i, signal),
      audit: (job, action, detail) => this.audit(job, action, detail),
      setStep: (job, i, state, message) => this.setStep(job, i, state, message),
    };
    this.markInterrupted();
  }

  /** Jobs the journal shows as running were interrupted by a stop of the console: say so, change nothing on any server. */
  private markInterrupted(): void {
    for (const id of this.store.runningIds()) {
      const n = this.journal.markInDoubt(id);
      const view = this.store.load(id)!;
      for (const s of view.steps) if (s.state === 'running') this.store.setStep(id, s.index, 'in-doubt', 'The console stopped while this step ran: it may have taken effect in part.');
      this.store.setState(id, 'interrupted', {
        error: `Interrupted: the console stopped while this job ran${n ? ` (${n} operation${n > 1 ? 's' : ''} in doubt)` : ''}. Review its rollback plan, or resume it if the server still allows.`,
        finishedAt: new Date().toISOString(),
      });
      this.d.audit.append({ actor: 'console', action: 'job.interrupted', jobId: id, detail: `Job "${view.title}" found running at start: marked interrupted, ${n} operation(s) in doubt; nothing was changed on any server.` });
    }
  }

  private label(host: string): string {
    return this.d.hostLabel?.(host) ?? host;
  }

  // ------------------------------------------------------------ public

  /** Starts applying a plan built by main; returns at once with the job id. */
  async apply(planId: string, opts: { confirmDangers?: boolean } = {}): Promise<{ jobId: string; done: Promise<JobView> }> {
    const held = this.d.plans.take(planId);
    const { plan, view: planView } = held;
    const refuse = (e: PorticoError): never => {
      this.d.plans.restore(planId, held);
      throw e;
    };
    if (plan.dangers?.length && !opts.confirmDangers) {
      refuse(new PorticoError('confirmation-required', `This plan lowers protection: ${planView.dangers.join(' ')} Tick "I understand" to apply it.`, 'confirmDangers'));
    }
    if (!plan.resume) {
      const stale = await this.checkFresh(plan);
      if (stale) refuse(new PorticoError('plan-stale', `The server changed since this plan was built (${maskSecrets(stale, plan.secrets ?? [])}). Build the plan again to see the current state.`, 'planId'));
    }
    const job = plan.resume ? this.reopen(plan, planView) : this.create(plan, planView);
    this.live.set(job.view.id, job);
    this.push(job);
    job.done = this.run(job).finally(() => this.live.delete(job.view.id));
    return { jobId: job.view.id, done: job.done };
  }

  cancel(jobId: string): boolean {
    const job = this.live.get(jobId);
    if (!job || job.view.state !== 'running') return false;
    this.audit(job, 'job.cancel', `Cancel requested for "${job.view.title}"`);
    job.abort.abort(new PorticoError('cancelled', 'Cancelled by the admin.'));
    return true;
  }

  get(jobId: string): JobView {
    const live = this.live.get(jobId);
    if (live) return live.view;
    const j = this.store.load(jobId);
    if (!j) throw new PorticoError('not-found', `No job with id ${jobId}.`, 'jobId');
    return j;
  }

  list(limit: number): JobView[] {
    return this.store.recentIds(limit).map((id) => this.live.get(id)?.view ?? this.store.load(id)!).filter(Boolean);
  }

  /** Builds the plan that undoes what an interrupted (or half rolled back) job did, verifying in-doubt operations against the live servers. */
  async planRollback(jobId: string): Promise<PlanView> {
    const { view, stored } = this.recoverable(jobId);
    const ctx = this.readCtx();
    const built = await buildRollback(this.d.kinds, this.journal.entries(jobId), view.steps.map((s) => s.title), unseal(stored.priorOutputs, this.d.vault) as Record<string, unknown>, this.d.vault, ctx, (h) => this.label(h));
    if (!built.steps.length && !built.irreversible.length) {
      throw new PorticoError('nothing-to-undo', `Nothing of "${view.title}" is in effect on the servers${built.notes.length ? ` (${built.notes.join(' ')})` : ''}: there is nothing to roll back.`, 'jobId');
    }
    return this.d.plans.register(rollbackPlanOf(jobId, view.title, stored, built));
  }

  /** Builds a plan that finishes an interrupted job, when every remaining operation is still valid against the live state. */
  async planResume(jobId: string): Promise<PlanView> {
    const { view, stored } = this.recoverable(jobId);
    if (view.state !== 'interrupted') throw new PorticoError('not-resumable', `Only interrupted jobs resume; this one is ${view.state}. Build its rollback plan instead.`, 'jobId');
    const plan = unseal(stored, this.d.vault) as StoredPlan;
    const r = await buildResume(this.d.kinds, stored, this.journal.entries(jobId), this.d.vault, this.readCtx());
    if (!r.ok) throw new PorticoError('not-resumable', `"${view.title}" cannot resume: ${r.reason}. Roll it back instead.`, 'jobId');
    return this.d.plans.register(resumePlanOf(jobId, view.title, plan, r));
  }

  // ------------------------------------------------------------ job records

  private recoverable(jobId: string): { view: JobView; stored: StoredPlan } {
    if (this.live.has(jobId)) throw new PorticoError('job-running', 'This job is still running.', 'jobId');
    const view = this.get(jobId);
    if (!view.recoverable) throw new PorticoError('not-recoverable', `This job is ${view.state}: there is nothing to recover.`, 'jobId');
    const stored = this.store.sealedPlan(jobId) as StoredPlan | null;
    if (!stored) throw new PorticoError('not-recoverable', 'This job was recorded before the journal existed: check the server and re-plan.', 'jobId');
    return { view, stored };
  }

  private readCtx(): OpContext {
    return { signal: new AbortController().signal, log: () => undefined };
  }

  private newLive(plan: Plan, view: JobView, stepIndexes: number[]): LiveJob {
    const secrets = plan.secrets ?? [];
    return { view, abort: new AbortController(), plan, secrets, sealer: new Sealer(this.d.vault, `job:${view.id}:`, secrets), outputs: new Map(Object.entries(plan.priorOutputs ?? {})), stepIndexes, done: Promise.resolve(view) };
  }

  private sealOp(job: LiveJob, o: Operation): Operation {
    return { ...o, params: job.sealer.seal(o.params, this.d.kinds.op(o.kind).sensitive ?? []) as Record<string, unknown> };
  }

  private create(plan: Plan, planView: PlanView): LiveJob {
    const id = randomUUID();
    const view: JobView = {
      id, planId: planView.id, kind: plan.kind, title: planView.title, state: 'running', error: null,
      startedAt: new Date().toISOString(), finishedAt: null,
      steps: planView.steps.map((s) => ({ index: s.index, title: s.title, command: s.command, state: 'pending' as StepState, message: null })),
      verification: null, leftover: [], parentJobId: plan.rollbackOf ?? null, recoverable: false,
    };
    const job = this.newLive(plan, view, plan.steps.map((_, i) => i));
    this.store.insert(view, storedPlanOf(plan, (o) => this.sealOp(job, o), (v) => job.sealer.seal(v)));
    this.audit(job, 'job.start', `Apply plan "${view.title}" (${view.steps.length} steps)${plan.dangers?.length ? `; protection lowered, confirmed: ${planView.dangers.join(' ')}` : ''}`);
    return job;
  }

  private reopen(plan: Plan, planView: PlanView): LiveJob {
    const r = plan.resume!;
    const view = this.store.load(r.jobId);
    if (!view || view.state !== 'interrupted') throw new PorticoError('not-resumable', 'The job is no longer interrupted.', 'planId');
    view.state = 'running';
    view.error = null;
    view.finishedAt = null;
    view.recoverable = false;
    this.store.setState(view.id, 'running');
    const job = this.newLive(plan, view, r.stepIndexes);
    this.audit(job, 'job.resume', `Resume "${view.title}" with plan ${planView.id}: ${r.opIndexes.length} remaining operation(s)`);
    return job;
  }

  private push(job: LiveJob): void {
    this.d.events.emit('job.updated', structuredClone(job.view));
  }

  private audit(job: LiveJob, action: string, detail: string): void {
    this.d.audit.append({ actor: 'console', action, jobId: job.view.id, detail, secrets: job.secrets });
  }

  private setStep(job: LiveJob, index: number, state: StepState, message: string | null = null): void {
    const step = job.view.steps[index];
    if (!step) return;
    step.state = state;
    step.message = message === null ? null : maskSecrets(message, job.secrets);
    this.store.setStep(job.view.id, index, state, step.message);
    this.push(job);
  }

  private ctx(job: LiveJob, stepIndex: number, signal: AbortSignal = job.abort.signal): OpContext {
    return {
      signal,
      log: (line: string) => {
        const masked = maskSecrets(line, job.secrets);
        this.store.appendLog(job.view.id, stepIndex, masked);
        this.d.events.emit('job.log', { jobId: job.view.id, stepIndex, line: masked });
      },
    };
  }

  // ------------------------------------------------------------ checks

  private async runChecks(checks: readonly Operation[], outputs: Map<string, unknown>, ctx: OpContext): Promise<{ ok: true; results: unknown[] } | { ok: false; reason: string; found?: unknown }> {
    const results: unknown[] = [];
    for (const c of checks) {
      const kind = this.d.kinds.check(c.kind);
      const r = await kind.check(kind.schema.parse(resolveRefs(c.params, refLookup(outputs))), c.host, ctx).catch((e: unknown) => ({ ok: false as const, reason: `could not read ${this.label(c.host)}: ${errText(e)}` }));
      if (!r.ok) return r;
      if (r.result !== undefined) results.push(r.result);
    }
    return { ok: true, results };
  }

  private async checkFresh(plan: Plan, signal?: AbortSignal): Promise<string | null> {
    if (!plan.fresh?.length) return null;
    const r = await this.runChecks(plan.fresh, new Map(), { signal: signal ?? new AbortController().signal, log: () => undefined });
    return r.ok ? null : r.reason;
  }

  // ------------------------------------------------------------ apply

  private async run(job: LiveJob): Promise<JobView> {
    const { plan } = job;
    const release = await this.locks.acquire(plan.lockKeys);
    let failure: string | null = null;
    let cancelled = false;
    try {
      // Re-check once the lock is ours: another plan on the same server may have just run.
      const stale = plan.resume ? null : await this.checkFresh(plan, job.abort.signal);
      if (stale) failure = `The server changed since this plan was built (${stale}). Build the plan again.`;
      const flat = flattenPlan(job.plan, job.stepIndexes);
      const lastOfStep = new Map<number, number>();
      flat.forEach((f, n) => lastOfStep.set(f.step, n));
      for (let i = 0; i < flat.length && !failure; ) {
        if (job.abort.signal.aborted) {
          cancelled = true;
          break;
        }
        const batch = takeBatch(this.d.kinds, this.d.failpoints ?? [], plan, flat, i);
        const step = batch[0].step;
        if (job.view.steps[step]?.state === 'pending') {
          this.setStep(job, step, 'running');
          this.audit(job, 'step.start', `Step ${step + 1}: ${job.view.steps[step].title} — ${job.view.steps[step].command}`);
        }
        const r = await runBatch(this.core, job, batch, plan.rollbackOf ? 'ensure' : 'apply');
        i += batch.length;
        if (r.error !== null) {
          if (job.abort.signal.aborted) {
            cancelled = true;
            this.setStep(job, step, 'in-doubt', 'Cancelled while running: rollback checks what took effect.');
            this.audit(job, 'step.cancelled', `Step ${step + 1} cancelled: ${job.view.steps[step].title}`);
          } else {
            failure = `Step ${step + 1} (${job.view.steps[step].title}) failed: ${r.error}`;
            this.setStep(job, step, r.inDoubt ? 'in-doubt' : 'failed', r.error);
            this.audit(job, 'step.failed', failure);
          }
          break;
        }
        if (lastOfStep.get(step) === i - 1) {
          this.setStep(job, step, 'done');
          this.audit(job, 'step.done', `Step ${step + 1} done: ${job.view.steps[step].title}`);
        }
      }
      if (failure || cancelled) {
        if (plan.rollbackOf) {
          job.view.leftover = [`The rollback stopped: ${failure ?? 'cancelled'}. What it had not undone is still in effect; build the rollback plan again from the original job (undo is idempotent).`];
        } else {
          job.view.leftover = await rollback(this.core, job);
        }
        for (const s of job.view.steps) if (s.state === 'pending') this.setStep(job, s.index, 'skipped');
      } else if (plan.verify?.length) {
        const v = await this.runChecks(plan.verify, job.outputs, this.ctx(job, job.view.steps.length - 1));
        job.view.verification = v.ok ? { ok: true, reason: null } : { ok: false, reason: maskSecrets(v.reason, job.secrets), found: maskDeep(v.found, job.secrets) };
        if (v.ok) job.view.result = maskDeep(v.results.length === 1 ? v.results[0] : v.results.length ? v.results : undefined, job.secrets);
      }
    } catch (e) {
      failure = `internal error: ${errText(e)}`;
    } finally {
      release();
    }
    return this.finish(job, failure, cancelled);
  }

  private finish(job: LiveJob, failure: string | null, cancelled: boolean): JobView {
    const v = job.view;
    const o = jobOutcome(v, failure, cancelled, !!job.plan.rollbackOf);
    const state = o.state;
    v.state = state;
    v.recoverable = o.recoverable;
    v.error = o.error === null ? null : maskSecrets(o.error, job.secrets);
    v.leftover = v.leftover.map((x) => maskSecrets(x, job.secrets));
    v.finishedAt = new Date().toISOString();
    this.store.finish(v, v.result === undefined ? null : JSON.stringify(v.result));
    this.audit(job, `job.${state}`, `Job "${v.title}" ${state}${v.error ? `: ${v.error}` : ''}`);
    const parent = job.plan.rollbackOf ?? null;
    if (parent && state === 'succeeded') this.closeParent(parent, 'rolled-back', `Rolled back by job ${v.id}.`);
    if (job.plan.resume && state === 'succeeded') this.d.audit.append({ actor: 'console', action: 'job.resumed', jobId: v.id, detail: `Job "${v.title}" finished after a resume.` });
    if (TERMINAL_CLEAN.includes(state)) this.d.vault.deletePrefix(`job:${v.id}:`);
    this.push(job);
    return v;
  }

  private closeParent(jobId: string, state: JobState, note: string): void {
    this.store.finish({ ...this.store.load(jobId)!, state, error: note, finishedAt: new Date().toISOString(), leftover: [] }, null);
    this.d.audit.append({ actor: 'console', action: `job.${state}`, jobId, detail: note });
    this.d.vault.deletePrefix(`job:${jobId}:`);
    const view = this.store.load(jobId);
    if (view) this.d.events.emit('job.updated', view);
  }
}
