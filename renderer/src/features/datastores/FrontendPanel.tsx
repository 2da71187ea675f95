// The OpenNebula front-end this page talks to: a host with the front-end role, its XML-RPC
// endpoint reached directly or through the host's SSH connection, and the session string, which
// goes to main once (save and test) and is never shown again (main keeps it in the SecretStore).
import { useState } from 'react';
import { Alert, AlertTitle, Box, Button, FormControl, FormControlLabel, FormLabel, Paper, Radio, RadioGroup, Stack, TextField, MenuItem, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import type { HostView } from '../../../../shared/features/hosts';
import { FrontendInputSchema, type FrontendInput } from '../../../../shared/domain/opennebula';
import type { FrontendTestResult, FrontendView, OneDrivers } from '../../../../shared/domain/opennebula-views';
import { call } from '../../api/client';
import { apiPathErrors } from '../../components/form';
import { useLiveValidation } from '../../components/live-validation';
import { schemaErrors } from '../../components/PlanDialog';
import { FieldList, type FieldDecl } from '../../components/FieldList';

interface Form extends Record<string, string | boolean> {
  hostId: string;
  endpoint: string;
  via: 'direct' | 'ssh';
  session: string;
}

const validateFrontend = schemaErrors<FrontendInput>(FrontendInputSchema);
const bracketed = (a: string) => (a.includes(':') ? `[${a}]` : a);
const defaultEndpoint = (h: HostView | undefined, via: Form['via']) => (h ? `http://${via === 'ssh' ? '127.0.0.1' : bracketed(h.address)}:2633/RPC2` : '');

const FIELDS: FieldDecl<Form>[] = [
  {
    key: 'endpoint', label: 'XML-RPC endpoint', minWidth: 460, placeholder: 'http://frontend:2633/RPC2',
    help: (f) => (f.via === 'ssh' ? 'As the front-end itself sees it (usually http://127.0.0.1:2633/RPC2): Portico forwards it through the host’s SSH connection.' : 'http(s)://FRONTEND:2633/RPC2, reached from this workstation.'),
  },
  {
    key: 'session', label: 'Session string', kind: 'password', minWidth: 460,
    help: 'user:password or user:token (what ONE_AUTH holds). Kept in Portico’s secret store and never shown again.',
  },
];

/** The driver names the version check picked, in words. */
export function driversText(d: OneDrivers): string {
  const libvirt = d.libvirt ? `existing LUNs with DS_MAD/TM_MAD ${d.libvirt.dsMad}/${d.libvirt.tmMad}` : 'no existing-LUNs driver';
  const tgt = d.tgtLvm ? `tgt + LVM with ${d.tgtLvm.dsMad}/${d.tgtLvm.tmMad}` : 'tgt + LVM templates export-only (this version does not ship that driver)';
  return `${libvirt}; ${tgt}.`;
}

export function TestResult({ result }: { result: FrontendTestResult }) {
  return (
    <Alert severity={result.ok ? 'success' : 'error'} role="status" aria-label="Connection test">
      <AlertTitle>{result.ok ? `OpenNebula ${result.version ?? ''} answers` : 'The front-end did not accept the connection'}</AlertTitle>
      {result.ok ? (
        <>
          {result.user ? `Signed in as ${result.user.name} (user ${result.user.id}). ` : ''}
          {result.drivers ? driversText(result.drivers) : ''}
          {result.drivers?.notes.map((n) => <Box key={n}>{n}</Box>)}
        </>
      ) : (
        result.error
      )}
    </Alert>
  );
}

/** What is configured now, in one line, with a new test and the way to change it. */
function InUse({ fe, onEdit }: { fe: FrontendView; onEdit: () => void }) {
  const qc = useQueryClient();
  const [test, setTest] = useState<FrontendTestResult | null>(null);
  const [busy, setBusy] = useState(false);
  const again = async () => {
    setBusy(true);
    try {
      setTest(await call('datastores.testFrontend', { frontendId: fe.hostId }));
      await qc.invalidateQueries({ queryKey: ['datastores'] });
    } catch (e) {
      setTest({ ok: false, version: null, drivers: null, user: null, error: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack spacing={1.5} aria-label="Front-end in use">
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <Box sx={{ flexGrow: 1, minWidth: 0 }}>
          <Typography>
            <b>{fe.hostName}</b> · <code>{fe.endpoint}</code> · {fe.via === 'ssh' ? `through ${fe.hostName}’s SSH connection` : 'direct'}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {fe.version ? `OpenNebula ${fe.version}` : 'Not reached yet'}
            {fe.user ? `, as ${fe.user}` : ''}; session string {fe.hasSession ? 'stored (******)' : 'missing: enter it with “Change connection”'}.
          </Typography>
        </Box>
        <Button onClick={() => void again()} disabled={busy}>{busy ? 'Testing…' : 'Test again'}</Button>
        <Button onClick={onEdit}>Change connection</Button>
      </Stack>
      {fe.lastError && !test && <Alert severity="error">Last attempt: {fe.lastError}</Alert>}
      {test && <TestResult result={test} />}
    </Stack>
  );
}

export function FrontendPanel({ hosts, frontend, onSaved }: { hosts: HostView[]; frontend: FrontendView | null; onSaved: (hostId: string) => void }) {
  const qc = useQueryClient();
  const candidates = hosts.filter((h) => h.roles.includes('one-frontend'));
  const [editing, setEditing] = useState(!frontend);
  const first = candidates.find((h) => h.id === frontend?.hostId) ?? candidates[0];
  const [f, setF] = useState<Form>({ hostId: first?.id ?? '', endpoint: frontend?.endpoint ?? defaultEndpoint(first, 'direct'), via: frontend?.via ?? 'direct', session: '' });
  const [test, setTest] = useState<FrontendTestResult | null>(null);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const host = (id: string) => hosts.find((h) => h.id === id);
  const set = (p: Partial<Form>) => {
    setF((x) => {
      const next = { ...x, ...p } as Form;
      // A new host or way in brings its default endpoint unless the admin typed another.
      if ((p.hostId || p.via) && x.endpoint === defaultEndpoint(host(x.hostId), x.via)) next.endpoint = defaultEndpoint(host(next.hostId), next.via);
      return next;
    });
    setTest(null);
  };
  // Changing the connection of a saved front-end keeps its session unless a new one is typed.
  const toInput = (): FrontendInput => ({ hostId: f.hostId, endpoint: f.endpoint.trim(), via: f.via, ...(f.session || !frontend?.hasSession ? { session: f.session } : {}) });
  const live = useLiveValidation(toInput(), validateFrontend);
  const errors = live.errors;
  /** Tests the typed connection without keeping it, or saves it (main tests it again then). */
  const run = async (what: 'test' | 'save') => {
    if (!live.check(() => true)) return;
    setBusy(what);
    try {
      if (what === 'test') {
        setTest(await call('datastores.testFrontendInput', toInput()));
        return;
      }
      const out = await call('datastores.saveFrontend', toInput());
      setF((x) => ({ ...x, session: '' }));
      setTest(out.test);
      await qc.invalidateQueries({ queryKey: ['datastores'] });
      setEditing(false);
      onSaved(out.frontend.hostId);
    } catch (e) {
      live.refuse(apiPathErrors(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Paper variant="outlined" sx={{ p: 2.5 }} component="section" aria-label="OpenNebula front-end">
      <Typography variant="subtitle1" component="h2" sx={{ mb: 1.5, fontWeight: 600 }}>OpenNebula front-end</Typography>
      {candidates.length === 0 && (
        <Alert severity="info">No host has the role “OpenNebula front-end” yet. Add the front-end on the Hosts page with that role; its XML-RPC endpoint and session are set here.</Alert>
      )}
      {candidates.length > 0 && frontend && !editing && <InUse fe={frontend} onEdit={() => setEditing(true)} />}
      {candidates.length > 0 && editing && (
        <Stack spacing={1.5} sx={{ maxWidth: 780 }} component="form" onSubmit={(e) => { e.preventDefault(); void run('save'); }}>
          {errors._form && <Alert severity="error" role="alert">{errors._form}</Alert>}
          <TextField select label="Front-end host" value={f.hostId} onChange={(e) => set({ hostId: e.target.value })} error={!!errors.hostId}
            helperText={errors.hostId ?? 'A host with the role “OpenNebula front-end” (Hosts page).'} sx={{ maxWidth: 460 }}>
            {candidates.map((h) => <MenuItem key={h.id} value={h.id}>{h.name} ({h.address})</MenuItem>)}
          </TextField>
          <FormControl>
            <FormLabel id="fe-via">Reach the endpoint</FormLabel>
            <RadioGroup row aria-labelledby="fe-via" value={f.via} onChange={(e) => set({ via: e.target.value as Form['via'] })}>
              <FormControlLabel value="direct" control={<Radio />} label="Directly from this workstation" />
              <FormControlLabel value="ssh" control={<Radio />} label="Through the host's SSH connection" />
            </RadioGroup>
          </FormControl>
          <FieldList fields={FIELDS} form={f} set={set} errors={errors} autoFocus={false} />
          {frontend?.hasSession && <Typography variant="body2" color="text.secondary">Leave the session string empty to keep the stored one.</Typography>}
          {test && <TestResult result={test} />}
          <Stack direction="row" spacing={1}>
            <Button onClick={() => void run('test')} disabled={!!busy}>{busy === 'test' ? 'Testing…' : 'Test connection'}</Button>
            <Button type="submit" variant="contained" disabled={!!busy}>{busy === 'save' ? 'Saving…' : 'Save connection'}</Button>
            {frontend && <Button onClick={() => setEditing(false)}>Cancel</Button>}
          </Stack>
        </Stack>
      )}
    </Paper>
  );
}
