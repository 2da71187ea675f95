// Closing sessions (before maintenance) and renaming a target's alias/comment, each a reviewed plan.
import { useState } from 'react';
import { Alert, Checkbox, FormControlLabel, Stack, TextField, Typography } from '@mui/material';
import type { TargetDetailView } from '../../../../../shared/features/targets';
import { RenameInputSchema, SessionCloseInputSchema, type RenameInput, type SessionCloseInput } from '../../../../../shared/domain/target-actions';
import { call } from '../../../api/client';
import { PlanDialog, schemaErrors } from '../../../components/PlanDialog';

export function SessionCloseDialog({ target, nexus, onClose }: { target: TargetDetailView; nexus: number; onClose: () => void }) {
  const [chosen, setChosen] = useState<number[]>([nexus]);
  const input: SessionCloseInput = { serverId: target.serverId, iqn: target.iqn, sessions: chosen };
  const toggle = (n: number, on: boolean) => setChosen((c) => (on ? [...c, n] : c.filter((x) => x !== n)));
  return (
    <PlanDialog title={`Disconnect sessions: ${target.iqn}`} input={input} validate={schemaErrors(SessionCloseInputSchema)} plan={(i) => call('targets.planSessionClose', i)} onClose={onClose}>
      {(errors) => (
        <Stack spacing={1.5}>
          <Typography>The initiators below lose this target's disks now. An initiator set to log in again (most are) reconnects unless its access is removed first.</Typography>
          {target.sessions.map((s) => (
            <FormControlLabel key={s.nexus} control={<Checkbox checked={chosen.includes(s.nexus)} onChange={(e) => toggle(s.nexus, e.target.checked)} />}
              label={`Session ${s.nexus}: ${s.initiator}${s.alias ? ` (${s.alias})` : ''} from ${s.connections.map((c) => c.address).join(', ') || 'an unknown address'}, ${s.connectionCount} connection(s)`} />
          ))}
          {errors.sessions && <Alert severity="error">{errors.sessions}</Alert>}
        </Stack>
      )}
    </PlanDialog>
  );
}

export function RenameDialog({ target, onClose }: { target: TargetDetailView; onClose: () => void }) {
  const [alias, setAlias] = useState(target.alias ?? '');
  const [comment, setComment] = useState(target.comment ?? '');
  const input: RenameInput = {
    serverId: target.serverId, iqn: target.iqn,
    ...(alias !== (target.alias ?? '') ? { alias } : {}),
    ...(comment !== (target.comment ?? '') ? { comment } : {}),
  };
  return (
    <PlanDialog title={`Alias and comment: ${target.iqn}`} input={input} validate={schemaErrors(RenameInputSchema)} plan={(i) => call('targets.planRename', i)} onClose={onClose}>
      {(errors) => (
        <Stack spacing={2} sx={{ maxWidth: 640 }}>
          <TextField label="Alias" value={alias} onChange={(e) => setAlias(e.target.value)} autoFocus error={!!errors.alias} helperText={errors.alias ?? 'A short name people use for this target; empty clears it.'} />
          <TextField label="Comment" value={comment} onChange={(e) => setComment(e.target.value)} error={!!errors.comment} helperText={errors.comment ?? 'Kept in the conf.d file as Portico metadata (tgt itself has neither).'} />
        </Stack>
      )}
    </PlanDialog>
  );
}
