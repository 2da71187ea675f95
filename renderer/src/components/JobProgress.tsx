// Apply step shared by every wizard: a job's steps live, with cancel while it runs.
import { Alert, Box, Button, LinearProgress, List, ListItem, ListItemIcon, ListItemText, Stack } from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import type { JobView } from '../../../shared/plan';
import { call } from '../api/client';
import { StepStateIcon, stepStateLabel } from './StepStateIcon';

export function JobProgress({ job }: { job: JobView }) {
  const cancel = useMutation({ mutationFn: () => call('jobs.cancel', { jobId: job.id }) });
  const finished = job.steps.filter((s) => s.state !== 'pending' && s.state !== 'running').length;
  const pct = job.state === 'running' ? (100 * finished) / Math.max(1, job.steps.length) : 100;
  return (
    <Stack spacing={2} aria-label="Job progress">
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
        <Box sx={{ flexGrow: 1 }}>
          <LinearProgress variant="determinate" value={pct} aria-label="Progress" color={job.state === 'failed' ? 'error' : job.state === 'succeeded' ? 'success' : 'primary'} />
        </Box>
        {job.state === 'running' && (
          <Button size="small" color="warning" variant="outlined" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            Cancel
          </Button>
        )}
      </Box>
      {job.state === 'succeeded' && <Alert severity="success">All {job.steps.length} steps done.</Alert>}
      {job.state === 'failed' && <Alert severity="error">{job.error}</Alert>}
      {job.state === 'cancelled' && <Alert severity="warning">{job.error}</Alert>}
      <List dense aria-label="Job steps">
        {job.steps.map((s) => (
          <ListItem key={s.index} divider>
            <ListItemIcon sx={{ minWidth: 34 }}>
              <StepStateIcon state={s.state} />
            </ListItemIcon>
            <ListItemText
              primary={`${s.index + 1}. ${s.title}`}
              secondary={s.message ? `${stepStateLabel(s.state)}: ${s.message}` : stepStateLabel(s.state)}
            />
          </ListItem>
        ))}
      </List>
    </Stack>
  );
}
