// Edit access, delete and reconcile on an existing target: a small form (Enter submits), then the
// plan main builds from live state, then the job. (Add LUN and the other day-2 actions: actions/.)
import { useState, type ReactNode } from 'react';
import {
  Alert, Button, Checkbox, FormControl, FormControlLabel, FormLabel, Radio, RadioGroup, Stack, Switch, TextField, Typography,
} from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import type { TargetView } from '../../../../shared/features/targets';
import type { PlanView } from '../../../../shared/plan';
import { formatSize, generateChapSecret, type ChapChoice } from '../../../../shared/domain/target';
import { call } from '../../api/client';
import { PlanRunner } from '../../components/PlanRunner';
import { FormDialog } from '../../components/FormDialog';

export type TargetAction = 'access' | 'delete' | 'reconcile';

const TITLES: Record<TargetAction, string> = { access: 'Edit access', delete: 'Delete target', reconcile: 'Reconcile with conf file' };
const lines = (s: string) => s.split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);

/** The target's CHAP now, in words: user names only (Portico never shows a stored secret). */
export function chapNow(t: TargetView): string {
  if (!t.chapUsers.length && !t.mutualChapUser) return 'No CHAP: initiators that the rules admit log in without a secret.';
  const inc = t.chapUsers.length ? `CHAP user ${t.chapUsers.join(', ')}` : 'no incoming CHAP';
  return `${inc}; ${t.mutualChapUser ? `mutual CHAP: the target answers as ${t.mutualChapUser}` : 'no mutual CHAP'}.`;
}

type ChapMode = ChapChoice['mode'];

