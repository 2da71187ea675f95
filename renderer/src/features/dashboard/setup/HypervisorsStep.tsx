// Step 4: several hypervisors at once, from ~/.ssh/config aliases or a pasted list, with one shared
// credential choice; each is added (hosts.add), its host key accepted on its own row, and probed.
import { useState } from 'react';
import {
  Alert, Button, Checkbox, Chip, FormControlLabel, FormGroup, FormLabel, Radio, RadioGroup, Stack, Switch, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { parseHostList, type PastedHost } from '../../../../../shared/features/setup';
import type { HostView } from '../../../../../shared/features/hosts';
import type { HostKeyInfo } from '../../../../../shared/domain/host';
import { call } from '../../../api/client';
import { useHosts } from '../../hosts/api';
import { StepFrame } from './StepFrame';
import type { StepApi } from './progress';

interface Credential { user: string; kind: 'key' | 'agent' | 'password'; keyPath: string; password: string; sudo: boolean }
interface Added { name: string; hostId: string | null; hostKey: HostKeyInfo | null; error: string | null }

function auth(c: Credential) {
  return c.kind === 'key' ? { kind: 'key' as const, keyPath: c.keyPath } : c.kind === 'agent' ? { kind: 'agent' as const } : { kind: 'password' as const, password: c.password };
}

export function HypervisorsStep({ api }: { api: StepApi }) {
  const qc = useQueryClient();
  const hosts = useHosts();
  const aliases = useQuery({ queryKey: ['hosts.sshConfig'], queryFn: () => call('hosts.sshConfig', {}) });
  const [source, setSource] = useState<'aliases' | 'list'>('list');
  const [picked, setPicked] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [lineErrors, setLineErrors] = useState<string[]>([]);
  const [cred, setCred] = useState<Credential>({ user: 'root', kind: 'key', keyPath: '~/.ssh/id_ed25519', password: '', sudo: false });
  const [added, setAdded] = useState<Added[]>([]);
  const [busy, setBusy] = useState(false);
  const hypervisors = (hosts.data ?? []).filter((h) => h.roles.includes('hypervisor'));
  const ready = hypervisors.filter((h) => h.hostKey && h.connection.state !== 'blocked');
  const refresh = () => qc.invalidateQueries({ queryKey: ['hosts'] });

  const candidates = (): PastedHost[] | null => {
    if (source === 'aliases') {
      setLineErrors(picked.length ? [] : ['Choose at least one alias.']);
      return (aliases.data ?? []).filter((a) => picked.includes(a.alias)).map((a) => ({ name: a.alias, address: a.hostName, port: a.port, user: a.user }));
    }
    const r = parseHostList(text);
    setLineErrors(r.errors.length ? r.errors : r.hosts.length ? [] : ['Enter at least one host, e.g. hv1 root@192.0.2.21.']);
    return r.errors.length ? null : r.hosts;
  };

  const addAll = async () => {
    const list = candidates();
    if (!list?.length) return;
    setBusy(true);
    // Each host on its own: one refusal (a duplicate name, a wrong password) does not stop the others.
    const out = await Promise.all(list.map(async (h): Promise<Added> => {
      try {
        const r = await call('hosts.add', { name: h.name, address: h.address, port: h.port, user: h.user ?? cred.user, auth: auth(cred), sudo: cred.sudo, roles: ['hypervisor'] });
        // A host that cannot be reached or logged in to is not left half-added in the inventory.
        if (r.error && !r.hostKey) await call('hosts.remove', { hostId: r.host.id }).catch(() => undefined);
        return { name: h.name, hostId: r.error ? null : r.host.id, hostKey: r.hostKey, error: r.error ? `${r.error.message} (not added)` : null };
      } catch (e) {
        return { name: h.name, hostId: null, hostKey: null, error: e instanceof Error ? e.message : String(e) };
      }
    }));
    setAdded((x) => [...x.filter((a) => !out.some((o) => o.name === a.name)), ...out]);
    setBusy(false);
    void refresh();
  };

  const accept = async (a: Added) => {
    try {
      await call('hosts.acceptKey', { hostId: a.hostId!, fingerprint: a.hostKey!.fingerprint });
      setAdded((x) => x.map((y) => (y.name === a.name ? { ...y, hostKey: null, error: null } : y)));
    } catch (e) {
      setAdded((x) => x.map((y) => (y.name === a.name ? { ...y, error: e instanceof Error ? e.message : String(e) } : y)));
    }
    void refresh();
  };

  const statusOf = (h: HostView | undefined, a: Added | undefined) => {
    if (a?.error) return <Typography variant="body2" color="error">{a.error}</Typography>;
    if (a?.hostKey) return <Typography variant="body2">New host key <code data-testid={`fingerprint-${a.name}`}>{a.hostKey.fingerprint}</code> ({a.hostKey.type}): compare it with the host's before accepting.</Typography>;
    if (!h) return null;
    return <Typography variant="body2">{h.capabilities?.initiatorName ? <>initiator <code>{h.capabilities.initiatorName}</code></> : 'no iSCSI initiator name found by the probe'}</Typography>;
  };

  const names = [...new Set([...hypervisors.map((h) => h.name), ...added.map((a) => a.name)])];
  return (
    <StepFrame
      id="hypervisors"
      api={api}
      intro="Add the hosts that will log in to the target. Each is connected over SSH, its host key shown for you to accept, and probed for its iSCSI initiator name."
      canContinue={ready.length > 0 && !added.some((a) => a.hostKey)}
      onContinue={() => void api.done(`${ready.map((h) => h.name).join(', ')} added as hypervisor(s).`, { hypervisorIds: ready.map((h) => h.id) })}
    >
      <Stack spacing={2}>
        <RadioGroup row aria-label="Where the hosts come from" value={source} onChange={(e) => setSource(e.target.value as 'aliases' | 'list')}>
          <FormControlLabel value="list" control={<Radio />} label="A pasted list" />
          <FormControlLabel value="aliases" control={<Radio />} label="~/.ssh/config aliases" disabled={!aliases.data?.length} />
        </RadioGroup>
        {source === 'list' ? (
          <TextField label="Hosts, one a line" multiline minRows={3} value={text} onChange={(e) => setText(e.target.value)} placeholder={'hv1 192.0.2.21\nhv2 root@192.0.2.22:22'}
            helperText="[name] [user@]address[:port] — the name defaults to the host name's first label." />
        ) : (
          <FormGroup aria-label="SSH config aliases">
            {(aliases.data ?? []).map((a) => (
              <FormControlLabel key={a.alias} label={`${a.alias} (${a.user ? `${a.user}@` : ''}${a.hostName}:${a.port})`}
                control={<Checkbox checked={picked.includes(a.alias)} onChange={(e) => setPicked((x) => (e.target.checked ? [...x, a.alias] : x.filter((y) => y !== a.alias)))} />} />
            ))}
          </FormGroup>
        )}
        {lineErrors.map((e) => <Alert key={e} severity="error">{e}</Alert>)}
        <FormLabel id="cred-label">One credential for all of them</FormLabel>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap' }} useFlexGap>
          <TextField size="small" label="User (unless the line says)" value={cred.user} onChange={(e) => setCred({ ...cred, user: e.target.value })} />
          <RadioGroup row aria-labelledby="cred-label" value={cred.kind} onChange={(e) => setCred({ ...cred, kind: e.target.value as Credential['kind'] })}>
            <FormControlLabel value="key" control={<Radio />} label="Private key file" />
            <FormControlLabel value="agent" control={<Radio />} label="ssh-agent" />
            <FormControlLabel value="password" control={<Radio />} label="Password" />
          </RadioGroup>
          {cred.kind === 'key' && <TextField size="small" label="Key file" value={cred.keyPath} onChange={(e) => setCred({ ...cred, keyPath: e.target.value })} sx={{ minWidth: 380 }} />}
          {cred.kind === 'password' && <TextField size="small" type="password" label="Password" autoComplete="off" value={cred.password} onChange={(e) => setCred({ ...cred, password: e.target.value })} />}
          <FormControlLabel control={<Switch checked={cred.sudo} onChange={(e) => setCred({ ...cred, sudo: e.target.checked })} />} label="Use sudo -n" />
        </Stack>
        <div><Button variant="outlined" onClick={() => void addAll()} disabled={busy}>{busy ? 'Connecting…' : 'Add and probe'}</Button></div>
        {names.length > 0 && (
          <Table size="small" aria-label="Hypervisors">
            <TableHead><TableRow><TableCell>Host</TableCell><TableCell>State</TableCell><TableCell>What the probe found</TableCell><TableCell /></TableRow></TableHead>
            <TableBody>
              {names.map((n) => {
                const h = hypervisors.find((x) => x.name === n);
                const a = added.find((x) => x.name === n);
                return (
                  <TableRow key={n} aria-label={`hypervisor ${n}`}>
                    <TableCell>{n}{h && <Typography variant="caption" color="text.secondary" component="div">{h.address}</Typography>}</TableCell>
                    <TableCell><Chip size="small" variant="outlined" label={a?.hostKey ? 'key to accept' : a?.error ? 'failed' : h?.connection.state ?? '—'} color={a?.error ? 'error' : h?.connection.state === 'connected' ? 'success' : 'default'} /></TableCell>
                    <TableCell>{statusOf(h, a)}</TableCell>
                    <TableCell>{a?.hostKey && <Button size="small" variant="contained" onClick={() => void accept(a)}>Accept key of {n}</Button>}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </Stack>
    </StepFrame>
  );
}
