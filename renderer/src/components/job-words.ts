// Words for plans and jobs, kept pure so they are tested without a browser: what each job state
// means for the admin, which jobs need attention, and whether a reviewed plan may be applied.
import type { JobState, JobView, PlanView } from '../../../shared/plan';

export type Severity = 'success' | 'info' | 'warning' | 'error';

const LABEL: Record<JobState, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  'verification-failed': 'Applied, not verified',
  failed: 'Failed, rolled back',
  cancelled: 'Cancelled, rolled back',
  'rollback-failed': 'Rollback incomplete',
  interrupted: 'Interrupted',
  'rolled-back': 'Rolled back',
  resumed: 'Resumed',
};

const COLOR: Record<JobState, 'info' | 'success' | 'warning' | 'error' | 'default'> = {
  running: 'info',
  succeeded: 'success',
  'verification-failed': 'error',
  failed: 'error',
  cancelled: 'warning',
  'rollback-failed': 'error',
  interrupted: 'warning',
  'rolled-back': 'default',
  resumed: 'success',
};

/** A short label for a chip or a list. */
export function jobStateLabel(s: JobState): string {
  return LABEL[s];
}

export function jobStateColor(s: JobState) {
  return COLOR[s];
}

/** What was found on the server, as text for people (strings as they are, objects as indented JSON). */
export function formatFound(found: unknown): string | null {
  if (found === undefined || found === null || found === '') return null;
  if (typeof found === 'string') return found;
  try {
    return JSON.stringify(found, null, 2);
  } catch {
    return String(found);
  }
}

export interface JobSummary {
  severity: Severity;
  /** One sentence: what happened. */
  title: string;
  /** More lines: the reason, what is left where, what to do next. */
  lines: string[];
}

/** The job's outcome in words, for the result step of a wizard and the Activity page. */
export function jobSummary(job: JobView): JobSummary {
  const n = job.steps.length;
  const undone = job.steps.filter((s) => s.state === 'undone').length;
  const doubt = job.steps.filter((s) => s.state === 'in-doubt').length;
  switch (job.state) {
    case 'running':
      return { severity: 'info', title: `Running: ${job.steps.filter((s) => s.state === 'done').length} of ${n} steps done.`, lines: [] };
    case 'succeeded':
      return {
        severity: 'success',
        title: `All ${n} steps done.`,
        lines: [
          ...(job.parentJobId ? ['The rollback is complete: the servers are as before the job it rolled back.'] : []),
          ...(job.verification?.ok ? ['The read-back from the server agrees with the plan.'] : []),
        ],
      };
    case 'verification-failed':
      return {
        severity: 'error',
        title: `Applied, but the read-back disagrees with the plan: ${job.verification?.reason ?? job.error ?? 'no reason given'}.`.replace(/\.\.$/, '.'),
        lines: ['The changes are in place on the server. Check what was found below; roll the job back if it is not what you wanted.'],
      };
    case 'failed':
      return {
        severity: 'error',
        title: job.error ?? 'The job failed.',
        lines: [undone ? `Rolled back: ${undone} step${undone === 1 ? '' : 's'} undone in reverse; the servers are as before the job.` : 'Nothing had taken effect: the servers are as before the job.'],
      };
    case 'cancelled':
      return { severity: 'warning', title: job.error ?? 'Cancelled by the admin; what had taken effect was undone.', lines: [] };
    case 'rollback-failed':
      return {
        severity: 'error',
        title: 'The job failed and its rollback is incomplete: something is left on a server.',
        lines: [
          ...(job.error ? [job.error.replace(/\s*Rollback incomplete:.*$/s, '')].filter(Boolean) : []),
          'Review the plan that finishes the rollback; each undo is idempotent, so running it again is safe.',
        ],
      };
    case 'interrupted':
      return {
        severity: 'warning',
        title: 'Interrupted: the console stopped while this job ran.',
        lines: [
          doubt ? `${doubt} step${doubt === 1 ? ' is' : 's are'} in doubt: it may have taken effect in part; the rollback checks the live server first.` : 'No step was in progress when it stopped.',
          'Nothing was changed on any server at start. Review its rollback plan, or resume it if the server still allows.',
        ],
      };
    case 'rolled-back':
      return {
        severity: 'info',
        title: 'Rolled back: the servers are as before this job.',
        lines: [
          // Main names the rollback job by its id; people know it by its title ("Roll back ..."), listed on the same page.
          ...(job.error ? [job.error.replace(/^Rolled back by job [0-9a-f-]{8,}\.$/i, 'Its rollback plan ran as a job of its own ("Roll back …", listed on the Activity page).')] : []),
          'The steps below show how far the job had got when it stopped.',
        ],
      };
    case 'resumed':
      return { severity: 'success', title: 'Finished after a resume.', lines: job.error ? [job.error] : [] };
  }
}

