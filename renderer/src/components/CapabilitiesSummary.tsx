import { Box, Chip, Stack, Typography } from '@mui/material';
import type { Capabilities } from '../../../shared/domain/host';

/** What the probe found on a host: shown so wizards' "unavailable because..." makes sense. */
export function CapabilitiesSummary({ caps }: { caps: Capabilities }) {
  const tools = Object.entries(caps.tools);
  return (
    <Stack spacing={1.5} aria-label="Capabilities">
      <Typography variant="body2">
        <b>System:</b> {caps.os.prettyName ?? caps.os.id ?? 'unknown'} · kernel {caps.os.kernel ?? '?'} · sudo: {caps.sudo}
      </Typography>
      <Typography variant="body2">
        <b>Initiator name:</b> <code>{caps.initiatorName ?? 'none (no /etc/iscsi/initiatorname.iscsi)'}</code>
      </Typography>
      <Box>
        <Typography variant="body2" sx={{ mb: 0.5 }}>
          <b>Tools</b>
        </Typography>
        <Stack direction="row" useFlexGap spacing={0.5} sx={{ flexWrap: "wrap" }}>
          {tools.map(([t, path]) => (
            <Chip key={t} size="small" label={t} color={path ? 'success' : 'default'} variant={path ? 'filled' : 'outlined'} title={path ?? `${t} is not installed`} />
          ))}
        </Stack>
      </Box>
      <Box>
        <Typography variant="body2" sx={{ mb: 0.5 }}>
          <b>Services</b>
        </Typography>
        <Stack direction="row" spacing={0.5}>
          {Object.entries(caps.services).map(([s, st]) => (
            <Chip key={s} size="small" label={`${s}: ${st}`} color={st === 'running' ? 'success' : 'default'} variant={st === 'running' ? 'filled' : 'outlined'} />
          ))}
        </Stack>
      </Box>
      <Typography variant="body2">
        <b>Addresses:</b>{' '}
        {caps.interfaces
          .filter((i) => i.name !== 'lo')
          .flatMap((i) => i.addresses.filter((a) => a.family === 'inet').map((a) => `${i.name} ${a.address}/${a.prefix}`))
          .join(' · ') || 'none'}
      </Typography>
    </Stack>
  );
}