export function TargetActionDialog({ serverId, target, action, onClose }: { serverId: string; target: TargetView; action: TargetAction; onClose: () => void }) {
  const qc = useQueryClient();
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [initiators, setInitiators] = useState(target.initiators.join('\n'));
  const [networks, setNetworks] = useState(target.addresses.filter((a) => a !== 'ALL').join('\n'));
  const short = target.iqn.replace(/^.*:/, '') || 'target';
  const hasChap = target.chapUsers.length > 0 || !!target.mutualChapUser;
  const [chapMode, setChapMode] = useState<ChapMode>('keep');
  const [chapUser, setChapUser] = useState(target.chapUsers[0] ?? `${short}-user`);
  const [chapSecret, setChapSecret] = useState(() => generateChapSecret());
  const [mutual, setMutual] = useState(!!target.mutualChapUser);
  const [mutualUser, setMutualUser] = useState(target.mutualChapUser ?? `${short}-target`);
  const [mutualSecret, setMutualSecret] = useState(() => generateChapSecret());
  const [force, setForce] = useState(false);
  const [deleteFiles, setDeleteFiles] = useState(false);
  const [busy, setBusy] = useState(false);

  const build = async () => {
    setError(null);
    setBusy(true);
    try {
      if (action === 'access') {
        const chap: ChapChoice =
          chapMode === 'set'
            ? { mode: 'set', chap: { user: chapUser.trim(), secret: chapSecret, mutual: mutual ? { user: mutualUser.trim(), secret: mutualSecret } : undefined } }
            : { mode: chapMode };
        setPlan(await call('targets.planAccess', { serverId, iqn: target.iqn, access: { initiators: lines(initiators), networks: lines(networks), chap } }));
      }
      if (action === 'delete')
        setPlan(await call('targets.planDelete', { serverId, iqn: target.iqn, force, confirmedSessions: force ? target.sessions.map((s) => s.initiator) : undefined, deleteBackingFiles: deleteFiles }));
      if (action === 'reconcile') setPlan(await call('targets.planReconcile', { serverId, iqn: target.iqn }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    void qc.invalidateQueries({ queryKey: ['targets', serverId] });
    onClose();
  };

  let form: ReactNode = null;
  if (action === 'access')
    form = (
      <Stack spacing={2}>
        <TextField label="Allowed initiators (one IQN per line)" multiline minRows={3} value={initiators} onChange={(e) => setInitiators(e.target.value)} />
        <TextField label="Allowed networks (address or CIDR, one per line)" multiline minRows={2} value={networks} onChange={(e) => setNetworks(e.target.value)} />
        <FormControl component="fieldset">
          <FormLabel component="legend" id="chap-choice-label">CHAP</FormLabel>
          <Typography variant="body2" color="text.secondary" data-testid="chap-now">Now: {chapNow(target)}</Typography>
          <RadioGroup aria-labelledby="chap-choice-label" value={chapMode} onChange={(e) => setChapMode(e.target.value as ChapMode)}>
            <FormControlLabel value="keep" control={<Radio />} label={hasChap ? 'Keep CHAP as it is (accounts and secrets unchanged)' : 'Keep as it is (no CHAP)'} />
            <FormControlLabel value="set" control={<Radio />} label={hasChap ? 'Set new CHAP credentials' : 'Require CHAP'} />
            <FormControlLabel value="remove" control={<Radio />} label="Remove CHAP" disabled={!hasChap} />
          </RadioGroup>
        </FormControl>
        {chapMode === 'set' && (
          <Stack spacing={2} sx={{ pl: 4 }}>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
              <TextField label="CHAP user" value={chapUser} onChange={(e) => setChapUser(e.target.value)} />
              <TextField label="CHAP secret" value={chapSecret} onChange={(e) => setChapSecret(e.target.value)} sx={{ minWidth: 260 }}
                helperText="Generated, 16 characters. Give it to the initiators now: after this dialog Portico only shows ******." />
              <Button onClick={() => setChapSecret(generateChapSecret())}>New secret</Button>
            </Stack>
            <FormControlLabel control={<Switch checked={mutual} onChange={(e) => setMutual(e.target.checked)} />} label="Mutual CHAP (the target proves itself too)" />
            {mutual && (
              <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
                <TextField label="Target CHAP user" value={mutualUser} onChange={(e) => setMutualUser(e.target.value)} />
                <TextField label="Target CHAP secret" value={mutualSecret} onChange={(e) => setMutualSecret(e.target.value)} sx={{ minWidth: 260 }} />
                <Button onClick={() => setMutualSecret(generateChapSecret())}>New secret</Button>
              </Stack>
            )}
            {hasChap && <Typography variant="body2" color="text.secondary">The current accounts are replaced; initiators need the new credentials to log in again.</Typography>}
          </Stack>
        )}
        {chapMode === 'remove' && (
          <Alert severity="warning">Without CHAP, every initiator the rules above admit logs in without a secret. The review shows this as a danger and asks you to confirm it.</Alert>
        )}
      </Stack>
    );
  if (action === 'delete') {
    const allocated = target.luns.reduce((a, l) => a + (l.allocatedBytes ?? 0), 0);
    form = (
      <Stack spacing={2}>
        {target.sessions.length > 0 ? (
          <Alert severity="warning">
            Connected now: {target.sessions.map((s) => `${s.initiator} (${s.connections.map((c) => c.address).join(', ')})`).join('; ')}. Deleting drops their disks.
            <FormControlLabel control={<Checkbox checked={force} onChange={(e) => setForce(e.target.checked)} />} label="I have seen who is connected: delete anyway" />
          </Alert>
        ) : (
          <Typography>No initiator is connected to this target.</Typography>
        )}
        <FormControlLabel
          control={<Checkbox checked={deleteFiles} onChange={(e) => setDeleteFiles(e.target.checked)} />}
          label={`Also delete the backing files (${target.luns.length} file(s), ${formatSize(allocated)} allocated). Without this, the files stay in the storage folder.`}
        />
      </Stack>
    );
  }
  if (action === 'reconcile') form = <Typography>Portico compares tgtd's running state of this target with its conf.d file and plans the changes that make them agree.</Typography>;

  return (
    <FormDialog title={`${TITLES[action]}: ${target.iqn}`} onClose={close} onSubmit={plan ? undefined : () => void build()} submitLabel={busy ? 'Planning…' : 'Review plan'} busy={busy}
      closeLabel={plan ? 'Close' : 'Cancel'}>
      {error && <Alert severity="error" sx={{ mb: 2, whiteSpace: 'pre-line' }}>{error}</Alert>}
      {plan ? <PlanRunner plan={plan} onReplan={() => void build()} /> : form}
    </FormDialog>
  );
}
