// CHAP on an existing target: add an account (incoming, or the mutual one), rotate an account's
// secret, remove an account. Main generates new secrets; the one a job generated is fetched once
// (targets.chapReveal) and shown in this dialog only, with copy: it is kept in this component's
// state, never in the query cache, and is gone when the dialog closes.
import { useEffect, useRef, useState } from 'react';
import { Alert, AlertTitle, Box, Button, FormControlLabel, Stack, Switch, TextField, Typography } from '@mui/material';
import type { ChapRevealView, TargetDetailView } from '../../../../../shared/features/targets';
import { ChapActionInputSchema, type ChapActionInput } from '../../../../../shared/domain/target-actions';
import type { JobView } from '../../../../../shared/plan';
import { call } from '../../../api/client';
import { PlanDialog, schemaErrors } from '../../../components/PlanDialog';

export type ChapAction = { action: 'add' } | { action: 'rotate' | 'remove'; user: string; mutual: boolean };

/** The secret the job generated, fetched once when the job succeeded. */
function SecretOnce({ job }: { job: JobView }) {
  const [shown, setShown] = useState<ChapRevealView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const asked = useRef(false);
  useEffect(() => {
    if (job.state !== 'succeeded' || asked.current) return;
    asked.current = true;
    call('targets.chapReveal', { jobId: job.id }).then(setShown, (e: Error) => setError(e.message));
  }, [job]);
  if (job.state !== 'succeeded') return null;
  if (error) return <Alert severity="error">The new secret could not be shown: {error}</Alert>;
  if (!shown) return null;
  const copy = async () => {
    await navigator.clipboard.writeText(shown.secret);
    setCopied(true);
  };
  return (
    <Alert severity="success" icon={false} aria-label="New CHAP secret">
      <AlertTitle>New {shown.mutual ? 'mutual (target) ' : ''}CHAP secret of {shown.user}: shown this once</AlertTitle>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', my: 1 }}>
        <Box component="code" data-testid="chap-secret" sx={{ fontSize: 18, letterSpacing: 1, px: 1.5, py: 0.5, border: 1, borderColor: 'divider', borderRadius: 1 }}>{shown.secret}</Box>
        <Button variant="outlined" onClick={() => void copy()}>{copied ? 'Copied' : 'Copy'}</Button>
      </Stack>
      <Typography variant="body2">
        Give it to the initiators that log in as {shown.user} now. Portico does not show it again: after you close this dialog it is only ******. Initiators using the old secret can no longer log in.
      </Typography>
    </Alert>
  );
}

export function ChapDialog({ target, what, onClose }: { target: TargetDetailView; what: ChapAction; onClose: () => void }) {
  const short = target.iqn.replace(/^.*:/, '') || 'target';
  const [user, setUser] = useState(`${short}-user`);
  const [mutual, setMutual] = useState(false);
  const hasIncoming = target.access.chapUsers.length > 0;
  const input: ChapActionInput =
    what.action === 'add'
      ? { serverId: target.serverId, iqn: target.iqn, action: 'add', user: user.trim(), mutual }
      : { serverId: target.serverId, iqn: target.iqn, action: what.action, user: what.user, mutual: what.mutual };
  const title =
    what.action === 'add' ? `Add CHAP account: ${target.iqn}`
    : what.action === 'rotate' ? `Rotate CHAP secret of ${what.user}: ${target.iqn}`
    : `Remove CHAP account ${what.user}: ${target.iqn}`;
  return (
    <PlanDialog title={title} input={input} validate={schemaErrors(ChapActionInputSchema)} plan={(i) => call('targets.planChap', i)} onClose={onClose}
      after={(job) => (what.action === 'remove' ? null : <SecretOnce job={job} />)}>
      {(errors) => (
        <Stack spacing={2} sx={{ maxWidth: 640 }}>
          {what.action === 'add' && (
            <>
              <FormControlLabel control={<Switch checked={mutual} onChange={(e) => { setMutual(e.target.checked); setUser(`${short}-${e.target.checked ? 'target' : 'user'}`); }} disabled={!hasIncoming && !mutual} />}
                label={hasIncoming ? 'Mutual account (the target proves itself to the initiator)' : 'Mutual account (needs an incoming account first)'} />
              <TextField label={mutual ? 'Target CHAP user' : 'CHAP user'} value={user} onChange={(e) => setUser(e.target.value)} autoFocus error={!!errors.user} helperText={errors.user ?? 'Letters, digits and . _ @ + = -'} />
              <Typography variant="body2" color="text.secondary">Portico generates the secret on the console (16 characters) and shows it once, after the job.</Typography>
            </>
          )}
          {what.action === 'rotate' && (
            <Typography>
              Portico generates a new secret for {what.mutual ? 'the mutual (target) account' : 'account'} {what.user} and binds it in place of the old one; it is shown once after the job.
              Initiators logging in with the old secret are refused from then on (connected sessions stay until they log out).
            </Typography>
          )}
          {what.action === 'remove' && (
            <Alert severity="warning">
              {what.mutual
                ? `Without the mutual account ${what.user}, initiators can no longer check the target's identity.`
                : `Account ${what.user} is unbound from this target${target.access.chapUsers.length === 1 ? ': with no CHAP account left, every initiator the rules admit logs in without a secret' : ''}. The review shows what this lowers as a danger to confirm.`}
            </Alert>
          )}
          {errors.action && <Alert severity="error">{errors.action}</Alert>}
        </Stack>
      )}
    </PlanDialog>
  );
}
