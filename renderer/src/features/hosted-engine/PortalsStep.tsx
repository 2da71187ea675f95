import { Box, Button, IconButton, Stack, TextField, Typography } from '@mui/material';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import type { HeWizard } from './useHostedEngineWizard';

/** Portals step (iSCSI): the portals to discover from, and the discovery and login CHAP. */
export function PortalsStep({ w }: { w: HeWizard }) {
  const { f, set, setPortal, err, errors } = w;
  return (
    <Stack spacing={2} sx={{ maxWidth: 760 }}>
      {f.portals.map((p, i) => (
        <Stack key={i} direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
          <TextField label={`Portal ${i + 1} address`} placeholder="192.0.2.10" value={p.address} onChange={(e) => setPortal(i, { address: e.target.value })} {...err(`portals.${i}.address`)}
            helperText={errors[`portals.${i}.address`] ?? 'IPv4 or IPv6 address (hosted-engine accepts no host names).'} sx={{ flex: 1 }} />
          <TextField label={`Portal ${i + 1} port`} value={p.port} onChange={(e) => setPortal(i, { port: e.target.value })} {...err(`portals.${i}.port`)} sx={{ width: 140 }} />
          <IconButton aria-label={`Remove portal ${i + 1}`} disabled={f.portals.length === 1} onClick={() => set({ portals: f.portals.filter((_, j) => j !== i) })} sx={{ mt: 1 }}>
            <DeleteOutlinedIcon />
          </IconButton>
        </Stack>
      ))}
      <Box>
        <Button onClick={() => set({ portals: [...f.portals, { address: '', port: '3260' }] })}>Add portal</Button>
      </Box>
      <Typography variant="subtitle2" component="h3">Discovery CHAP (leave empty when the portal needs none)</Typography>
      <Stack direction="row" spacing={2}>
        <TextField label="Discovery CHAP user" value={f.discoveryUser} onChange={(e) => set({ discoveryUser: e.target.value })} {...err('discoveryChap.user')} fullWidth />
        <TextField label="Discovery CHAP password" type="password" autoComplete="off" value={f.discoveryPassword} onChange={(e) => set({ discoveryPassword: e.target.value })} {...err('discoveryChap.password')} fullWidth />
      </Stack>
      <Typography variant="subtitle2" component="h3">Login CHAP (for the target; may differ from discovery)</Typography>
      <Stack direction="row" spacing={2}>
        <TextField label="Login CHAP user" value={f.loginUser} onChange={(e) => set({ loginUser: e.target.value })} {...err('loginChap.user')} fullWidth />
        <TextField label="Login CHAP password" type="password" autoComplete="off" value={f.loginPassword} onChange={(e) => set({ loginPassword: e.target.value })} {...err('loginChap.password')} fullWidth />
      </Stack>
    </Stack>
  );
}
