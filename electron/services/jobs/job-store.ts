// Jobs and their steps in SQLite, as the Activity page shows them (masked text only). The
// operations themselves live in the journal (journal.ts).
import type { JobState, JobView, StepState } from '../../../shared/plan';
import type { Db } from '../db';

const RECOVERABLE: readonly JobState[] = ['interrupted', 'rollback-failed', 'verification-failed'];

export function isRecoverable(state: JobState): boolean {
  return RECOVERABLE.includes(state);
}

type JobRow = Record<string, string | null>;

export class JobStore {
  constructor(private readonly db: Db) {}

  insert(view: JobView, sealedPlan: unknown): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO jobs (id, plan_id, kind, title, state, started_at, plan, parent_job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(view.id, view.planId, view.kind, view.title, view.state, view.startedAt, JSON.stringify(sealedPlan), view.parentJobId);
      const ins = this.db.prepare('INSERT INTO job_steps (job_id, idx, title, command, state) VALUES (?, ?, ?, ?, ?)');
      for (const s of view.steps) ins.run(view.id, s.index, s.title, s.command, s.state);
    })();
  }

  sealedPlan(jobId: string): unknown {
    const r = this.db.prepare('SELECT plan FROM jobs WHERE id = ?').get(jobId) as { plan: string | null } | undefined;
    return r?.plan ? JSON.parse(r.plan) : null;
  }

  setStep(jobId: string, index: number, state: StepState, message: string | null): void {
    this.db.prepare('UPDATE job_steps SET state = ?, message = ? WHERE job_id = ? AND idx = ?').run(state, message, jobId, index);
  }

  appendLog(jobId: string, index: number, line: string): void {
    this.db.prepare('UPDATE job_steps SET log = log || ? WHERE job_id = ? AND idx = ?').run(line + '\n', jobId, index);
  }

  setState(jobId: string, state: JobState, fields: { error?: string | null; finishedAt?: string | null } = {}): void {
    this.db.prepare('UPDATE jobs SET state = ?, error = COALESCE(?, error), finished_at = ? WHERE id = ?').run(state, fields.error ?? null, fields.finishedAt ?? null, jobId);
  }

  finish(view: JobView, resultJson: string | null): void {
    this.db
      .prepare('UPDATE jobs SET state = ?, error = ?, result = ?, finished_at = ?, verification = ?, leftover = ? WHERE id = ?')
      .run(view.state, view.error, resultJson, view.finishedAt, view.verification ? JSON.stringify(view.verification) : null, JSON.stringify(view.leftover), view.id);
  }

  runningIds(): string[] {
    return (this.db.prepare("SELECT id FROM jobs WHERE state = 'running'").all() as { id: string }[]).map((r) => r.id);
  }

  recentIds(limit: number): string[] {
    return (this.db.prepare('SELECT id FROM jobs ORDER BY started_at DESC LIMIT ?').all(limit) as { id: string }[]).map((r) => r.id);
  }

  load(jobId: string): JobView | null {
    const j = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    if (!j) return null;
    const steps = this.db.prepare('SELECT idx, title, command, state, message FROM job_steps WHERE job_id = ? ORDER BY idx').all(jobId) as {
      idx: number; title: string; command: string; state: StepState; message: string | null;
    }[];
    const state = j.state as JobState;
    return {
      id: j.id!, planId: j.plan_id!, kind: j.kind!, title: j.title!, state, error: j.error, startedAt: j.started_at!, finishedAt: j.finished_at,
      steps: steps.map((s) => ({ index: s.idx, title: s.title, command: s.command, state: s.state, message: s.message })),
      result: j.result ? JSON.parse(j.result) : undefined,
      verification: j.verification ? JSON.parse(j.verification) : null,
      leftover: j.leftover ? JSON.parse(j.leftover) : [],
      parentJobId: j.parent_job_id ?? null,
      recoverable: isRecoverable(state),
    };
  }
}
