// Apply step shared by every wizard and the Activity page: a job's steps live, with cancel while it
// runs, then its outcome in words (every job state), what verification found, what a failed
// rollback left on which server, and the way to recover.
import { Alert, AlertTitle, Box, Button, LinearProgress, List, ListItem, ListItemIcon, ListItemText, Paper, Stack, Typography } from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import type { JobView } from '../../../shared/plan';
import { ApiError, call } from '../api/client';
import { useJob } from '../api/jobs';
import { formatFound, jobSummary } from './job-words';
import { JobRecovery } from './JobRecovery';
import { StepStateIcon, stepStateLabel } from './StepStateIcon';

export function JobOutcome({ job }: { job: JobView }) {
  if (job.state === 'running') return null;
  const s = jobSummary(job);
  const found = job.state === 'verification-failed' ? formatFound(job.verification?.found) : null;
  return (
    <Stack spacing={1.5} aria-label="Job outcome">
      <Alert severity={s.severity} role={s.severity === 'error' || s.severity === 'warning' ? 'alert' : 'status'}>
        <AlertTitle sx={{ mb: s.lines.length ? 0.5 : 0 }}>{s.title}</AlertTitle>
        {s.lines.map((l) => (
          <Box key={l}>{l}</Box>
        ))}
      </Alert>
      {found && (
        <Box>
          <Typography variant="subtitle2">What the read-back found</Typography>
          <Paper variant="outlined" component="pre" aria-label="What the read-back found" sx={{ p: 1.5, m: 0, fontSize: 12.5, overflow: 'auto', maxHeight: 240, whiteSpace: 'pre-wrap' }}>
            {found}
          </Paper>
        </Box>
      )}
      {job.leftover.length > 0 && (
        <Box>
          <Typography variant="subtitle2">Left on the servers</Typography>
          <Paper variant="outlined" sx={{ px: 1.5, py: 0.5 }}>
            <Box component="ul" aria-label="Left on the servers" sx={{ m: 0, pl: 2.5 }}>
              {job.leftover.map((l) => (
                <Typography component="li" variant="body2" key={l} sx={{ py: 0.4, wordBreak: 'break-word' }}>
                  {l}
                </Typography>
              ))}
            </Box>
          </Paper>
        </Box>
      )}
      <JobRecovery job={job} />
    </Stack>
  );
}

export function JobProgress({ job }: { job: JobView }) {
  const cancel = useMutation({ mutationFn: () => call('jobs.cancel', { jobId: job.id }) });
  const finished = job.steps.filter((s) => s.state !== 'pending' && s.state !== 'running').length;
  const pct = (100 * finished) / Math.max(1, job.steps.length);
  // A running job is polled: if the console stops answering, say so instead of "Running" forever.
  const live = useJob(job.state === 'running' ? job.id : null);
  const lost = job.state === 'running' && live.isError;
  return (
    <Stack spacing={2} aria-label="Job progress">
      {lost && (
        <Alert severity="error" role="alert">
          <AlertTitle>The console does not answer</AlertTitle>
          {live.error instanceof ApiError ? `${live.error.message} ` : ''}If it stopped, this job was interrupted where the steps below show. Start the console again and open
          Activity: the job is listed there as interrupted, with its rollback plan to review. Nothing changes on a server until you apply it.
        </Alert>
      )}
      {job.state === 'running' && !lost && (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
          <Box sx={{ flexGrow: 1 }}>
            <LinearProgress variant="determinate" value={pct} aria-label="Progress" />
          </Box>
          <Button size="small" color="warning" variant="outlined" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            Cancel
          </Button>
        </Box>
      )}
      <JobOutcome job={job} />
      <List dense aria-label="Job steps">
        {job.steps.map((s) => (
          <ListItem key={s.index} divider>
            <ListItemIcon sx={{ minWidth: 34 }}>
              <StepStateIcon state={lost && s.state === 'running' ? 'in-doubt' : s.state} />
            </ListItemIcon>
            <ListItemText
              primary={`${s.index + 1}. ${s.title}`}
              secondary={
                lost && s.state === 'running' ? 'Was running when the console stopped answering: it may have taken effect in part.'
                : s.message ? `${stepStateLabel(s.state)}: ${s.message}` : stepStateLabel(s.state)
              }
            />
          </ListItem>
        ))}
      </List>
    </Stack>
  );
}
