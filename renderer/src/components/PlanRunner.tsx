// Review -> Apply for any plan main built: shows the plan, applies it by id (with the admin's
// "I understand" when it lowers protection), follows the job live.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, Stack } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import type { JobView, PlanView } from '../../../shared/plan';
import { ApiError, call } from '../api/client';
import { useJob } from '../api/jobs';
import { JobProgress } from './JobProgress';
import { ApplyButton, PlanReview, StickyActions, usePlanGate, type PlanGate } from './PlanReview';

/** Errors of plans.apply that mean "build the plan again". */
export const REPLAN_CODES = ['plan-stale', 'plan-expired'];

export function usePlanApply() {
  const qc = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const job = useJob(jobId);
  /** Applies a plan; `gate` carries the admin's confirmation of its dangers. Resolves false when main refused. */
  const apply = async (plan: PlanView, gate: Pick<PlanGate, 'confirmed'>): Promise<boolean> => {
    setError(null);
    try {
      const r = await call('plans.apply', { planId: plan.id, ...(plan.dangers.length ? { confirmDangers: gate.confirmed } : {}) });
      setJobId(r.jobId);
      return true;
    } catch (e) {
      setError(e as Error);
      return false;
    }
  };
  const data: JobView | null = job.data ?? null;
  return { apply, job: data, error, reset: () => { setJobId(null); setError(null); void qc.invalidateQueries(); } };
}

/** Plan review with an Apply button (always visible); then the job's live progress. */
/**
 * `onFinished` runs once when the job ends (any state but running); `after` renders below the
 * finished job (a result the admin needs now, e.g. a generated secret shown once).
 */
export function PlanRunner({ plan, onReplan, applyLabel = 'Apply', onFinished, after }: {
  plan: PlanView; onReplan?: () => void; applyLabel?: string; onFinished?: (job: JobView) => void; after?: (job: JobView) => ReactNode;
}) {
  const { apply, job, error } = usePlanApply();
  const gate = usePlanGate(plan);
  const [busy, setBusy] = useState(false);
  const finished = job && job.state !== 'running' ? job.id : null;
  // Keyboard users land on the review's first decision: the "I understand" box of a danger, else Apply.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current?.querySelector<HTMLElement>('[role="alert"][aria-label="This plan lowers protection"] input[type="checkbox"]') ?? box.current?.querySelector<HTMLElement>('[data-testid="sticky-actions"] button');
    el?.focus();
  }, [plan.id]);
  useEffect(() => {
    if (finished && job) onFinished?.(job);
    // Once per finished job.
  }, [finished]);
  if (job)
    return (
      <Stack spacing={2}>
        <JobProgress job={job} />
        {job.state !== 'running' && after?.(job)}
      </Stack>
    );
  const replan = error instanceof ApiError && REPLAN_CODES.includes(error.code) && onReplan;
  return (
    <Stack spacing={2} ref={box}>
      <PlanReview plan={plan} gate={gate} />
      {error && (
        <Alert severity="error" role="alert" action={replan ? <Button color="inherit" onClick={onReplan}>Build it again</Button> : undefined}>
          {error.message}
        </Alert>
      )}
      <StickyActions>
        <ApplyButton
          gate={gate}
          busy={busy}
          label={applyLabel}
          onClick={() => {
            setBusy(true);
            void apply(plan, gate).finally(() => setBusy(false));
          }}
        />
        {gate.expired && onReplan && <Button onClick={onReplan}>Build the plan again</Button>}
      </StickyActions>
    </Stack>
  );
}
