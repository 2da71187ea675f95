import { Alert, AlertTitle, Box, FormControl, FormControlLabel, FormLabel, Radio, RadioGroup, Stack, Typography } from '@mui/material';
import type { HeDiscoverResult } from '../../../../shared/domain/hosted-engine-views';
import type { HeWizard } from './useHostedEngineWizard';

/** Target step (iSCSI): what discovery found and why not, and the target to log in to. */
export function TargetStep({ w, disc }: { w: HeWizard; disc: HeDiscoverResult }) {
  const { f, set } = w;
  return (
    <Stack spacing={2}>
      <Typography variant="body2" color="text.secondary">
        {disc.via === 'vdsm' ? 'Discovered by VDSM on the host.' : 'This host has no VDSM: discovered by Portico’s initiator through the host, as the host’s initiator.'}
        {disc.initiatorName ? ` Host initiator: ${disc.initiatorName}.` : ''}
      </Typography>
      {disc.problems.map((p) => (
        <Alert key={p.portal} severity="warning">
          {p.portal}: {p.message} Next step: {p.nextStep}{p.code !== null ? ` (VDSM code ${p.code})` : ''}
        </Alert>
      ))}
      {disc.empty && (
        <Alert severity="warning" role="alert">
          <AlertTitle>No targets and no LUNs for this host</AlertTitle>
          {disc.empty.message} Next step: {disc.empty.nextStep}
          {disc.managedBy ? ` Portico manages ${disc.managedBy.serverName}: use Access on the Targets page.` : ''}
        </Alert>
      )}
      {disc.targets.length > 0 && (
        <FormControl>
          <FormLabel id="he-target">Target (log in to every portal of its TPGT)</FormLabel>
          <RadioGroup aria-labelledby="he-target" value={f.targetIndex === null ? '' : String(f.targetIndex)} onChange={(e) => set({ targetIndex: Number(e.target.value), lunGuid: '' })}>
            {disc.targets.map((t, i) => (
              <FormControlLabel
                key={`${t.iqn}-${t.tpgt}`}
                value={String(i)}
                control={<Radio />}
                label={
                  <Box sx={{ py: 0.5 }}>
                    <Typography sx={{ fontFamily: 'monospace', fontSize: 14 }}>{t.iqn}</Typography>
                    <Typography variant="body2" color="text.secondary">
                      TPGT {t.tpgt} · {t.portals.length} portal{t.portals.length === 1 ? '' : 's'}: {t.portals.map((p) => `${p.address}:${p.port}`).join(', ')}
                    </Typography>
                  </Box>
                }
              />
            ))}
          </RadioGroup>
        </FormControl>
      )}
    </Stack>
  );
}
