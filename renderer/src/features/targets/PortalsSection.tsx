// A storage server's portals (tgt listens on the same ones for every target): list, add and remove,
// each a plan; main persists them where the distribution's tgt service reads them.
import { useState } from 'react';
import { Accordion, AccordionDetails, AccordionSummary, Alert, Button, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import type { PortalView } from '../../../../shared/features/targets';
import { PortalActionInputSchema, type PortalActionInput } from '../../../../shared/domain/target-actions';
import { call } from '../../api/client';
import { PlanDialog, schemaErrors } from '../../components/PlanDialog';
import { usePortals } from './api';

function PortalDialog({ serverId, server, remove, onClose }: { serverId: string; server: string; remove?: PortalView; onClose: () => void }) {
  const [portal, setPortal] = useState('');
  const input: PortalActionInput = remove
    ? { serverId, action: 'remove', portal: remove.portal, confirmedSessions: remove.sessions.map((s) => s.initiator) }
    : { serverId, action: 'add', portal: portal.trim() };
  return (
    <PlanDialog title={remove ? `Remove portal ${remove.portal} on ${server}` : `Add portal on ${server}`} input={input} validate={schemaErrors(PortalActionInputSchema)}
      plan={(i) => call('targets.planPortal', i)} onClose={onClose}>
      {(errors) =>
        remove ? (
          <Stack spacing={2}>
            <Typography>tgtd stops listening on {remove.portal} for every target, and the tgt service's start line no longer names it.</Typography>
            {remove.sessions.length > 0 && (
              <Alert severity="warning">Connected through it now: {remove.sessions.map((s) => `${s.initiator} to ${s.iqn} (${s.address})`).join('; ')}. Removing it cuts them.</Alert>
            )}
          </Stack>
        ) : (
          <TextField label="Portal (address:port)" placeholder="192.0.2.11:3260" value={portal} onChange={(e) => setPortal(e.target.value)} autoFocus sx={{ maxWidth: 420 }}
            error={!!errors.portal} helperText={errors.portal ?? 'An address of this server (or 0.0.0.0 for all); iSCSI uses port 3260.'} />
        )
      }
    </PlanDialog>
  );
}

export function PortalsSection({ serverId, server, disabled }: { serverId: string; server: string; disabled: string | null }) {
  const portals = usePortals(serverId);
  const [dialog, setDialog] = useState<{ remove?: PortalView } | null>(null);
  const list = portals.data?.portals ?? [];
  return (
    <Accordion disableGutters variant="outlined" aria-label={`Portals of ${server}`}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography sx={{ fontWeight: 600 }}>Portals</Typography>
        <Typography variant="body2" color="text.secondary" sx={{ ml: 2 }}>
          {portals.data ? `${list.map((p) => p.portal).join(', ') || 'none'}: shared by every target of ${server}` : portals.isError ? 'not available' : 'reading…'}
        </Typography>
      </AccordionSummary>
      <AccordionDetails>
        {portals.isError && <Alert severity="error">{(portals.error as Error).message}</Alert>}
        {portals.data && (
          <Stack spacing={1.5}>
            {portals.data.notListening.length > 0 && <Alert severity="warning">The tgt service's start line names {portals.data.notListening.join(', ')}, but tgtd does not listen there now.</Alert>}
            <Table size="small" aria-label="Portals">
              <TableHead>
                <TableRow>
                  <TableCell>Portal</TableCell>
                  <TableCell>TPGT</TableCell>
                  <TableCell>Kept after a restart</TableCell>
                  <TableCell>Sessions through it</TableCell>
                  <TableCell />
                </TableRow>
              </TableHead>
              <TableBody>
                {list.map((p) => (
                  <TableRow key={p.portal} aria-label={`portal ${p.portal}`}>
                    <TableCell sx={{ fontFamily: 'monospace' }}>{p.portal}</TableCell>
                    <TableCell>{p.tpgt}</TableCell>
                    <TableCell>{p.persisted ? <Chip size="small" label="yes" color="success" variant="outlined" /> : <Chip size="small" label="until restart" color="warning" variant="outlined" />}</TableCell>
                    <TableCell>{p.sessions.length ? p.sessions.map((s) => `${s.initiator} (${s.address})`).join(', ') : 'none'}</TableCell>
                    <TableCell align="right">
                      <Button size="small" color="error" disabled={!!disabled} title={disabled ?? undefined} onClick={() => setDialog({ remove: p })}>Remove</Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {portals.data.persistFile ? (
              <Typography variant="body2" color="text.secondary">
                Persisted in {portals.data.persistFile} {portals.data.persistFileExists ? '' : '(not written yet)'}, which {portals.data.service ?? 'the tgt service'} reads when it starts.
              </Typography>
            ) : (
              <Alert severity="warning">
                No systemd unit starts tgtd on {server} (neither tgt.service nor tgtd.service): portals you add or remove here last only until tgtd restarts, unless its start script names them (--iscsi portal=).
              </Alert>
            )}
            <Stack direction="row">
              <Button onClick={() => setDialog({})} disabled={!!disabled} title={disabled ?? undefined}>Add portal</Button>
            </Stack>
          </Stack>
        )}
      </AccordionDetails>
      {dialog && <PortalDialog serverId={serverId} server={server} remove={dialog.remove} onClose={() => setDialog(null)} />}
    </Accordion>
  );
}
