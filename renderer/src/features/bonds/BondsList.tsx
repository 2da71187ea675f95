// The bonds of a data center: networks, connections, paths applied; the path matrix, edit, export,
// and removal (the logouts are planned and applied first when paths are applied on hosts).
import { useEffect, useState } from 'react';
import { Alert, Button, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { FormDialog } from '../../components/FormDialog';
import type { BondsOverview, BondView, DataCenterView } from '../../../../shared/domain/bond';
import type { PlanView } from '../../../../shared/plan';
import { call } from '../../api/client';
import { PlanRunner } from '../../components/PlanRunner';
import { pageHref } from '../../app/routes';
import { RemoveDialog } from './RemoveDialog';
import { ExportButton } from './ExportDialog';
import { namer } from './api';

/** Bonds with paths on hosts: first the plan that logs them out (a job), then the record goes. */
function RemoveAppliedBond({ bond, onClose, onDone }: { bond: BondView; onClose: () => void; onDone: () => void }) {
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loggedOut, setLoggedOut] = useState(false);
  const [busy, setBusy] = useState(false);
  const load = () => {
    setError(null);
    call('bonds.planApply', { bondId: bond.id, remove: true }).then(setPlan, (e: Error) => setError(e.message));
  };
  useEffect(load, [bond.id]);
  const remove = () => {
    setBusy(true);
    call('bonds.remove', { id: bond.id, confirm: true }).then(onDone, (e: Error) => setError(e.message)).finally(() => setBusy(false));
  };
  return (
    <FormDialog title={`Remove bond ${bond.name}: log its paths out first`} onClose={onClose} closeLabel="Close"
      onSubmit={loggedOut ? remove : undefined} submitLabel="Remove the bond’s record" busy={busy}>
      <Typography variant="body2" sx={{ mb: 2 }}>
        {bond.appliedPaths} path(s) of this bond are logged in on the hosts. This plan logs them out (a connection another bond or a storage domain still uses stays); then Portico forgets the bond.
      </Typography>
      {error && <Alert severity="error" sx={{ mb: 2 }}>{error}</Alert>}
      {plan && <PlanRunner plan={plan} onReplan={load} applyLabel="Log the paths out" onFinished={(j) => setLoggedOut(j.state === 'succeeded')} />}
    </FormDialog>
  );
}

export function BondsSection({ o, dc, onChanged }: { o: BondsOverview; dc: DataCenterView; onChanged: () => void }) {
  const [removing, setRemoving] = useState<BondView | null>(null);
  const bonds = o.bonds.filter((b) => b.dcId === dc.id);
  const n = namer(o);
  const canCreate = o.networks.some((x) => x.dcId === dc.id && !x.required);
  return (
    <Paper variant="outlined" sx={{ p: 2 }} role="region" aria-label="Bonds">
      <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>Bonds</Typography>
        <Button variant="contained" href={pageHref('bonds', dc.id, 'new')} disabled={!canCreate}>New bond</Button>
      </Stack>
      {!canCreate && <Typography color="text.secondary">Add a network that is not required first: a bond needs at least one.</Typography>}
      {canCreate && bonds.length === 0 && <Typography color="text.secondary">No bond yet. A bond makes every host of {dc.name} reach every target in it through every network in it.</Typography>}
      {bonds.length > 0 && (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Networks</TableCell>
              <TableCell>Connections</TableCell>
              <TableCell>Paths applied</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {bonds.map((b) => (
              <TableRow key={b.id} aria-label={`bond ${b.name}`}>
                <TableCell>
                  <Typography sx={{ fontWeight: 600, whiteSpace: 'nowrap' }}>{b.name}</Typography>
                  {b.description && <Typography variant="caption" color="text.secondary">{b.description}</Typography>}
                </TableCell>
                <TableCell>{b.networkIds.map((id) => n.network(id)).join(', ')}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 12.5 }}>{b.connectionIds.map((id) => <div key={id}>{n.connection(id)}</div>)}</TableCell>
                <TableCell>{b.appliedPaths}</TableCell>
                <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                  <Stack direction="row" spacing={0.5} sx={{ justifyContent: 'flex-end' }}>
                    <Button size="small" variant="outlined" href={pageHref('bonds', dc.id, 'matrix', b.id)}>Path matrix</Button>
                    <Button size="small" href={pageHref('bonds', dc.id, 'edit', b.id)}>Edit</Button>
                    <ExportButton bondId={b.id} bondName={b.name} />
                    <Button size="small" color="error" onClick={() => setRemoving(b)}>Remove</Button>
                  </Stack>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {removing && removing.appliedPaths > 0 && <RemoveAppliedBond bond={removing} onClose={() => { setRemoving(null); onChanged(); }} onDone={() => { setRemoving(null); onChanged(); }} />}
      {removing && removing.appliedPaths === 0 && (
        <RemoveDialog title={`Remove bond ${removing.name}`} what={`bond ${removing.name}`}
          remove={(confirm) => call('bonds.remove', { id: removing.id, confirm })}
          onClose={() => setRemoving(null)} onDone={() => { setRemoving(null); onChanged(); }} />
      )}
    </Paper>
  );
}
