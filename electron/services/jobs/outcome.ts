// A finished job's state and its sentence, from what happened: the failure, a cancel, what the
// rollback left, the read-back.
import type { JobState, JobView } from '../../../shared/plan';

export function jobOutcome(
  v: Pick<JobView, 'leftover' | 'verification'>,
  failure: string | null,
  cancelled: boolean,
  isRollbackPlan: boolean,
): { state: JobState; error: string | null; recoverable: boolean } {
  let state: JobState;
  if (failure || cancelled) state = v.leftover.length ? 'rollback-failed' : failure ? 'failed' : 'cancelled';
  else state = v.verification && !v.verification.ok ? 'verification-failed' : 'succeeded';
  const why = failure ?? (cancelled ? 'Cancelled by the admin' : null);
  const error =
    state === 'verification-failed' ? `Applied, but the read-back disagrees: ${v.verification!.reason}` :
    state === 'rollback-failed' ? `${why}. Rollback incomplete: ${v.leftover.join(' ')}` :
    state === 'cancelled' ? 'Cancelled by the admin; what had taken effect was undone.' :
    failure ? `${failure}${isRollbackPlan ? '' : ' Everything it had done was undone.'}` : null;
  return { state, error, recoverable: ['rollback-failed', 'verification-failed'].includes(state) && !isRollbackPlan };
}
