// Re-accepting a changed host key: reads the key the host presents NOW (hosts.fetchKey, one SSH
// handshake, no login), shows it next to the key on record, says what a changed key can mean and
// asks the admin to confirm. Main accepts only if the host still presents that key at accept time.
import { useEffect, useState } from 'react';
import {
  Alert, AlertTitle, Box, Button, Checkbox, CircularProgress, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel,
  Stack, Typography,
} from '@mui/material';
import type { HostKeyInfo } from '../../../../shared/domain/host';
import type { HostKeyCheck, HostView } from '../../../../shared/features/hosts';
import { call } from '../../api/client';

/** The file on the host whose fingerprint `ssh-keygen -lf` prints for this key type. */
export function hostKeyFile(type: string): string {
  const t = type.startsWith('ecdsa') ? 'ecdsa' : type.replace(/^ssh-/, '').replace(/^rsa-sha2-\d+$/, 'rsa');
  return `/etc/ssh/ssh_host_${t}_key.pub`;
}

function KeyBox({ title, k, testId, tone }: { title: string; k: HostKeyInfo | null; testId: string; tone: 'old' | 'new' }) {
  return (
    <Box
      role="group"
      aria-label={title}
      sx={{ flex: 1, minWidth: 0, p: 2, border: 1, borderRadius: 1, borderColor: tone === 'new' ? 'warning.main' : 'divider' }}
    >
      <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>{title}</Typography>
      {k ? (
        <>
          <Typography variant="body2" color="text.secondary">Key type</Typography>
          <Typography sx={{ fontFamily: 'monospace', mb: 1 }}>{k.type}</Typography>
          <Typography variant="body2" color="text.secondary">SHA256 fingerprint</Typography>
          <Typography sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }} data-testid={testId}>{k.fingerprint}</Typography>
        </>
      ) : (
        <Typography color="text.secondary" data-testid={testId}>No key on record.</Typography>
      )}
    </Box>
  );
}

export function ReacceptKeyDialog({ host, open, onClose, onDone }: { host: HostView; open: boolean; onClose: () => void; onDone: () => void }) {
  const [check, setCheck] = useState<HostKeyCheck | null>(null);
  const [loading, setLoading] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fetchError, setFetchError] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);

  const load = async () => {
    setLoading(true);
    setFetchError(null);
    setConfirmed(false);
    try {
      setCheck(await call('hosts.fetchKey', { hostId: host.id }));
    } catch (e) {
      setCheck(null);
      setFetchError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    if (open) {
      setError(null);
      void load();
    }
    // Read once per opening (and per host), not on every render.
  }, [open, host.id]);

  const finish = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      onDone();
      onClose();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      // The key may have changed again: show what the host presents now.
      await load();
    } finally {
      setBusy(false);
    }
  };

  const stored = check?.stored ?? host.connection.expectedHostKey ?? host.hostKey;
  const presented = check?.presented ?? null;
  const canAccept = !!check && !check.matches && !check.revoked && confirmed && !busy && !loading;

  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} maxWidth="md" fullWidth aria-labelledby="reaccept-title" aria-describedby="reaccept-what">
      <DialogTitle id="reaccept-title">Host key of {host.name} changed</DialogTitle>
      <DialogContent dividers>
        <Stack spacing={2}>
          <Typography id="reaccept-what">
            Portico just asked <b>{host.address}:{host.port}</b> for its host key again (without logging in). Compare both fingerprints
            below before you decide.
          </Typography>
          {loading && (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <CircularProgress size={18} />
              <Typography>Reading the key {host.name} presents now…</Typography>
            </Stack>
          )}
          {fetchError && <Alert severity="error">Could not read the host key: {fetchError}</Alert>}
          {error && <Alert severity="error" role="alert">{error}</Alert>}
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <KeyBox title="On record (accepted before)" k={stored ?? null} testId="stored-fingerprint" tone="old" />
            <KeyBox title="Presented now" k={presented} testId="presented-fingerprint" tone="new" />
          </Stack>
          {check?.matches && (
            <Alert severity="success">
              {host.name} presents the key on record again. Nothing to accept: reconnect to use it.
            </Alert>
          )}
          {check?.revoked && (
            <Alert severity="error">This key is marked @revoked in known_hosts. Portico will not trust it again.</Alert>
          )}
          {check && !check.matches && !check.revoked && (
            <>
              <Alert severity="warning">
                <AlertTitle>What a changed key can mean</AlertTitle>
                <b>Expected:</b> the host was reinstalled, or its SSH host keys were regenerated or replaced on purpose.
                <br />
                <b>An attack:</b> someone between you and the host is intercepting the connection (a man in the middle). Accepting
                their key would send your login to them and let them answer in the host’s name.
                <br />
                If you did not expect a change, do not accept: ask whoever runs the host first.
              </Alert>
              <Typography variant="body2">
                Check on the host’s own console (not over this network): <code>ssh-keygen -lf {hostKeyFile(presented!.type)}</code> must
                print {presented!.fingerprint}.
              </Typography>
              <FormControlLabel
                control={<Checkbox checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />}
                label="I compared the new fingerprint with the host, and the change is expected"
              />
            </>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>Cancel</Button>
        <Button onClick={() => void load()} disabled={busy || loading}>Read the key again</Button>
        {check?.matches ? (
          <Button variant="contained" disabled={busy} onClick={() => void finish(() => call('hosts.reconnect', { hostId: host.id }))}>
            Reconnect
          </Button>
        ) : (
          <Button variant="contained" color="warning" disabled={!canAccept}
            onClick={() => void finish(() => call('hosts.acceptKey', { hostId: host.id, fingerprint: presented!.fingerprint }))}>
            {busy ? 'Accepting…' : 'Accept new key and connect'}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
