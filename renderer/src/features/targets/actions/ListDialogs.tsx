// Actions on several targets at once, each one plan: adopt unmanaged targets (their conf.d files
// written from the live state), delete, or add the same access rules to every selected target.
import { useState } from 'react';
import { Alert, Checkbox, FormControlLabel, Stack, TextField, Typography } from '@mui/material';
import type { TargetView } from '../../../../../shared/features/targets';
import { AdoptInputSchema, BulkInputSchema, type AdoptInput, type BulkInput } from '../../../../../shared/domain/target-actions';
import { call } from '../../../api/client';
import { PlanDialog, schemaErrors } from '../../../components/PlanDialog';

const lines = (s: string) => s.split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);
const names = (ts: TargetView[]) => (ts.length === 1 ? ts[0].iqn : `${ts.length} targets`);

/** CHAP accounts bound to unmanaged targets: tgt never shows their secrets, so adopting needs them typed. */
export function adoptAccounts(ts: TargetView[]): string[] {
  return [...new Set(ts.flatMap((t) => [...t.chapUsers, ...(t.mutualChapUser ? [t.mutualChapUser] : [])]))];
}

export function AdoptDialog({ serverId, targets, onClose }: { serverId: string; targets: TargetView[]; onClose: () => void }) {
  const accounts = adoptAccounts(targets);
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const input: AdoptInput = { serverId, iqns: targets.map((t) => t.iqn), secrets: accounts.map((user) => ({ user, secret: secrets[user] ?? '' })) };
  return (
    <PlanDialog title={`Adopt ${names(targets)}`} input={input} validate={schemaErrors(AdoptInputSchema)} plan={(i) => call('targets.planAdopt', i)} onClose={onClose}>
      {(errors) => (
        <Stack spacing={2}>
          <Typography>
            Portico writes a conf.d file for {targets.length === 1 ? 'this target' : 'each target'} from what tgtd runs now (LUNs, rules, CHAP accounts), so a restart of tgt keeps it and drift
            detection covers it from then on. Nothing about the running target changes.
          </Typography>
          {targets.map((t) => (
            <Typography key={t.iqn} variant="body2" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
              {t.iqn}: {t.driftMessages.join('; ') || 'runs without a conf.d file of Portico'}
            </Typography>
          ))}
          {accounts.length > 0 && <Alert severity="info">tgt never shows CHAP secrets: type the secret of each account so the conf file can hold it (it is stored 0600, masked in the review).</Alert>}
          {accounts.map((user, i) => (
            <TextField key={user} label={`CHAP secret of ${user}`} type="password" value={secrets[user] ?? ''} autoComplete="off"
              onChange={(e) => setSecrets((s) => ({ ...s, [user]: e.target.value }))}
              error={!!errors[`secrets.${i}.secret`]} helperText={errors[`secrets.${i}.secret`]} />
          ))}
          {errors.iqns && <Alert severity="error">{errors.iqns}</Alert>}
        </Stack>
      )}
    </PlanDialog>
  );
}

export function BulkDialog({ serverId, targets, action, onClose }: { serverId: string; targets: TargetView[]; action: 'delete' | 'aclAdd'; onClose: () => void }) {
  const [force, setForce] = useState(false);
  const [deleteFiles, setDeleteFiles] = useState(false);
  const [initiators, setInitiators] = useState('');
  const [networks, setNetworks] = useState('');
  const withSessions = targets.filter((t) => t.sessions.length > 0);
  const input: BulkInput =
    action === 'delete'
      ? { serverId, action, iqns: targets.map((t) => t.iqn), force, deleteBackingFiles: deleteFiles, confirmedSessions: force ? withSessions.flatMap((t) => t.sessions.map((s) => s.initiator)) : undefined }
      : { serverId, action, iqns: targets.map((t) => t.iqn), initiators: lines(initiators), networks: lines(networks) };
  return (
    <PlanDialog title={action === 'delete' ? `Delete ${names(targets)}` : `Add access to ${names(targets)}`} input={input} validate={schemaErrors(BulkInputSchema)}
      plan={(i) => call('targets.planBulk', i)} onClose={onClose}>
      {(errors) => (
        <Stack spacing={2}>
          <Typography variant="body2" sx={{ fontFamily: 'monospace', wordBreak: 'break-all', maxHeight: 140, overflow: 'auto' }}>{targets.map((t) => t.iqn).join('\n')}</Typography>
          {action === 'delete' && (
            <>
              {withSessions.length > 0 ? (
                <Alert severity="warning">
                  Connected now: {withSessions.map((t) => `${t.iqn}: ${t.sessions.map((s) => s.initiator).join(', ')}`).join('; ')}. Deleting drops their disks.
                  <FormControlLabel control={<Checkbox checked={force} onChange={(e) => setForce(e.target.checked)} />} label="I have seen who is connected: delete anyway" />
                </Alert>
              ) : (
                <Typography>No initiator is connected to any of them.</Typography>
              )}
              <FormControlLabel control={<Checkbox checked={deleteFiles} onChange={(e) => setDeleteFiles(e.target.checked)} />}
                label="Also delete their backing files. Without this, the files stay in the storage folder." />
            </>
          )}
          {action === 'aclAdd' && (
            <>
              <TextField label="Initiators to allow (one IQN per line)" multiline minRows={2} value={initiators} onChange={(e) => setInitiators(e.target.value)} autoFocus
                error={!!(errors.initiators || Object.keys(errors).some((k) => k.startsWith('initiators.')))}
                helperText={errors.initiators ?? errors[Object.keys(errors).find((k) => k.startsWith('initiators.')) ?? ''] ?? 'Added to the rules each target has; nothing is removed.'} />
              <TextField label="Networks to allow (address or CIDR, one per line)" multiline minRows={2} value={networks} onChange={(e) => setNetworks(e.target.value)}
                error={Object.keys(errors).some((k) => k.startsWith('networks'))} helperText={errors[Object.keys(errors).find((k) => k.startsWith('networks')) ?? '']} />
            </>
          )}
        </Stack>
      )}
    </PlanDialog>
  );
}
