// Data centers: groups of hypervisor hosts a bond spans. Create, edit (hosts in it), remove (with
// what goes with it said first).
import { useState } from 'react';
import { Button, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { DataCenterInputSchema, type BondsOverview, type DataCenterView } from '../../../../shared/domain/bond';
import { call } from '../../api/client';
import { FieldsDialog } from './FieldsDialog';
import { RemoveDialog } from './RemoveDialog';
import type { FieldDecl } from '../../components/FieldList';
import { namer } from './api';

interface DcForm extends Record<string, string | boolean | string[]> {
  name: string;
  description: string;
  hostIds: string[];
}

const KIND_WORDS = { vdsm: 'oVirt host, VDSM', linux: 'plain Linux, iscsiadm' } as const;

function dcFields(o: BondsOverview): FieldDecl<DcForm>[] {
  return [
    { key: 'name', label: 'Data center name', help: 'Letters, digits, ".", "_" and "-", e.g. dc-east.' },
    { key: 'description', label: 'Description (optional)' },
    {
      key: 'hostIds', label: 'Hosts in this data center', kind: 'checkboxes',
      help: o.hosts.length ? 'Every host here connects to every target of a bond through every bonded network it has.' : 'No hypervisor in the inventory yet: add hosts on the Hosts page.',
      options: o.hosts.map((h) => ({ value: h.hostId, label: `${h.name} (${KIND_WORDS[h.kind]})` })),
    },
  ];
}

export function DataCenterDialog({ o, dc, onClose, onDone }: { o: BondsOverview; dc: DataCenterView | null; onClose: () => void; onDone: () => void }) {
  return (
    <FieldsDialog<DcForm, typeof DataCenterInputSchema>
      title={dc ? `Edit data center ${dc.name}` : 'New data center'}
      fields={dcFields(o)}
      initial={{ name: dc?.name ?? '', description: dc?.description ?? '', hostIds: dc?.hostIds ?? [] }}
      schema={DataCenterInputSchema}
      toInput={(f) => ({ ...(dc ? { id: dc.id } : {}), name: f.name.trim(), description: f.description, hostIds: f.hostIds })}
      submit={(input) => call('bonds.dcSave', input)}
      submitLabel={dc ? 'Save' : 'Create'}
      onClose={onClose}
      onDone={onDone}
    />
  );
}

export function DataCentersSection({ o, selected, onOpen, onChanged }: { o: BondsOverview; selected: string | null; onOpen: (dcId: string) => void; onChanged: () => void }) {
  const [editing, setEditing] = useState<DataCenterView | 'new' | null>(null);
  const [removing, setRemoving] = useState<DataCenterView | null>(null);
  const n = namer(o);
  return (
    <Paper variant="outlined" sx={{ p: 2 }} role="region" aria-label="Data centers">
      <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>Data centers</Typography>
        <Button variant="outlined" onClick={() => setEditing('new')}>New data center</Button>
      </Stack>
      {o.dataCenters.length === 0 ? (
        <Typography color="text.secondary">No data center yet. A data center groups the hypervisors a bond spans: create one with the hosts that share the storage networks.</Typography>
      ) : (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Hosts</TableCell>
              <TableCell>Networks</TableCell>
              <TableCell>Connections</TableCell>
              <TableCell>Bonds</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {o.dataCenters.map((dc) => (
              <TableRow key={dc.id} aria-label={`${dc.name} data center`} selected={dc.id === selected}>
                <TableCell sx={{ fontWeight: 600 }}>{dc.name}</TableCell>
                <TableCell>{dc.hostIds.map(n.host).join(', ') || 'none'}</TableCell>
                <TableCell>{o.networks.filter((x) => x.dcId === dc.id).length}</TableCell>
                <TableCell>{o.connections.filter((x) => x.dcId === dc.id).length}</TableCell>
                <TableCell>{o.bonds.filter((x) => x.dcId === dc.id).length}</TableCell>
                <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                  <Button size="small" onClick={() => onOpen(dc.id)} disabled={dc.id === selected}>Open</Button>
                  <Button size="small" onClick={() => setEditing(dc)}>Edit</Button>
                  <Button size="small" color="error" onClick={() => setRemoving(dc)}>Remove</Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {editing && <DataCenterDialog o={o} dc={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onDone={() => { setEditing(null); onChanged(); }} />}
      {removing && (
        <RemoveDialog title={`Remove data center ${removing.name}`} what={`data center ${removing.name}`}
          remove={(confirm) => call('bonds.dcRemove', { id: removing.id, confirm })}
          onClose={() => setRemoving(null)} onDone={() => { setRemoving(null); onChanged(); }} />
      )}
    </Paper>
  );
}
