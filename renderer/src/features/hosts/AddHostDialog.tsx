// Add-host wizard: connection details -> host key (trust on first use) -> connected, capabilities.
import { useState } from 'react';
import {
  Alert, Box, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControl, FormControlLabel, FormGroup,
  FormHelperText, FormLabel, MenuItem, Radio, RadioGroup, Stack, Step, StepLabel, Stepper, Switch, TextField, Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { HOST_ROLES, HostInputSchema, type HostKeyInfo, type HostRole } from '../../../../shared/domain/host';
import type { HostView } from '../../../../shared/features/hosts';
import { call } from '../../api/client';
import { apiFieldErrors, zodFieldErrors, type FieldErrors } from '../../components/form';
import { CapabilitiesSummary } from '../../components/CapabilitiesSummary';

export const ROLE_LABELS: Record<HostRole, string> = {
  storage: 'Storage server',
  hypervisor: 'Hypervisor',
  'one-frontend': 'OpenNebula front-end',
  'ovirt-host': 'oVirt host',
};

const STEPS = ['Connection', 'Host key', 'Connected'];

interface Form {
  name: string; address: string; port: string; user: string; authKind: 'key' | 'agent' | 'password';
  keyPath: string; passphrase: string; password: string; sudo: boolean; roles: HostRole[]; group: string;
}

const EMPTY: Form = { name: '', address: '', port: '22', user: 'root', authKind: 'key', keyPath: '~/.ssh/id_ed25519', passphrase: '', password: '', sudo: false, roles: ['storage'], group: '' };

function toInput(f: Form) {
  return {
    name: f.name, address: f.address.trim(), port: Number(f.port), user: f.user, sudo: f.sudo, roles: f.roles, group: f.group.trim() || undefined,
    auth: f.authKind === 'key' ? { kind: 'key' as const, keyPath: f.keyPath, passphrase: f.passphrase || undefined } : f.authKind === 'agent' ? { kind: 'agent' as const } : { kind: 'password' as const, password: f.password },
  };
}

/** The form as an existing host fills it; secrets are never sent back, so they are typed again. */
function fromHost(h: HostView): Form {
  return {
    ...EMPTY, name: h.name, address: h.address, port: String(h.port), user: h.user, authKind: h.authKind,
    keyPath: h.keyPath ?? EMPTY.keyPath, sudo: h.sudo, roles: h.roles, group: h.group ?? '',
  };
}

export function AddHostDialog({ open, onClose, editing }: { open: boolean; onClose: () => void; editing?: HostView }) {
  const qc = useQueryClient();
  const [step, setStep] = useState(0);
  const [form, setForm] = useState<Form>(editing ? fromHost(editing) : EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [hostId, setHostId] = useState<string | null>(editing?.id ?? null);
  const [hostKey, setHostKey] = useState<HostKeyInfo | null>(null);
  const [connectError, setConnectError] = useState<string | null>(null);
  const [host, setHost] = useState<HostView | null>(null);

  const aliases = useQuery({ queryKey: ['hosts.sshConfig'], queryFn: () => call('hosts.sshConfig', {}), enabled: open && !editing });
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const refresh = () => qc.invalidateQueries({ queryKey: ['hosts'] });

  const reset = () => {
    setStep(0); setForm(editing ? fromHost(editing) : EMPTY); setErrors({}); setHostId(editing?.id ?? null); setHostKey(null); setHost(null); setConnectError(null);
  };

  const close = async (keep: boolean) => {
    // Cancelling before the key is accepted leaves nothing behind.
    if (!keep && hostId && !editing) await call('hosts.remove', { hostId }).catch(() => undefined);
    await refresh();
    reset();
    onClose();
  };

  const connect = async () => {
    const parsed = HostInputSchema.safeParse(toInput(form));
    if (!parsed.success) {
      setErrors(zodFieldErrors(parsed.error));
      return;
    }
    setErrors({});
    setBusy(true);
    setConnectError(null);
    try {
      const r = hostId ? await call('hosts.update', { hostId, host: toInput(form) }) : await call('hosts.add', toInput(form));
      setHostId(r.host.id);
      if (r.hostKey) {
        setHostKey(r.hostKey);
        setStep(1);
      } else if (r.error) setConnectError(r.error.message);
      else {
        setHost(r.host);
        setStep(2);
      }
    } catch (e) {
      setErrors(apiFieldErrors(e));
    } finally {
      setBusy(false);
      void refresh();
    }
  };

  const accept = async () => {
    setBusy(true);
    setConnectError(null);
    try {
      setHost(await call('hosts.acceptKey', { hostId: hostId!, fingerprint: hostKey!.fingerprint }));
      setStep(2);
    } catch (e) {
      // The key is trusted now; a credentials problem sends the admin back to the details.
      setConnectError(e instanceof Error ? e.message : String(e));
      setStep(0);
    } finally {
      setBusy(false);
      void refresh();
    }
  };

  const err = (k: string) => ({ error: !!errors[k], helperText: errors[k] });

  return (
    <Dialog open={open} onClose={() => void close(step === 2)} maxWidth="md" fullWidth aria-labelledby="add-host-title">
      <DialogTitle id="add-host-title">{editing ? `Edit ${editing.name}` : 'Add host'}</DialogTitle>
      {editing && step === 0 && (
        <Alert severity="info" sx={{ mx: 3, mt: 1 }}>
          Saving reconnects with these settings. Stored passwords and passphrases are never shown: type them again if this host uses one. A new address or port must present the host key on record: a different key blocks the host until you review and re-accept it.
        </Alert>
      )}
      <DialogContent dividers>
        <Stepper activeStep={step} sx={{ mb: 3 }}>
          {STEPS.map((s, i) => (
            <Step key={s}>
              <StepLabel aria-current={i === step ? 'step' : undefined}>{s}</StepLabel>
            </Step>
          ))}
        </Stepper>
        {connectError && (
          <Alert severity="error" sx={{ mb: 2 }} role="alert">
            {connectError}
          </Alert>
        )}
        {errors._form && <Alert severity="error" sx={{ mb: 2 }}>{errors._form}</Alert>}
        {step === 0 && (
          <Stack spacing={2}>
            {!editing && aliases.data && aliases.data.length > 0 && (
              <TextField
                select
                size="small"
                label="Fill from ~/.ssh/config"
                value=""
                onChange={(e) => {
                  const a = aliases.data!.find((x) => x.alias === e.target.value);
                  if (a)
                    setForm((f) => ({
                      ...f, name: a.alias, address: a.hostName, port: String(a.port), user: a.user ?? f.user,
                      authKind: a.identityFile ? 'key' : 'agent', keyPath: a.identityFile ?? f.keyPath,
                    }));
                }}
                helperText="Host aliases of your SSH client configuration (HostName, Port, User, IdentityFile)."
              >
                {aliases.data.map((a) => (
                  <MenuItem key={a.alias} value={a.alias}>
                    {a.alias} ({a.user ? `${a.user}@` : ''}{a.hostName}:{a.port})
                  </MenuItem>
                ))}
              </TextField>
            )}
            <Stack direction="row" spacing={2}>
              <TextField label="Name" value={form.name} onChange={(e) => set('name', e.target.value)} {...err('name')} autoFocus fullWidth />
              <TextField label="Group / data center" value={form.group} onChange={(e) => set('group', e.target.value)} {...err('group')} fullWidth />
            </Stack>
            <Stack direction="row" spacing={2}>
              <TextField label="Address" placeholder="192.0.2.10, 2001:db8::10 or stor1.example.org" value={form.address} onChange={(e) => set('address', e.target.value)} {...err('address')} sx={{ flex: 3 }} />
              <TextField label="Port" value={form.port} onChange={(e) => set('port', e.target.value)} {...err('port')} sx={{ flex: 1 }} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
              <TextField label="User" value={form.user} onChange={(e) => set('user', e.target.value)} {...err('user')} sx={{ flex: 2 }} />
            </Stack>
            <FormControl>
              <FormLabel id="auth-label">Authentication</FormLabel>
              <RadioGroup row aria-labelledby="auth-label" value={form.authKind} onChange={(e) => set('authKind', e.target.value as Form['authKind'])}>
                <FormControlLabel value="key" control={<Radio />} label="Private key file" />
                <FormControlLabel value="agent" control={<Radio />} label="ssh-agent" />
                <FormControlLabel value="password" control={<Radio />} label="Password" />
              </RadioGroup>
            </FormControl>
            {form.authKind === 'key' && (
              <Stack direction="row" spacing={2}>
                <TextField label="Key file" value={form.keyPath} onChange={(e) => set('keyPath', e.target.value)} {...err('keyPath')} sx={{ flex: 2 }} />
                <TextField label="Passphrase (if the key has one)" type="password" value={form.passphrase} onChange={(e) => set('passphrase', e.target.value)} {...err('passphrase')} sx={{ flex: 1 }} autoComplete="off" />
              </Stack>
            )}
            {form.authKind === 'password' && (
              <TextField label="Password" type="password" value={form.password} onChange={(e) => set('password', e.target.value)} {...err('password')} autoComplete="off" helperText={errors.password ?? 'Kept encrypted in the secret store; never shown again.'} />
            )}
            <FormControlLabel control={<Switch checked={form.sudo} onChange={(e) => set('sudo', e.target.checked)} />} label="Use sudo (sudo -n) for commands that need root" />
            <FormControl error={!!errors.roles}>
              <FormLabel>Roles</FormLabel>
              <FormGroup row>
                {HOST_ROLES.map((r) => (
                  <FormControlLabel
                    key={r}
                    control={<Checkbox checked={form.roles.includes(r)} onChange={(e) => set('roles', e.target.checked ? [...form.roles, r] : form.roles.filter((x) => x !== r))} />}
                    label={ROLE_LABELS[r]}
                  />
                ))}
              </FormGroup>
              {errors.roles && <FormHelperText>{errors.roles}</FormHelperText>}
            </FormControl>
          </Stack>
        )}
        {step === 1 && hostKey && (
          <Stack spacing={2}>
            <Typography>
              First contact with <b>{form.address}:{form.port}</b>. Compare this fingerprint with the one the host shows (<code>ssh-keygen -lf /etc/ssh/ssh_host_{hostKey.type.replace(/^ssh-|ecdsa-sha2-nistp\d+/, (m) => (m.startsWith('ecdsa') ? 'ecdsa' : ''))}_key.pub</code> on its console) before you accept it.
            </Typography>
            <Box sx={{ p: 2, border: 1, borderColor: 'divider', borderRadius: 1 }} aria-label="Host key">
              <Typography variant="body2" color="text.secondary">Key type</Typography>
              <Typography sx={{ fontFamily: 'monospace', mb: 1 }}>{hostKey.type}</Typography>
              <Typography variant="body2" color="text.secondary">SHA256 fingerprint</Typography>
              <Typography sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }} data-testid="fingerprint">
                {hostKey.fingerprint}
              </Typography>
            </Box>
            <Alert severity="info">If the key changes later, Portico blocks the host and runs nothing on it until you re-accept the new key.</Alert>
          </Stack>
        )}
        {step === 2 && host && (
          <Stack spacing={2}>
            <Alert severity="success">
              Connected to {host.name} as {host.user}.
            </Alert>
            {host.capabilities && <CapabilitiesSummary caps={host.capabilities} />}
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        {step < 2 && <Button onClick={() => void close(false)}>Cancel</Button>}
        {step === 0 && (
          <Button variant="contained" onClick={() => void connect()} disabled={busy}>
            {busy ? 'Connecting…' : 'Connect'}
          </Button>
        )}
        {step === 1 && (
          <Button variant="contained" onClick={() => void accept()} disabled={busy}>
            {busy ? 'Connecting…' : 'Accept key and connect'}
          </Button>
        )}
        {step === 2 && (
          <Button variant="contained" onClick={() => void close(true)}>
            Done
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
