// Storage connections of a data center (target IQN, portal, port, TPGT, CHAP user): taken from a
// storage server Portico manages, or found by SendTargets discovery. One connection per portal.
import { useState } from 'react';
import {
  Alert, Button, Checkbox, FormControl, FormControlLabel, FormGroup, FormLabel, MenuItem, Paper, Radio, RadioGroup,
  Stack, Switch, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import { ConnectionInputSchema, type BondsOverview, type CandidateConnection, type DataCenterView, type ConnectionView } from '../../../../shared/domain/bond';
import type { HostView } from '../../../../shared/features/hosts';
import { call } from '../../api/client';
import { apiPathErrors, zodPathErrors, type FieldErrors } from '../../components/form';
import { FormDialog } from '../../components/FormDialog';
import { RemoveDialog } from './RemoveDialog';
import { namer, portalText } from './api';

type Source = 'managed' | 'discovery';

/** Candidates grouped by target (IQN + TPGT): the admin picks a target, then its portals. */
function byTarget(c: CandidateConnection[]): { key: string; iqn: string; tpgt: number; portals: CandidateConnection[] }[] {
  const m = new Map<string, { key: string; iqn: string; tpgt: number; portals: CandidateConnection[] }>();
  for (const x of c) {
    const key = `${x.iqn}#${x.tpgt}`;
    if (!m.has(key)) m.set(key, { key, iqn: x.iqn, tpgt: x.tpgt, portals: [] });
    m.get(key)!.portals.push(x);
  }
  return [...m.values()];
}

function AddConnectionsDialog({ o, dc, hosts, onClose, onDone }: { o: BondsOverview; dc: DataCenterView; hosts: HostView[]; onClose: () => void; onDone: () => void }) {
  const servers = hosts.filter((h) => h.roles.includes('storage'));
  const [source, setSource] = useState<Source>(servers.length ? 'managed' : 'discovery');
  const [serverId, setServerId] = useState('');
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('3260');
  const [via, setVia] = useState('');
  const [candidates, setCandidates] = useState<CandidateConnection[] | null>(null);
  const [target, setTarget] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [chap, setChap] = useState(false);
  const [chapUser, setChapUser] = useState('');
  const [chapSecret, setChapSecret] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState<string | null>(null);
  const n = namer(o);
  const targets = candidates ? byTarget(candidates) : [];
  const chosen = targets.find((t) => t.key === target);
  const pkey = (c: CandidateConnection) => portalText(c.address, c.port);

  const find = async (src: Source, sid = serverId) => {
    setErrors({});
    setCandidates(null);
    setTarget('');
    setPicked([]);
    if (src === 'managed' && !sid) return;
    setBusy('find');
    try {
      const c = await call('bonds.connectionCandidates', {
        dcId: dc.id,
        source: src === 'managed' ? { kind: 'managed', serverId: sid } : { kind: 'discovery', address: address.trim(), port: port.trim() === '' ? 3260 : Number(port), ...(via ? { via } : {}) },
      });
      setCandidates(c);
      const t = byTarget(c);
      if (t.length === 1) {
        setTarget(t[0].key);
        setPicked(t[0].portals.filter((p) => !p.existingId).map(pkey));
      }
    } catch (e) {
      setErrors(apiPathErrors(e));
    } finally {
      setBusy(null);
    }
  };

  const add = async () => {
    if (!chosen) {
      setErrors({ target: 'target: choose the target to connect to' });
      return;
    }
    const rows = chosen.portals.filter((p) => picked.includes(pkey(p)) && !p.existingId);
    if (rows.length === 0) {
      setErrors({ portals: 'portals: tick at least one portal that is not a connection yet' });
      return;
    }
    const inputs = rows.map((p) => ({
      dcId: dc.id, iqn: p.iqn, address: p.address, port: p.port, tpgt: p.tpgt, serverId: p.serverId,
      chap: chap ? { user: chapUser.trim(), secret: chapSecret } : null,
    }));
    for (const i of inputs) {
      const r = ConnectionInputSchema.safeParse(i);
      if (!r.success) {
        setErrors(zodPathErrors(r.error));
        return;
      }
    }
    setBusy('add');
    try {
      for (const i of inputs) await call('bonds.connectionSave', i);
      onDone();
    } catch (e) {
      setErrors(apiPathErrors(e));
    } finally {
      setBusy(null);
    }
  };

  const known = new Set(['target', 'portals', 'chap.user', 'chap.secret', 'address', 'port', 'source.address', 'source.port']);
  const other = Object.entries(errors).filter(([k]) => !known.has(k)).map(([, m]) => m);
  const e = (k: string) => errors[k] ?? errors[`source.${k}`];

  return (
    <FormDialog title="Add storage connections" onClose={onClose} onSubmit={chosen ? () => void add() : undefined} submitLabel={busy === 'add' ? 'Adding…' : 'Add'} busy={!!busy}>
        <Stack spacing={2} sx={{ pt: 1 }}>
          {other.map((m) => <Alert key={m} severity="error">{m}</Alert>)}
          <FormControl>
            <FormLabel id="bonds-conn-source">Where the targets come from</FormLabel>
            <RadioGroup row aria-labelledby="bonds-conn-source" value={source} onChange={(ev) => { setSource(ev.target.value as Source); setCandidates(null); setErrors({}); }}>
              <FormControlLabel value="managed" control={<Radio />} label="A storage server Portico manages" disabled={!servers.length} />
              <FormControlLabel value="discovery" control={<Radio />} label="Discovery (SendTargets) at a portal" />
            </RadioGroup>
          </FormControl>
          {source === 'managed' ? (
            <TextField select label="Storage server" value={serverId} sx={{ maxWidth: 420 }}
              onChange={(ev) => { setServerId(ev.target.value); void find('managed', ev.target.value); }}
              helperText={busy === 'find' ? 'Reading its targets…' : 'Its targets and portals, as the Targets page shows them.'}>
              {servers.map((s) => <MenuItem key={s.id} value={s.id}>{s.name} ({s.address})</MenuItem>)}
            </TextField>
          ) : (
            <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
              <TextField label="Portal address" value={address} onChange={(ev) => setAddress(ev.target.value)} error={!!e('address')} helperText={e('address') ?? 'IP address or DNS name'} sx={{ flex: 1 }} />
              <TextField label="Port" value={port} onChange={(ev) => setPort(ev.target.value)} error={!!e('port')} helperText={e('port') ?? ' '} sx={{ width: 110 }} />
              <TextField select label="Discover from" value={via} onChange={(ev) => setVia(ev.target.value)} sx={{ width: 220 }} helperText="A host on the storage network, or this workstation">
                <MenuItem value="">this workstation</MenuItem>
                {dc.hostIds.map((h) => <MenuItem key={h} value={h}>{n.host(h)}</MenuItem>)}
              </TextField>
              <Button variant="outlined" onClick={() => void find('discovery')} disabled={!!busy} sx={{ mt: 1 }}>{busy === 'find' ? 'Discovering…' : 'Discover'}</Button>
            </Stack>
          )}
          {candidates && candidates.length === 0 && <Alert severity="warning">No targets found there. Check the target’s ACL lets these hosts in, then try again.</Alert>}
          {targets.length > 0 && (
            <TextField select label="Target" value={target} error={!!errors.target} helperText={errors.target ?? `${targets.length} target(s)`}
              onChange={(ev) => { setTarget(ev.target.value); setPicked(targets.find((t) => t.key === ev.target.value)!.portals.filter((p) => !p.existingId).map(pkey)); }}>
              {targets.map((t) => <MenuItem key={t.key} value={t.key}>{t.iqn} (TPGT {t.tpgt})</MenuItem>)}
            </TextField>
          )}
          {chosen && (
            <FormControl error={!!errors.portals} component="fieldset">
              <FormLabel component="legend">Portals (one connection each)</FormLabel>
              <FormGroup>
                {chosen.portals.map((p) => (
                  <FormControlLabel key={pkey(p)} disabled={!!p.existingId}
                    control={<Checkbox checked={picked.includes(pkey(p)) || !!p.existingId} onChange={(ev) => setPicked(ev.target.checked ? [...picked, pkey(p)] : picked.filter((x) => x !== pkey(p)))} slotProps={{ input: { 'aria-label': pkey(p) } }} />}
                    label={`${pkey(p)} · ${p.networkId ? `network ${n.network(p.networkId)}` : 'in no network of this data center'}${p.existingId ? ' · already a connection' : ''}`} />
                ))}
              </FormGroup>
              {errors.portals && <Typography variant="caption" color="error">{errors.portals}</Typography>}
            </FormControl>
          )}
          {chosen && (
            <Stack spacing={1}>
              <FormControlLabel control={<Switch checked={chap} onChange={(ev) => setChap(ev.target.checked)} />} label="The target needs CHAP" />
              {chap && (
                <Stack direction="row" spacing={2}>
                  <TextField label="CHAP user" value={chapUser} onChange={(ev) => setChapUser(ev.target.value)} error={!!errors['chap.user']} helperText={errors['chap.user'] ?? ' '} fullWidth />
                  <TextField label="CHAP secret" type="password" autoComplete="new-password" value={chapSecret} onChange={(ev) => setChapSecret(ev.target.value)} error={!!errors['chap.secret']}
                    helperText={errors['chap.secret'] ?? 'Kept in Portico’s secret store; shown as ****** from now on.'} fullWidth />
                </Stack>
              )}
            </Stack>
          )}
        </Stack>
    </FormDialog>
  );
}

export function ConnectionsSection({ o, dc, hosts, onChanged }: { o: BondsOverview; dc: DataCenterView; hosts: HostView[]; onChanged: () => void }) {
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<ConnectionView | null>(null);
  const conns = o.connections.filter((c) => c.dcId === dc.id);
  const n = namer(o);
  return (
    <Paper variant="outlined" sx={{ p: 2 }} role="region" aria-label="Storage connections">
      <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>Storage connections</Typography>
        <Button variant="outlined" onClick={() => setAdding(true)}>Add storage connections</Button>
      </Stack>
      {conns.length === 0 ? (
        <Typography color="text.secondary">No connection yet. Add the targets the hosts should reach, one connection per portal.</Typography>
      ) : (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Target</TableCell>
              <TableCell>Portal</TableCell>
              <TableCell>TPGT</TableCell>
              <TableCell>Network</TableCell>
              <TableCell>CHAP</TableCell>
              <TableCell>Used by</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {conns.map((c) => (
              <TableRow key={c.id} aria-label={`connection ${c.iqn} ${portalText(c.address, c.port)}`}>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 13, wordBreak: 'break-all' }}>{c.iqn}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 13 }}>{portalText(c.address, c.port)}</TableCell>
                <TableCell>{c.tpgt}</TableCell>
                <TableCell>{c.networkId ? n.network(c.networkId) : '—'}</TableCell>
                <TableCell>{c.chap ? `user ${c.chap.user}, secret ******` : 'none'}</TableCell>
                <TableCell>{c.usedBy.join(', ') || '—'}</TableCell>
                <TableCell align="right"><Button size="small" color="error" onClick={() => setRemoving(c)}>Remove</Button></TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {adding && <AddConnectionsDialog o={o} dc={dc} hosts={hosts} onClose={() => setAdding(false)} onDone={() => { setAdding(false); onChanged(); }} />}
      {removing && (
        <RemoveDialog title="Remove storage connection" what={`the connection to ${removing.iqn} at ${portalText(removing.address, removing.port)}`}
          remove={(confirm) => call('bonds.connectionRemove', { id: removing.id, confirm })}
          onClose={() => setRemoving(null)} onDone={() => { setRemoving(null); onChanged(); }} />
      )}
    </Paper>
  );
}
