// The wizard's Review: the per-host connection list exactly as the apply sends it, one entry per
// host x network x target. VDSM hosts: the connectStorageServer connectionParams (ifaceName,
// netIfaceName); plain Linux hosts: the iscsiadm iface, node and login commands. Secrets come
// masked from main.
import { Box, Chip, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { PreviewHost } from '../../../../shared/domain/bond';

function VdsmEntries({ h }: { h: PreviewHost }) {
  return (
    <>
      <Table size="small" aria-label={`connectStorageServer entries of ${h.name}`}>
        <TableHead>
          <TableRow>
            <TableCell>id</TableCell>
            <TableCell>connection</TableCell>
            <TableCell>port</TableCell>
            <TableCell>iqn</TableCell>
            <TableCell>tpgt</TableCell>
            <TableCell>user / password</TableCell>
            <TableCell>ifaceName</TableCell>
            <TableCell>netIfaceName</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {h.vdsm.map((e) => (
            <TableRow key={e.id}>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{e.id}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{e.connection}</TableCell>
              <TableCell>{e.port}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' }}>{e.iqn}</TableCell>
              <TableCell>{e.tpgt}</TableCell>
              <TableCell>{e.user ? `${e.user} / ${e.password}` : 'none'}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{e.ifaceName ?? '(default)'}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{e.netIfaceName ?? '(default)'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 1 }}>As JSON (StoragePool.connectStorageServer, domainType 3):</Typography>
      <Paper variant="outlined" component="pre" aria-label={`connectStorageServer JSON of ${h.name}`} sx={{ p: 1.5, m: 0, fontSize: 12, overflow: 'auto', maxHeight: 260, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {`[\n${h.vdsm.map((e) => `  ${JSON.stringify(e)}`).join(',\n')}\n]`}
      </Paper>
    </>
  );
}

function LinuxCommands({ h }: { h: PreviewHost }) {
  return (
    <Paper variant="outlined" component="pre" aria-label={`iscsiadm commands of ${h.name}`} sx={{ p: 1.5, m: 0, fontSize: 12.5, overflow: 'auto', maxHeight: 320, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
      {h.commands.join('\n')}
    </Paper>
  );
}

export function HostConnections({ hosts, networkName, connectionName }: { hosts: PreviewHost[]; networkName: (id: string | null) => string; connectionName: (id: string) => string }) {
  return (
    <Stack spacing={2} aria-label="Per-host connection list">
      {hosts.map((h) => (
        <Box key={h.hostId} role="group" aria-label={`Connections of ${h.name}`}>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5 }}>
            <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>{h.name}</Typography>
            <Chip size="small" variant="outlined" label={h.kind === 'vdsm' ? 'VDSM connectStorageServer' : 'plain Linux: iscsiadm'} />
            <Typography variant="body2" color="text.secondary">{h.paths.length} path(s)</Typography>
          </Stack>
          <Box component="ul" sx={{ m: 0, mb: 1, pl: 2.5 }} aria-label={`Paths of ${h.name}`}>
            {h.paths.map((p) => (
              <Typography component="li" variant="body2" key={`${p.networkId}|${p.connectionId}`}>
                {p.networkId ? `network ${networkName(p.networkId)} via ${p.nic ?? '?'}` : 'default route'} → {connectionName(p.connectionId)}
              </Typography>
            ))}
          </Box>
          {h.kind === 'vdsm' ? <VdsmEntries h={h} /> : <LinuxCommands h={h} />}
        </Box>
      ))}
    </Stack>
  );
}
