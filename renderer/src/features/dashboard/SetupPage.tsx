// The first-time setup assistant: seven steps from nothing to a verified target, each skippable,
// every server change a reviewed plan; the progress lives in main, so it resumes after a restart.
import { Alert, Box, Button, Paper, Step, StepLabel, Stepper, Typography } from '@mui/material';
import { SETUP_STEPS, type SetupStepId } from '../../../../shared/features/setup';
import { PageHeader } from '../../components/PageHeader';
import { pageHref } from '../../app/routes';
import { STEP_LABELS, useSetupProgress, type StepApi } from './setup/progress';
import { ServersStep } from './setup/ServersStep';
import { SettingsStep } from './setup/SettingsStep';
import { TargetStep } from './setup/TargetStep';
import { HypervisorsStep } from './setup/HypervisorsStep';
import { AccessStep } from './setup/AccessStep';
import { PathsStep } from './setup/PathsStep';
import { NextStep } from './setup/NextStep';

const BODIES: Record<SetupStepId, (p: { api: StepApi }) => React.ReactNode> = {
  servers: ServersStep, settings: SettingsStep, target: TargetStep, hypervisors: HypervisorsStep, access: AccessStep, paths: PathsStep, next: NextStep,
};

export function SetupPage() {
  const s = useSetupProgress();
  const p = s.query.data;
  const current = p?.current ?? 'servers';
  const api = s.step(current);
  const Body = BODIES[current];
  return (
    <>
      <PageHeader title="Setup assistant" subtitle="From nothing to a verified target: storage server, target, hypervisors, access, paths." actions={p && <Button onClick={() => void s.reset()}>Start over</Button>} />
      {s.query.error && <Alert severity="error">{s.query.error.message}</Alert>}
      {s.error && <Alert severity="error" sx={{ mb: 2 }}>{s.error.message}</Alert>}
      {p && (
        <>
          <Stepper activeStep={SETUP_STEPS.indexOf(current)} alternativeLabel sx={{ mb: 3 }} aria-label="Setup steps">
            {SETUP_STEPS.map((id) => (
              <Step key={id} completed={p.steps[id].status === 'done'} data-status={p.steps[id].status}>
                <StepLabel optional={p.steps[id].status === 'skipped' ? <Typography variant="caption" color="text.secondary">skipped</Typography> : undefined} aria-current={id === current ? 'step' : undefined}>
                  {STEP_LABELS[id]}
                </StepLabel>
              </Step>
            ))}
          </Stepper>
          {p.finished ? (
            <Paper variant="outlined" sx={{ p: 3 }}>
              <Typography variant="h6" component="h2" gutterBottom>Setup finished</Typography>
              {SETUP_STEPS.map((id) => (
                <Typography key={id} variant="body2"><b>{STEP_LABELS[id]}</b>: {p.steps[id].status === 'pending' ? 'not done' : p.steps[id].note ?? p.steps[id].status}</Typography>
              ))}
              <Box sx={{ mt: 2, display: 'flex', gap: 1 }}>
                <Button variant="contained" href={pageHref('dashboard')}>Open the dashboard</Button>
                <Button onClick={() => void s.go('servers')}>Go through it again</Button>
              </Box>
            </Paper>
          ) : (
            <Paper variant="outlined" sx={{ p: 3 }}>{api && <Body key={current} api={api} />}</Paper>
          )}
        </>
      )}
    </>
  );
}
