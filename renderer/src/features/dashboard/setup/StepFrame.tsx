// One step of the assistant: what it does, its body, and Back / Skip (saying what skipping means) / Continue.
import type { ReactNode } from 'react';
import { Alert, Box, Button, Stack, Typography } from '@mui/material';
import { STEP_LABELS, SKIP_MEANS, type StepApi } from './progress';
import type { SetupStepId } from '../../../../../shared/features/setup';

export function StepFrame({ id, api, intro, children, onContinue, continueLabel = 'Continue', canContinue = true, blocked }: {
  id: SetupStepId; api: StepApi; intro: ReactNode; children?: ReactNode; onContinue?: () => void; continueLabel?: string; canContinue?: boolean;
  /** Why this step cannot run (an earlier step was skipped): only Back and Skip remain. */
  blocked?: string | null;
}) {
  return (
    <Box component="section" aria-labelledby={`setup-step-${id}`}>
      <Typography variant="h6" component="h2" id={`setup-step-${id}`} gutterBottom>{STEP_LABELS[id]}</Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>{intro}</Typography>
      {blocked ? <Alert severity="info" sx={{ mb: 2 }}>{blocked}</Alert> : children}
      <Stack direction="row" spacing={1} sx={{ mt: 3, alignItems: 'center' }}>
        {id !== 'servers' && <Button onClick={() => void api.back()} disabled={api.busy}>Back</Button>}
        <Button onClick={() => void api.skip()} disabled={api.busy} aria-describedby={`skip-means-${id}`}>Skip this step</Button>
        {onContinue && !blocked && (
          <Button variant="contained" onClick={onContinue} disabled={api.busy || !canContinue}>{continueLabel}</Button>
        )}
      </Stack>
      <Typography id={`skip-means-${id}`} variant="caption" color="text.secondary" component="p" sx={{ mt: 1 }}>{SKIP_MEANS[id]}</Typography>
    </Box>
  );
}
