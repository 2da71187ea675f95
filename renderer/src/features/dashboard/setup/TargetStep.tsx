// Step 3: the first target and its LUNs, made with the Targets page's own create-target wizard
// (embedded as it is); the target it made, or an existing one chosen here, is what access and the
// path check work on.
import { useRef, useState } from 'react';
import { Alert, Button, FormControlLabel, MenuItem, Radio, RadioGroup, Stack, TextField, Typography } from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useHosts } from '../../hosts/api';
import { targetsQuery } from '../../targets/api';
import { CreateTargetWizard } from '../../targets/CreateTargetWizard';
import { StepFrame } from './StepFrame';
import type { StepApi } from './progress';

export function TargetStep({ api }: { api: StepApi }) {
  const qc = useQueryClient();
  const hosts = useHosts();
  const p = api.progress;
  const servers = (hosts.data ?? []).filter((h) => p.serverIds.includes(h.id));
  const [serverId, setServerId] = useState<string>(p.targetServerId ?? p.serverIds[0] ?? '');
  const server = servers.find((s) => s.id === serverId);
  const view = useQuery({ ...targetsQuery(serverId), enabled: !!serverId });
  const [chosen, setChosen] = useState<string>(p.targetServerId === serverId ? (p.targetIqn ?? '') : '');
  const [creating, setCreating] = useState(false);
  const before = useRef<string[]>([]);
  const targets = view.data?.targets ?? [];

  const open = () => {
    before.current = targets.map((t) => t.iqn);
    setCreating(true);
  };
  const closed = async () => {
    setCreating(false);
    const fresh = await qc.fetchQuery({ ...targetsQuery(serverId), staleTime: 0 });
    const made = fresh.targets.find((t) => !before.current.includes(t.iqn));
    if (made) {
      setChosen(made.iqn);
      await api.save({ targetServerId: serverId, targetIqn: made.iqn });
    }
  };

  return (
    <StepFrame
      id="target"
      api={api}
      intro="Create the first target with its LUNs (the same wizard as on the Targets page: review, apply, verify), or pick a target the server already has."
      blocked={p.serverIds.length ? null : 'No storage server was added (step 1 was skipped): there is no server to make a target on.'}
      canContinue={!!chosen && !creating}
      onContinue={() => void api.done(`${chosen} on ${server?.name ?? serverId}.`, { targetServerId: serverId, targetIqn: chosen })}
    >
      {servers.length > 1 && (
        <TextField select label="Storage server" value={serverId} onChange={(e) => { setServerId(e.target.value); setChosen(''); }} sx={{ mb: 2, minWidth: 260 }}>
          {servers.map((s) => <MenuItem key={s.id} value={s.id}>{s.name}</MenuItem>)}
        </TextField>
      )}
      {view.error && <Alert severity="error" sx={{ mb: 2 }}>{view.error.message}</Alert>}
      {creating && server && view.data && (
        <CreateTargetWizard server={server} settings={view.data.settings} hosts={hosts.data ?? []} onClose={() => void closed()} />
      )}
      {!creating && (
        <Stack spacing={1}>
          {targets.length > 0 ? (
            <RadioGroup aria-label="Target to use" value={chosen} onChange={(e) => setChosen(e.target.value)}>
              {targets.map((t) => (
                <FormControlLabel key={t.iqn} value={t.iqn} control={<Radio />} label={<span><code>{t.iqn}</code> — {t.luns.length} LUN(s)</span>} />
              ))}
            </RadioGroup>
          ) : (
            view.data && <Typography>{server?.name} has no target yet.</Typography>
          )}
          <div>
            <Button variant="outlined" onClick={open} disabled={!view.data}>Create a target</Button>
          </div>
        </Stack>
      )}
    </StepFrame>
  );
}
