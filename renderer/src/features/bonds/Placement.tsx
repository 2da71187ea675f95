// The per-host placement check of the wizard's Networks step, before anything is saved: which NIC
// carries each chosen network on each host, and for a host missing one, what to do about it.
import { Alert, Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { PlacementResult } from '../../../../shared/domain/bond';

const STATUS = {
  bonded: { label: 'all networks', color: 'success' },
  partial: { label: 'some networks missing', color: 'warning' },
  'default-network': { label: 'default route (none of them)', color: 'default' },
} as const;

export function PlacementTable({ p, networkName }: { p: PlacementResult; networkName: (id: string) => string }) {
  const nets = p.hosts[0]?.networks.map((n) => n.networkId) ?? [];
  const missing = p.hosts.filter((h) => h.missing.length > 0);
  return (
    <>
      <Table size="small" aria-label="Placement per host">
        <TableHead>
          <TableRow>
            <TableCell>Host</TableCell>
            <TableCell>Talks through</TableCell>
            {nets.map((id) => <TableCell key={id}>NIC on {networkName(id)}</TableCell>)}
            <TableCell>Result</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {p.hosts.map((h) => (
            <TableRow key={h.hostId} aria-label={`placement of ${h.name}`}>
              <TableCell sx={{ fontWeight: 600 }}>{h.name}</TableCell>
              <TableCell>{h.kind === 'vdsm' ? 'VDSM' : 'iscsiadm'}</TableCell>
              {h.networks.map((n) => (
                <TableCell key={n.networkId}>
                  {n.nic ? <><code>{n.nic}</code>{n.address ? ` (${n.address})` : ''}</> : <Typography variant="body2" color="warning.main">missing</Typography>}
                </TableCell>
              ))}
              <TableCell><Chip size="small" variant="outlined" color={STATUS[h.status].color} label={STATUS[h.status].label} /></TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {missing.length > 0 && (
        <Alert severity="warning" aria-label="Hosts missing a network">
          {missing.map((h) => (
            <div key={h.hostId}>
              <strong>{h.name}</strong>
              {h.status === 'default-network' ? ' has none of these networks: it keeps connecting through its default route.' : ':'}
              {h.missing.map((m) => <div key={m.networkId}>· no NIC on {networkName(m.networkId)}: {m.fix}</div>)}
            </div>
          ))}
        </Alert>
      )}
    </>
  );
}
