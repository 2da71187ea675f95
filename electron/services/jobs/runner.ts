// Applies plans as jobs: one step at a time, progress events, cancel, stop at the first failure,
// undo the done steps in reverse, an audit entry per step. Everything stored or pushed is masked.
import { randomUUID } from 'node:crypto';
import type { JobState, JobView, StepState } from '../../../shared/plan';
import { PorticoError } from '../../../shared/contract-kit';
import type { AuditLog } from '../audit';
import type { Db } from '../db';
import type { EventBus } from '../events';
import { maskSecrets } from '../mask';
import { KeyedLocks } from './locks';
import type { ExecPlan, StepContext } from './plan';
import type { PlanRegistry } from './registry';

interface LiveJob {
  view: JobView;
  abort: AbortController;
  secrets: readonly string[];
  done: Promise<JobView>;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class JobRunner {
  private readonly live = new Map<string, LiveJob>();
  private readonly locks = new KeyedLocks();

  constructor(
    private readonly db: Db,
    private readonly plans: PlanRegistry,
    private readonly audit: AuditLog,
    private readonly events: EventBus,
  ) {
    // Jobs that were running when the console stopped cannot be resumed: say so.
    this.db
      .prepare("UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE state = 'running'")
      .run('Interrupted: the console stopped while this job ran. Check the server and re-plan.', new Date().toISOString());
  }

  /** Starts applying a plan built by main; returns at once with the job id. */
  async apply(planId: string): Promise<{ jobId: string; done: Promise<JobView> }> {
    const taken = this.plans.take(planId);
    const { exec } = taken;
    const stale = exec.checkFresh ? await exec.checkFresh(new AbortController().signal).catch((e) => `could not re-read the server: ${errText(e)}`) : null;
    if (stale) {
      this.plans.restore(planId, taken);
      throw new PorticoError('plan-stale', `The server changed since this plan was built (${maskSecrets(stale, exec.secrets ?? [])}). Build the plan again to see the current state.`, 'planId');
    }
    const jobId = randomUUID();
    const view: JobView = {
      id: jobId,
      planId,
      kind: exec.kind,
      title: taken.view.title,
      state: 'running',
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      steps: taken.view.steps.map((s) => ({ index: s.index, title: s.title, command: s.command, state: 'pending' as StepState, message: null })),
    };
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO jobs (id, plan_id, kind, title, state, started_at) VALUES (?, ?, ?, ?, ?, ?)').run(jobId, planId, view.kind, view.title, view.state, view.startedAt);
      const ins = this.db.prepare('INSERT INTO job_steps (job_id, idx, title, command, state) VALUES (?, ?, ?, ?, ?)');
      for (const s of view.steps) ins.run(jobId, s.index, s.title, s.command, s.state);
    })();
    const abort = new AbortController();
    const job: LiveJob = { view, abort, secrets: exec.secrets ?? [], done: Promise.resolve(view) };
    this.live.set(jobId, job);
    this.audit.append({ actor: 'console', action: 'job.start', jobId, detail: `Apply plan "${view.title}" (${view.steps.length} steps)`, secrets: job.secrets });
    this.push(job);
    job.done = this.run(job, exec).finally(() => this.live.delete(jobId));
    return { jobId, done: job.done };
  }

  cancel(jobId: string): boolean {
    const job = this.live.get(jobId);
    if (!job || job.view.state !== 'running') return false;
    this.audit.append({ actor: 'console', action: 'job.cancel', jobId, detail: `Cancel requested for "${job.view.title}"`, secrets: job.secrets });
    job.abort.abort(new PorticoError('cancelled', 'Cancelled by the admin.'));
    return true;
  }

  get(jobId: string): JobView {
    const live = this.live.get(jobId);
    if (live) return live.view;
    const j = this.load(jobId);
    if (!j) throw new PorticoError('not-found', `No job with id ${jobId}.`, 'jobId');
    return j;
  }

  list(limit: number): JobView[] {
    const ids = this.db.prepare('SELECT id FROM jobs ORDER BY started_at DESC LIMIT ?').all(limit) as { id: string }[];
    return ids.map((r) => this.live.get(r.id)?.view ?? this.load(r.id)!).filter(Boolean);
  }

  private load(jobId: string): JobView | null {
    const j = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as Record<string, string | null> | undefined;
    if (!j) return null;
    const steps = this.db.prepare('SELECT idx, title, command, state, message FROM job_steps WHERE job_id = ? ORDER BY idx').all(jobId) as {
      idx: number; title: string; command: string; state: StepState; message: string | null;
    }[];
    return {
      id: j.id!, planId: j.plan_id!, kind: j.kind!, title: j.title!, state: j.state as JobState, error: j.error, startedAt: j.started_at!, finishedAt: j.finished_at,
      steps: steps.map((s) => ({ index: s.idx, title: s.title, command: s.command, state: s.state, message: s.message })),
      result: j.result ? JSON.parse(j.result) : undefined,
    };
  }

  private push(job: LiveJob): void {
    this.events.emit('job.updated', structuredClone(job.view));
  }

  private setStep(job: LiveJob, index: number, state: StepState, message: string | null = null): void {
    const step = job.view.steps[index];
    step.state = state;
    step.message = message === null ? null : maskSecrets(message, job.secrets);
    this.db.prepare('UPDATE job_steps SET state = ?, message = ? WHERE job_id = ? AND idx = ?').run(state, step.message, job.view.id, index);
    this.push(job);
  }

  private ctx(job: LiveJob, index: number): StepContext {
    return {
      signal: job.abort.signal,
      log: (line: string) => {
        const masked = maskSecrets(line, job.secrets);
        this.db.prepare("UPDATE job_steps SET log = log || ? WHERE job_id = ? AND idx = ?").run(masked + '\n', job.view.id, index);
        this.events.emit('job.log', { jobId: job.view.id, stepIndex: index, line: masked });
      },
    };
  }

  private async run(job: LiveJob, exec: ExecPlan): Promise<JobView> {
    const release = await this.locks.acquire(exec.lockKeys);
    const { id: jobId } = job.view;
    const audit = (action: string, detail: string) => this.audit.append({ actor: 'console', action, jobId, detail, secrets: job.secrets });
    let failure: string | null = null;
    let cancelled = false;
    const done: number[] = [];
    try {
      // Re-check once the lock is ours: another plan on the same server may have just run.
      const stale = exec.checkFresh ? await exec.checkFresh(job.abort.signal).catch((e) => `could not re-read the server: ${errText(e)}`) : null;
      if (stale) failure = `The server changed since this plan was built (${stale}). Build the plan again.`;
      for (let i = 0; i < exec.steps.length && !failure; i++) {
        const step = exec.steps[i];
        if (job.abort.signal.aborted) {
          cancelled = true;
          break;
        }
        this.setStep(job, i, 'running');
        audit('step.start', `Step ${i + 1}: ${step.title} — ${step.command}`);
        try {
          await step.run(this.ctx(job, i));
          done.push(i);
          this.setStep(job, i, 'done');
          audit('step.done', `Step ${i + 1} done: ${step.title}`);
        } catch (e) {
          if (job.abort.signal.aborted) {
            cancelled = true;
            this.setStep(job, i, 'failed', 'Cancelled while running.');
            audit('step.cancelled', `Step ${i + 1} cancelled: ${step.title}`);
          } else {
            failure = `Step ${i + 1} (${step.title}) failed: ${errText(e)}`;
            this.setStep(job, i, 'failed', errText(e));
            audit('step.failed', failure);
          }
          break;
        }
      }
      if (failure || cancelled) {
        const undoFailures = await this.rollback(job, exec, done, audit);
        if (undoFailures.length) failure = `${failure ?? 'Cancelled'}. Rollback incomplete: ${undoFailures.join('; ')}`;
        for (let i = 0; i < exec.steps.length; i++) if (job.view.steps[i].state === 'pending') this.setStep(job, i, 'skipped');
      } else if (exec.verify) {
        job.view.result = await exec.verify(this.ctx(job, exec.steps.length - 1)).catch((e) => ({ verifyError: errText(e) }));
      }
    } finally {
      release();
    }
    const state: JobState = failure ? 'failed' : cancelled ? 'cancelled' : 'succeeded';
    job.view.state = state;
    job.view.error = failure ? maskSecrets(failure, job.secrets) : cancelled ? 'Cancelled by the admin; the steps already done were undone.' : null;
    job.view.finishedAt = new Date().toISOString();
    this.db
      .prepare('UPDATE jobs SET state = ?, error = ?, result = ?, finished_at = ? WHERE id = ?')
      .run(state, job.view.error, job.view.result === undefined ? null : maskSecrets(JSON.stringify(job.view.result), job.secrets), job.view.finishedAt, jobId);
    audit(`job.${state}`, `Job "${job.view.title}" ${state}${job.view.error ? `: ${job.view.error}` : ''}`);
    this.push(job);
    return job.view;
  }

  private async rollback(job: LiveJob, exec: ExecPlan, done: number[], audit: (a: string, d: string) => void): Promise<string[]> {
    const failures: string[] = [];
    // Undo must run even after a cancel, so it gets a fresh signal.
    const undoCtl = new AbortController();
    for (const i of [...done].reverse()) {
      const step = exec.steps[i];
      if (!step.undo) {
        this.setStep(job, i, 'undone', 'Nothing to undo.');
        continue;
      }
      this.setStep(job, i, 'undoing');
      try {
        await step.undo({ ...this.ctx(job, i), signal: undoCtl.signal });
        this.setStep(job, i, 'undone');
        audit('step.undone', `Step ${i + 1} undone: ${step.undoCommand ?? step.title}`);
      } catch (e) {
        failures.push(`step ${i + 1}: ${errText(e)}`);
        this.setStep(job, i, 'undo-failed', errText(e));
        audit('step.undo-failed', `Undo of step ${i + 1} failed: ${errText(e)}`);
      }
    }
    return failures;
  }
}