/** States that need the admin's decision: listed first on the Activity page. */
export const ATTENTION: readonly JobState[] = ['interrupted', 'rollback-failed', 'verification-failed'];

export function needsAttention(job: JobView): boolean {
  return job.state === 'interrupted' || (ATTENTION.includes(job.state) && job.recoverable && job.parentJobId === null);
}

/** Jobs needing attention first (interrupted before the others), then the rest, newest first within each group. */
export function sortForAttention(jobs: readonly JobView[]): JobView[] {
  const rank = (j: JobView) => (needsAttention(j) ? ATTENTION.indexOf(j.state) : ATTENTION.length);
  return jobs
    .map((j, i) => ({ j, i }))
    .sort((a, b) => rank(a.j) - rank(b.j) || a.i - b.i)
    .map((x) => x.j);
}

export function interruptedJobs(jobs: readonly JobView[] | undefined): JobView[] {
  return (jobs ?? []).filter((j) => j.state === 'interrupted');
}

/** "N job(s) were interrupted when the console stopped", in good English. */
export function interruptedBannerText(n: number): string {
  return n === 1 ? '1 job was interrupted when the console stopped.' : `${n} jobs were interrupted when the console stopped.`;
}

/**
 * Which job a rollback plan is built from: the job itself when main says it is recoverable; for a
 * rollback job that stopped half-way, the job it rolled back (its undo is idempotent). null: none.
 */
export function rollbackSource(job: JobView): string | null {
  if (job.state === 'running') return null;
  if (job.state === 'rollback-failed' && job.parentJobId) return job.parentJobId;
  return job.recoverable ? job.id : null;
}

export function canResume(job: JobView): boolean {
  return job.state === 'interrupted' && job.recoverable;
}

// ---------------------------------------------------------------- plans

export interface PlanGateState {
  expired: boolean;
  /** The plan lowers protection and the admin has not ticked "I understand" yet. */
  needsConfirm: boolean;
  canApply: boolean;
  /** Why Apply is disabled, in words (null when it is enabled). */
  blocked: string | null;
}

export const EXPIRED_LABEL = 'This plan expired: build it again';

export function planGate(plan: Pick<PlanView, 'dangers' | 'expiresAt'>, confirmed: boolean, now: number): PlanGateState {
  const expired = Date.parse(plan.expiresAt) <= now;
  const needsConfirm = plan.dangers.length > 0 && !confirmed;
  const blocked = expired ? `${EXPIRED_LABEL}.` : needsConfirm ? 'Tick "I understand: this plan lowers protection" to apply it.' : null;
  return { expired, needsConfirm, canApply: blocked === null, blocked };
}

/** "until 14:32 (29 min left)": how long main keeps the plan and its secrets. */
export function expiryText(expiresAt: string, now: number, locale?: string): string {
  const t = Date.parse(expiresAt);
  const at = new Date(t).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const left = t - now;
  if (left <= 0) return `expired at ${at}`;
  const min = Math.floor(left / 60_000);
  return `until ${at} (${min < 1 ? 'less than a minute' : `${min} min`} left)`;
}
