// Logical networks of a data center (name, CIDR, VLAN, required) and, per host, the NIC that
// carries each one: discovered from the probe's addresses, editable.
import { useState } from 'react';
import { Alert, Button, Chip, Paper, Stack, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from '@mui/material';
import { HostInterfaceInputSchema, NetworkInputSchema, type BondsOverview, type DataCenterView, type NetworkView } from '../../../../shared/domain/bond';
import type { HostView } from '../../../../shared/features/hosts';
import { call } from '../../api/client';
import { FieldsDialog } from './FieldsDialog';
import { RemoveDialog } from './RemoveDialog';
import type { FieldDecl } from '../../components/FieldList';
import { namer } from './api';

interface NetForm extends Record<string, string | boolean | string[]> {
  name: string;
  cidr: string;
  vlan: string;
  required: boolean;
  bridged: boolean;
}

const NET_FIELDS: FieldDecl<NetForm>[] = [
  { key: 'name', label: 'Network name', help: 'Up to 15 characters: letters, digits, ".", "_", "-" (the bridge of a bridged network is named after it).', row: 'id' },
  { key: 'cidr', label: 'CIDR', placeholder: '203.0.113.0/24', help: 'The storage subnet; a host address in it tells which NIC carries the network.', row: 'id', width: 220 },
  { key: 'vlan', label: 'VLAN (optional)', placeholder: '20', help: '1 to 4094; empty when untagged.', width: 200 },
  { key: 'required', label: 'Required in its clusters', kind: 'checkbox', help: 'A required network cannot be part of an iSCSI bond (engine rule): a host losing it goes non-operational anyway.' },
  { key: 'bridged', label: 'Bridged (VM network)', kind: 'checkbox', help: 'VDSM then binds the iSCSI iface to the bridge named after the network.' },
];

function NetworkDialog({ dc, net, onClose, onDone }: { dc: DataCenterView; net: NetworkView | null; onClose: () => void; onDone: () => void }) {
  return (
    <FieldsDialog<NetForm, typeof NetworkInputSchema>
      title={net ? `Edit network ${net.name}` : 'Add logical network'}
      fields={NET_FIELDS}
      initial={{ name: net?.name ?? '', cidr: net?.cidr ?? '', vlan: net?.vlan ? String(net.vlan) : '', required: net?.required ?? false, bridged: net?.bridged ?? false }}
      schema={NetworkInputSchema}
      toInput={(f) => ({
        ...(net ? { id: net.id } : {}), dcId: dc.id, name: f.name.trim(), cidr: f.cidr.trim(),
        vlan: f.vlan.trim() === '' ? null : /^\d+$/.test(f.vlan.trim()) ? Number(f.vlan.trim()) : (f.vlan as unknown as number),
        required: f.required, bridged: f.bridged,
      })}
      submit={(input) => call('bonds.networkSave', input)}
      submitLabel={net ? 'Save' : 'Add'}
      onClose={onClose}
      onDone={onDone}
    />
  );
}

interface NicForm extends Record<string, string | boolean | string[]> {
  nic: string;
}

function NicDialog({ host, net, current, probed, onClose, onDone }: { host: { hostId: string; name: string }; net: NetworkView; current: string | null; probed: HostView | undefined; onClose: () => void; onDone: () => void }) {
  const nics = probed?.capabilities?.interfaces ?? [];
  const fields: FieldDecl<NicForm>[] = [
    nics.length
      ? {
          key: 'nic', label: `NIC of ${host.name} on ${net.name}`, kind: 'select',
          help: `Choose the interface in ${net.cidr}; "none" when ${host.name} is not on this network.`,
          options: [{ value: '', label: 'none (not on this network)' }, ...nics.map((i) => ({ value: i.name, label: `${i.name}${i.up ? '' : ' (down)'} ${i.addresses.filter((a) => a.family === 'inet').map((a) => `${a.address}/${a.prefix}`).join(', ')}` }))],
        }
      : { key: 'nic', label: `NIC of ${host.name} on ${net.name}`, placeholder: 'eth1', help: 'The host has not been probed: type the interface name, or leave empty when it is not on this network.' },
  ];
  return (
    <FieldsDialog<NicForm, typeof HostInterfaceInputSchema>
      title={`Interface of ${host.name} on ${net.name}`}
      fields={fields}
      initial={{ nic: current ?? '' }}
      schema={HostInterfaceInputSchema}
      toInput={(f) => ({ hostId: host.hostId, networkId: net.id, nic: f.nic.trim() === '' ? null : f.nic.trim() })}
      submit={(input) => call('bonds.interfaceSet', input)}
      submitLabel="Save"
      onClose={onClose}
      onDone={onDone}
    />
  );
}

export function NetworksSection({ o, dc, onChanged }: { o: BondsOverview; dc: DataCenterView; onChanged: () => void }) {
  const [editing, setEditing] = useState<NetworkView | 'new' | null>(null);
  const [removing, setRemoving] = useState<NetworkView | null>(null);
  const nets = o.networks.filter((n) => n.dcId === dc.id);
  const bondsOf = (id: string) => o.bonds.filter((b) => b.networkIds.includes(id)).map((b) => b.name);
  return (
    <Paper variant="outlined" sx={{ p: 2 }} role="region" aria-label="Logical networks">
      <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>Logical networks</Typography>
        <Button variant="outlined" onClick={() => setEditing('new')}>Add network</Button>
      </Stack>
      {nets.length === 0 ? (
        <Typography color="text.secondary">No network yet. Add each storage network (its subnet): a bond needs at least one, and two make a multipath.</Typography>
      ) : (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>CIDR</TableCell>
              <TableCell>VLAN</TableCell>
              <TableCell>Required</TableCell>
              <TableCell>In bonds</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {nets.map((n) => (
              <TableRow key={n.id} aria-label={`network ${n.name}`}>
                <TableCell sx={{ fontWeight: 600 }}>{n.name}{n.bridged ? ' (bridged)' : ''}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace' }}>{n.cidr}</TableCell>
                <TableCell>{n.vlan ?? 'untagged'}</TableCell>
                <TableCell>{n.required ? <Tooltip title="Required networks cannot be part of a bond"><Chip size="small" color="warning" label="required" variant="outlined" /></Tooltip> : 'no'}</TableCell>
                <TableCell>{bondsOf(n.id).join(', ') || '—'}</TableCell>
                <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                  <Button size="small" onClick={() => setEditing(n)}>Edit</Button>
                  <Button size="small" color="error" onClick={() => setRemoving(n)}>Remove</Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {editing && <NetworkDialog dc={dc} net={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onDone={() => { setEditing(null); onChanged(); }} />}
      {removing && (
        <RemoveDialog title={`Remove network ${removing.name}`} what={`network ${removing.name}`}
          remove={(confirm) => call('bonds.networkRemove', { id: removing.id, confirm })}
          onClose={() => setRemoving(null)} onDone={() => { setRemoving(null); onChanged(); }} />
      )}
    </Paper>
  );
}

export function HostInterfacesSection({ o, dc, hosts, onChanged }: { o: BondsOverview; dc: DataCenterView; hosts: HostView[]; onChanged: () => void }) {
  const [editing, setEditing] = useState<{ hostId: string; net: NetworkView } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nets = o.networks.filter((n) => n.dcId === dc.id);
  const n = namer(o);
  if (nets.length === 0 || dc.hostIds.length === 0) return null;
  const iface = (hostId: string, networkId: string) => o.interfaces.find((i) => i.hostId === hostId && i.networkId === networkId);
  const discover = async () => {
    setBusy(true);
    setError(null);
    try {
      await call('bonds.interfacesDiscover', { dcId: dc.id });
      onChanged();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper variant="outlined" sx={{ p: 2 }} role="region" aria-label="Host interfaces">
      <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>Host interfaces</Typography>
        <Button variant="outlined" onClick={() => void discover()} disabled={busy}>{busy ? 'Probing…' : 'Find from the hosts’ addresses'}</Button>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        Which NIC carries each network on each host: found from the address each host has in the network’s CIDR; an entry you set by hand is kept by later probes.
      </Typography>
      {error && <Alert severity="error" sx={{ mb: 1 }}>{error}</Alert>}
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Host</TableCell>
            {nets.map((x) => <TableCell key={x.id}>{x.name} ({x.cidr})</TableCell>)}
          </TableRow>
        </TableHead>
        <TableBody>
          {dc.hostIds.map((h) => (
            <TableRow key={h} aria-label={`interfaces of ${n.host(h)}`}>
              <TableCell sx={{ fontWeight: 600 }}>{n.host(h)}</TableCell>
              {nets.map((x) => {
                const i = iface(h, x.id);
                return (
                  <TableCell key={x.id} aria-label={`${n.host(h)} on ${x.name}`}>
                    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                      {i?.nic ? (
                        <span><code>{i.nic}</code>{i.address ? ` ${i.address}` : ''}<Typography component="span" variant="caption" color="text.secondary"> ({i.source === 'manual' ? 'set by hand' : 'found'})</Typography></span>
                      ) : (
                        <Typography variant="body2" color="warning.main">not on {x.name}</Typography>
                      )}
                      <Button size="small" onClick={() => setEditing({ hostId: h, net: x })} aria-label={`Edit the NIC of ${n.host(h)} on ${x.name}`}>Edit</Button>
                    </Stack>
                  </TableCell>
                );
              })}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {editing && (
        <NicDialog host={{ hostId: editing.hostId, name: n.host(editing.hostId) }} net={editing.net} current={iface(editing.hostId, editing.net.id)?.nic ?? null}
          probed={hosts.find((x) => x.id === editing.hostId)} onClose={() => setEditing(null)} onDone={() => { setEditing(null); onChanged(); }} />
      )}
    </Paper>
  );
}
