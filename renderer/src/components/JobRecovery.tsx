// Recovery of a job that did not end cleanly (interrupted, rollback incomplete, not verified): asks
// main to build the rollback or resume plan (jobs.rollback / jobs.resume), then shows it in a
// dialog for review -> apply -> progress like any plan. Nothing changes before Apply is clicked.
import { useState } from 'react';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import type { JobView, PlanView } from '../../../shared/plan';
import { call } from '../api/client';
import { canResume, rollbackSource } from './job-words';
import { PlanRunner } from './PlanRunner';

type Mode = 'rollback' | 'resume';

export function JobRecovery({ job }: { job: JobView }) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState<Mode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [plan, setPlan] = useState<PlanView | null>(null);
  const source = rollbackSource(job);
  const resumable = canResume(job);

  const build = async (mode: Mode) => {
    setBusy(mode);
    setError(null);
    try {
      setPlan(mode === 'rollback' ? await call('jobs.rollback', { jobId: source! }) : await call('jobs.resume', { jobId: job.id }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const close = () => {
    if (plan) void call('plans.discard', { planId: plan.id }).catch(() => undefined);
    setPlan(null);
    void qc.invalidateQueries({ queryKey: ['jobs'] });
  };

  const rollbackLabel = job.state === 'rollback-failed' ? 'Review the plan to finish the rollback' : 'Review rollback';
  const show = source !== null || resumable;
  return (
    <>
      {show && (
        <Stack direction="row" spacing={1} aria-label="Recovery">
          {source !== null && (
            <Button variant={job.state === 'verification-failed' ? 'outlined' : 'contained'} disabled={busy !== null} onClick={() => void build('rollback')}>
              {busy === 'rollback' ? 'Building the rollback plan…' : rollbackLabel}
            </Button>
          )}
          {resumable && (
            <Button variant="outlined" disabled={busy !== null} onClick={() => void build('resume')}>
              {busy === 'resume' ? 'Checking the server…' : 'Resume'}
            </Button>
          )}
        </Stack>
      )}
      {error && (
        <Alert severity="warning" role="alert" onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      <Dialog open={!!plan} onClose={(_e, reason) => reason !== 'backdropClick' && close()} maxWidth="lg" fullWidth aria-labelledby={`recovery-${job.id}`}>
        <DialogTitle id={`recovery-${job.id}`}>{plan?.resumeOf ? 'Review resume' : job.state === 'rollback-failed' ? 'Finish the rollback' : 'Review rollback'}</DialogTitle>
        <DialogContent dividers>{plan && <RecoveryRunner plan={plan} onReplan={() => void build(plan.resumeOf ? 'resume' : 'rollback')} />}</DialogContent>
        <DialogActions>
          <Button onClick={close}>Close</Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

function RecoveryRunner({ plan, onReplan }: { plan: PlanView; onReplan: () => void }) {
  // Keyed so a rebuilt plan starts a fresh review (box unticked, no old job).
  return <PlanRunner key={plan.id} plan={plan} onReplan={onReplan} applyLabel={plan.rollbackOf ? 'Apply rollback' : plan.resumeOf ? 'Apply resume' : 'Apply'} />;
}
