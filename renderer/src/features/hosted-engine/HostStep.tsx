import { MenuItem, Stack, TextField } from '@mui/material';
import type { HostView } from '../../../../shared/features/hosts';
import { VdsmOnHost } from './VdsmOnHost';
import type { HeWizard } from './useHostedEngineWizard';

/** Host step: the oVirt host that will run the engine VM, and whether VDSM runs on it. */
export function HostStep({ w, hosts }: { w: HeWizard; hosts: HostView[] }) {
  const { f, set, err, errors, host } = w;
  return (
    <Stack spacing={2} sx={{ maxWidth: 620 }}>
      <TextField select label="oVirt host" value={f.hostId} onChange={(e) => set({ hostId: e.target.value })} {...err('hostId')}
        helperText={errors.hostId ?? 'The host that will run the engine VM. Portico talks to VDSM on it through its SSH connection, using the host’s own VDSM certificate.'}>
        {hosts.map((h) => (
          <MenuItem key={h.id} value={h.id}>
            {h.name} ({h.address}){h.capabilities?.initiatorName ? ` · ${h.capabilities.initiatorName}` : ''}
          </MenuItem>
        ))}
      </TextField>
      {host && <VdsmOnHost host={host} />}
    </Stack>
  );
}
