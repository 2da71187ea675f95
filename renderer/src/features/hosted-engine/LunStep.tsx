import { Alert, AlertTitle, Button, Checkbox, FormControlLabel, Stack, TextField, Typography } from '@mui/material';
import { HE_DEFAULT_DISK_GIB } from '../../../../shared/domain/hosted-engine';
import type { HeLunsResult } from '../../../../shared/domain/hosted-engine-views';
import { LunTable } from './LunTable';
import type { HeWizard } from './useHostedEngineWizard';

/** LUN step (iSCSI): the login outcome, the engine disk size and the LUN to use (forcing a used one). */
export function LunStep({ w, luns }: { w: HeWizard; luns: HeLunsResult }) {
  const { f, set, err, errors, busy, conn, target, chosenRow, refreshLuns } = w;
  return (
    <Stack spacing={2}>
      {conn?.problems.map((p) => (
        <Alert key={p.portal} severity="warning">
          Login through {p.portal} failed: {p.message} Next step: {p.nextStep}{p.code !== null ? ` (VDSM code ${p.code})` : ''}
        </Alert>
      ))}
      {conn && conn.connected > 0 && (
        <Typography variant="body2" color="text.secondary">
          Logged in to {target?.iqn} through {conn.connected} of {target?.portals.length} portal(s).
        </Typography>
      )}
      {luns.noLuns && (
        <Alert severity="error" role="alert">
          <AlertTitle>No LUNs for this host</AlertTitle>
          {luns.noLuns.message} Next step: {luns.noLuns.nextStep}
        </Alert>
      )}
      <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
        <TextField label="Engine disk size (GiB)" value={f.diskSizeGiB} onChange={(e) => set({ diskSizeGiB: e.target.value })} {...err('diskSizeGiB')}
          helperText={errors.diskSizeGiB ?? `The LUN must hold the engine disk plus 15.24 GiB. Default ${HE_DEFAULT_DISK_GIB} GiB.`} sx={{ width: 360 }} />
        <Button onClick={() => void refreshLuns()} disabled={!!busy} sx={{ mt: 1 }}>{busy === 'luns' ? 'Checking…' : 'Check LUNs again'}</Button>
      </Stack>
      {luns.rows.length > 0 && <LunTable rows={luns.rows} chosen={f.lunGuid} onChoose={(g) => set({ lunGuid: g, forceUsedLun: false, forceConfirmation: '' })} />}
      {errors.lunGuid && <Alert severity="error">{errors.lunGuid}</Alert>}
      {chosenRow && !chosenRow.eligible && chosenRow.forceable && (
        <Alert severity="warning">
          <AlertTitle>LUN {chosenRow.guid} is in use</AlertTitle>
          <Stack spacing={1}>
            <span>{chosenRow.reason}.</span>
            <FormControlLabel control={<Checkbox checked={f.forceUsedLun} onChange={(e) => set({ forceUsedLun: e.target.checked })} />} label="Use this LUN anyway and destroy its data" />
            {f.forceUsedLun && (
              <TextField size="small" label="Type the LUN GUID to confirm" value={f.forceConfirmation} onChange={(e) => set({ forceConfirmation: e.target.value })} {...err('forceConfirmation')} sx={{ maxWidth: 520, bgcolor: 'background.paper' }} />
            )}
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
