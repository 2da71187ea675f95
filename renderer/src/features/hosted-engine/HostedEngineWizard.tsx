// Hosted-engine storage wizard: Host -> Storage -> Portals -> Target -> LUN -> Review -> Apply ->
// Result. Discovery, login and the LUN table run through VDSM on the chosen host (main); the
// plan is built and applied by main. CHAP passwords leave this form only as call inputs.
import { Alert, Button, Paper, Stack, Step, StepLabel, Stepper, Typography } from '@mui/material';
import type { HostView } from '../../../../shared/features/hosts';
import { JobProgress } from '../../components/JobProgress';
import { ApplyButton } from '../../components/PlanReview';
import { HostStep } from './HostStep';
import { LunStep } from './LunStep';
import { PortalsStep } from './PortalsStep';
import { ResultPanel } from './ResultPanel';
import { ReviewStep } from './ReviewStep';
import { StorageStep } from './StorageStep';
import { TargetStep } from './TargetStep';
import { useHostedEngineWizard } from './useHostedEngineWizard';
import { APPLY, HE_STEPS, HOST, LUN, PORTALS, RESULT, REVIEW, STORAGE, stepOf, TARGET } from './wizard-model';

export function HostedEngineWizard({ hosts, onDone }: { hosts: HostView[]; onDone: () => void }) {
  const w = useHostedEngineWizard(hosts);
  const { step, setStep, f, errors, busy, iscsi, host, disc, luns, plan, gate, job, result, stepAlerts, discover, connect, makePlan, next, back, apply } = w;

  return (
    <Paper variant="outlined" sx={{ p: 3 }} aria-label="Hosted engine storage">
      <Typography variant="h6" component="h2" sx={{ mb: 2 }}>
        Hosted-engine storage{host ? ` on ${host.name}` : ''}
      </Typography>
      <Stepper activeStep={step} sx={{ mb: 3 }}>
        {HE_STEPS.map((s, i) => (
          <Step key={s} completed={i < step} disabled={!iscsi && i >= PORTALS && i <= LUN}>
            <StepLabel aria-current={i === step ? 'step' : undefined} error={Object.keys(errors).some((k) => stepOf(k) === i)}
              optional={!iscsi && i >= PORTALS && i <= LUN ? <Typography variant="caption">iSCSI only</Typography> : undefined}>
              {s}
            </StepLabel>
          </Step>
        ))}
      </Stepper>
      {errors._form && <Alert severity="error" sx={{ mb: 2, whiteSpace: 'pre-line' }}>{errors._form}</Alert>}
      {stepAlerts.map(([k, m]) => (
        <Alert key={k} severity="error" sx={{ mb: 2 }}>{m}</Alert>
      ))}

      {step === HOST && <HostStep w={w} hosts={hosts} />}
      {step === STORAGE && <StorageStep w={w} />}
      {step === PORTALS && <PortalsStep w={w} />}
      {step === TARGET && disc && <TargetStep w={w} disc={disc} />}
      {step === LUN && luns && <LunStep w={w} luns={luns} />}
      {step === REVIEW && plan && <ReviewStep w={w} plan={plan} />}
      {step === APPLY && job && <JobProgress job={job} />}
      {step === RESULT && result && ('verifyError' in result ? <Alert severity="error">The storage is in place, but reading the result failed: {result.verifyError}</Alert> : <ResultPanel r={result} />)}

      <Stack direction="row" spacing={1} sx={{ mt: 3 }}>
        {step > HOST && step < APPLY && <Button onClick={back} disabled={!!busy}>Back</Button>}
        {(step === HOST || (step === STORAGE && iscsi)) && <Button variant="contained" onClick={next}>Next</Button>}
        {step === STORAGE && !iscsi && <Button variant="contained" onClick={next} disabled={!!busy}>{busy === 'plan' ? 'Planning…' : 'Review plan'}</Button>}
        {step === PORTALS && <Button variant="contained" onClick={() => void discover()} disabled={!!busy}>{busy === 'discover' ? 'Discovering…' : 'Discover'}</Button>}
        {step === TARGET && disc && disc.targets.length > 0 && (
          <Button variant="contained" onClick={() => void connect()} disabled={!!busy || f.targetIndex === null}>{busy === 'connect' ? 'Logging in…' : 'Log in and list LUNs'}</Button>
        )}
        {step === LUN && <Button variant="contained" onClick={() => void makePlan()} disabled={!!busy || !f.lunGuid}>{busy === 'plan' ? 'Planning…' : 'Review plan'}</Button>}
        {step === REVIEW && <ApplyButton gate={gate} busy={!!busy} onClick={() => void apply()} />}
        {step === REVIEW && gate.expired && <Button onClick={() => void makePlan()} disabled={!!busy}>Build the plan again</Button>}
        {step === APPLY && job?.state === 'succeeded' && <Button variant="contained" onClick={() => setStep(RESULT)}>Show result</Button>}
        {step >= APPLY && job && job.state !== 'running' && <Button onClick={onDone}>Close</Button>}
      </Stack>
    </Paper>
  );
}
