import { Alert, Button, FormControlLabel, Paper, Stack, Switch, Typography } from '@mui/material';
import type { PlanView } from '../../../../shared/plan';
import { ApiError } from '../../api/client';
import { PlanReview } from '../../components/PlanReview';
import { REPLAN_CODES } from '../../components/PlanRunner';
import type { HeWizard } from './useHostedEngineWizard';

/** Review step: whether to write hosted-engine.conf too (re-plans), and the plan to apply. */
export function ReviewStep({ w, plan }: { w: HeWizard; plan: PlanView }) {
  const { f, set, busy, iscsi, gate, runner, makePlan } = w;
  return (
    <Stack spacing={2}>
      <Paper variant="outlined" sx={{ p: 2 }}>
        <FormControlLabel
          control={<Switch checked={f.writeConf} disabled={!!busy} onChange={(e) => { set({ writeConf: e.target.checked }); void makePlan(e.target.checked); }} />}
          label="Also write the storage keys into /etc/ovirt-hosted-engine/hosted-engine.conf on the host"
        />
        {iscsi && (
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {f.loginPassword
              ? 'CHAP passwords appear as ****** here and are never put in the answer file; hosted-engine setup asks for them. If you write hosted-engine.conf, the login CHAP password goes into it in clear text, as oVirt requires (see the note below).'
              : 'No login CHAP: hosted-engine.conf will hold no password. (With login CHAP, oVirt keeps that password in clear text in hosted-engine.conf.)'}
          </Typography>
        )}
      </Paper>
      <PlanReview plan={plan} gate={gate} />
      {runner.error && (
        <Alert severity="error" role="alert"
          action={runner.error instanceof ApiError && REPLAN_CODES.includes(runner.error.code) ? <Button color="inherit" onClick={() => void makePlan()}>Build it again</Button> : undefined}>
          {runner.error.message}
        </Alert>
      )}
    </Stack>
  );
}
