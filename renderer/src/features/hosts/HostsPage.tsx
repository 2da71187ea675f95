import { useState } from 'react';
import {
  Alert, Box, Button, Chip, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, IconButton, Paper, Stack,
  Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography,
} from '@mui/material';
import RefreshIcon from '@mui/icons-material/Refresh';
import DeleteOutlineIcon from '@mui/icons-material/DeleteOutlined';
import EditOutlinedIcon from '@mui/icons-material/EditOutlined';
import { useQueryClient } from '@tanstack/react-query';
import type { HostView } from '../../../../shared/features/hosts';
import { call } from '../../api/client';
import { useHosts } from './api';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { CapabilitiesSummary } from '../../components/CapabilitiesSummary';
import { AddHostDialog, ROLE_LABELS } from './AddHostDialog';
import { ReacceptKeyDialog } from './ReacceptKeyDialog';

const STATE_COLOR = { idle: 'default', connecting: 'info', connected: 'success', failed: 'error', blocked: 'error' } as const;

function StateChip({ h }: { h: HostView }) {
  const s = h.connection;
  return (
    <Tooltip title={s.reason ?? ''}>
      <Chip size="small" color={STATE_COLOR[s.state]} label={s.state === 'blocked' ? 'blocked: host key changed' : s.state} />
    </Tooltip>
  );
}

function HostDetail({ h, onChanged }: { h: HostView; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [reaccepting, setReaccepting] = useState(false);
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
      onChanged();
    }
  };
  const mismatch = h.connection.code === 'hostkey-mismatch' && h.connection.hostKey;
  return (
    <Paper variant="outlined" sx={{ p: 2 }} aria-label={`Host ${h.name}`}>
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: "center" }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          {h.name}
        </Typography>
        <Button size="small" startIcon={<RefreshIcon />} disabled={busy} onClick={() => void act(() => call('hosts.reconnect', { hostId: h.id }))}>
          Reconnect
        </Button>
        <Button size="small" startIcon={<EditOutlinedIcon />} disabled={busy} onClick={() => setEditing(true)}>
          Edit
        </Button>
        <Button size="small" color="error" startIcon={<DeleteOutlineIcon />} disabled={busy} onClick={() => setConfirmRemove(true)}>
          Remove
        </Button>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {h.user}@{h.address}:{h.port} · {h.authKind === 'key' ? `key ${h.keyPath}` : h.authKind} {h.sudo ? '· sudo' : ''} · host key {h.hostKey ? `${h.hostKey.type} ${h.hostKey.fingerprint}` : 'not accepted yet'}
      </Typography>
      {error && <Alert severity="error" sx={{ mb: 1 }}>{error}</Alert>}
      {h.connection.state === 'failed' && h.connection.reason && <Alert severity="error" sx={{ mb: 1 }}>{h.connection.reason}</Alert>}
      {mismatch && (
        <Alert
          severity="error"
          sx={{ mb: 1 }}
          action={
            <Button color="inherit" size="small" sx={{ whiteSpace: "nowrap" }} disabled={busy} onClick={() => setReaccepting(true)}>
              Review and re-accept…
            </Button>
          }
        >
          The host key of {h.name} changed: at the last connect it presented {h.connection.hostKey!.type} {h.connection.hostKey!.fingerprint}
          {h.connection.expectedHostKey ? ` instead of ${h.connection.expectedHostKey.fingerprint}` : ''}. Nothing runs on this host until you reconnect with the key on record or confirm the new key is genuine (for example after a reinstall).
        </Alert>
      )}
      {mismatch && <ReacceptKeyDialog host={h} open={reaccepting} onClose={() => setReaccepting(false)} onDone={onChanged} />}
      {h.capabilities ? <CapabilitiesSummary caps={h.capabilities} /> : <Typography color="text.secondary">Not probed yet: connect to see what this host offers.</Typography>}
      {editing && <AddHostDialog open editing={h} onClose={() => { setEditing(false); onChanged(); }} />}
      <Dialog open={confirmRemove} onClose={() => setConfirmRemove(false)}>
        <DialogTitle>Remove {h.name}?</DialogTitle>
        <DialogContent>
          <DialogContentText>Portico forgets this host, its accepted host key and its stored password or passphrase. Nothing on the host itself changes.</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirmRemove(false)}>Keep</Button>
          <Button color="error" variant="contained" onClick={() => { setConfirmRemove(false); void act(() => call('hosts.remove', { hostId: h.id })); }}>
            Remove host
          </Button>
        </DialogActions>
      </Dialog>
    </Paper>
  );
}

export function HostsPage() {
  const hosts = useHosts();
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['hosts'] });
  const list = hosts.data ?? [];
  const current = list.find((h) => h.id === selected) ?? list[0];
  return (
    <>
      <PageHeader
        title="Hosts"
        subtitle="Storage servers and hypervisors Portico manages over SSH."
        actions={list.length > 0 && <Button variant="contained" onClick={() => setAdding(true)}>Add host</Button>}
      />
      {hosts.isError && <Alert severity="error">{(hosts.error as Error).message}</Alert>}
      {hosts.data && list.length === 0 && (
        <EmptyState title="Add your first storage server" action={<Button variant="contained" onClick={() => setAdding(true)}>Add host</Button>}>
          Portico connects to your storage servers and hypervisor hosts over SSH. Start with the Linux box that will serve iSCSI targets.
        </EmptyState>
      )}
      {list.length > 0 && (
        <Stack spacing={2}>
          <Paper variant="outlined">
            <Table size="small" aria-label="Hosts">
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell>Address</TableCell>
                  <TableCell>Roles</TableCell>
                  <TableCell>Group</TableCell>
                  <TableCell>State</TableCell>
                  <TableCell align="right">Reconnect</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {list.map((h) => (
                  <TableRow key={h.id} hover selected={current?.id === h.id} onClick={() => setSelected(h.id)} sx={{ cursor: 'pointer' }}>
                    <TableCell>{h.name}</TableCell>
                    <TableCell>{h.address}:{h.port}</TableCell>
                    <TableCell>{h.roles.map((r) => ROLE_LABELS[r]).join(', ')}</TableCell>
                    <TableCell>{h.group ?? '—'}</TableCell>
                    <TableCell><StateChip h={h} /></TableCell>
                    <TableCell align="right">
                      <IconButton size="small" aria-label={`Reconnect ${h.name}`} onClick={(e) => { e.stopPropagation(); void call('hosts.reconnect', { hostId: h.id }).catch(() => undefined).finally(refresh); }}>
                        <RefreshIcon fontSize="small" />
                      </IconButton>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Paper>
          {current && <HostDetail key={current.id} h={current} onChanged={refresh} />}
        </Stack>
      )}
      <Box>
        <AddHostDialog open={adding} onClose={() => setAdding(false)} />
      </Box>
    </>
  );
}
