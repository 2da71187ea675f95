// Review -> Apply for any plan main built: shows the plan, applies it by id, follows the job live.
import { useState } from 'react';
import { Alert, Button, Stack } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import type { JobView, PlanView } from '../../../shared/plan';
import { ApiError, call } from '../api/client';
import { useJob } from '../api/jobs';
import { JobProgress } from './JobProgress';
import { PlanReview } from './PlanReview';

export function usePlanApply() {
  const qc = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const job = useJob(jobId);
  const apply = async (plan: PlanView) => {
    setError(null);
    try {
      const r = await call('plans.apply', { planId: plan.id });
      setJobId(r.jobId);
    } catch (e) {
      setError(e as Error);
    }
  };
  const data: JobView | null = job.data ?? null;
  return { apply, job: data, error, reset: () => { setJobId(null); setError(null); void qc.invalidateQueries(); } };
}

/** Plan review with an Apply button; then the job's live progress. */
export function PlanRunner({ plan, onReplan, applyLabel = 'Apply' }: { plan: PlanView; onReplan?: () => void; applyLabel?: string }) {
  const { apply, job, error } = usePlanApply();
  const [busy, setBusy] = useState(false);
  if (job) return <JobProgress job={job} />;
  return (
    <Stack spacing={2}>
      <PlanReview plan={plan} />
      {error && (
        <Alert severity="error" action={error instanceof ApiError && error.code === 'plan-stale' && onReplan ? <Button color="inherit" onClick={onReplan}>Re-plan</Button> : undefined}>
          {error.message}
        </Alert>
      )}
      <Stack direction="row" spacing={1}>
        <Button variant="contained" disabled={busy} onClick={() => { setBusy(true); void apply(plan).finally(() => setBusy(false)); }}>
          {applyLabel}
        </Button>
      </Stack>
    </Stack>
  );
}
