// Shown on every page while jobs the console stopped in are waiting for the admin's decision; kept
// live by the job.updated events (api/jobs.ts updates the ['jobs'] query they come from).
import { Alert, Button } from '@mui/material';
import { useJobs } from '../../api/jobs';
import { interruptedBannerText, interruptedJobs } from '../../components/job-words';

export function InterruptedBanner({ onOpenActivity, onActivity }: { onOpenActivity: () => void; onActivity: boolean }) {
  const jobs = useJobs();
  const n = interruptedJobs(jobs.data).length;
  if (n === 0) return null;
  return (
    <Alert
      severity="warning"
      role="status"
      aria-label="Interrupted jobs"
      sx={{ mb: 2 }}
      action={onActivity ? undefined : <Button color="inherit" size="small" onClick={onOpenActivity}>Open Activity</Button>}
    >
      {interruptedBannerText(n)} Nothing was changed on any server since. {onActivity ? 'Review each one below: roll it back or resume it.' : 'Open Activity to roll it back or resume it.'}
    </Alert>
  );
}
