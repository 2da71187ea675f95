// "Check portals": what every listed portal offers, right now, to a chosen initiator, from the
// workstation or from a host's network. Read-only (no plan): discovery, login and inspection of
// every target on all portals at once, through iscsi.survey in main.
import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Divider,
  LinearProgress,
  MenuItem,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import type { HostView } from '../../../../shared/features/hosts';
import { ChapSchema, formatPortal, parsePortalList, type IscsiSurveyPortal, type IscsiSurveyResult, type IscsiSurveyTarget } from '../../../../shared/domain/iscsi';
import { formatSize } from '../../../../shared/domain/target';
import { call } from '../../api/client';

const WORKSTATION = '__workstation__';
const CONSOLE_NAME = '__console__';

export interface KnownPortal {
  portal: string;
  server: string;
}

function TargetCell({ t }: { t: IscsiSurveyTarget }) {
  if (!t.ok) {
    return (
      <Box>
        <Typography sx={{ fontFamily: 'monospace', fontSize: 13 }}>{t.targetName}</Typography>
        <Typography variant="body2" color="error">{t.error.message}</Typography>
      </Box>
    );
  }
  const disks = t.luns.filter((l) => l.present && l.sizeBytes !== undefined);
  return (
    <Box>
      <Typography sx={{ fontFamily: 'monospace', fontSize: 13 }}>{t.targetName}</Typography>
      <Typography variant="body2" color="text.secondary">
        {t.authentication === 'none' ? 'no CHAP' : t.authentication} ·{' '}
        {disks.length ? disks.map((l) => `LUN ${l.lun ?? l.lunRaw} ${formatSize(l.sizeBytes!)}${l.ready === false ? ' (not ready)' : ''}`).join(', ') : 'no disk LUNs'}
      </Typography>
      {disks.map((l) => (
        <Typography key={l.lunRaw} variant="caption" color="text.secondary" component="div" sx={{ fontFamily: 'monospace' }}>
          LUN {l.lun ?? l.lunRaw} GUID {l.guid ?? '—'} · {l.vendor} {l.product} · serial {l.serial ?? '—'}
        </Typography>
      ))}
    </Box>
  );
}

/** One row per portal, its targets stacked in the second cell. */
function PortalRow({ p }: { p: IscsiSurveyPortal }) {
  let body;
  if (!p.ok) body = <Typography variant="body2" color="error">{p.error.message}</Typography>;
  else if (p.targets.length === 0)
    body = <Typography variant="body2" color="text.secondary">Discovery shows this initiator no target here (none exist, or every access list leaves it out).</Typography>;
  else
    body = (
      <Stack spacing={1} divider={<Divider flexItem />}>
        {p.targets.map((t) => (
          <TargetCell key={t.targetName} t={t} />
        ))}
      </Stack>
    );
  return (
    <TableRow aria-label={`portal ${p.portal}`}>
      <TableCell sx={{ verticalAlign: 'top', whiteSpace: 'nowrap' }}>
        <Typography sx={{ fontFamily: 'monospace', fontSize: 13 }}>{p.portal}</Typography>
        {p.server && <Typography variant="caption" color="text.secondary">{p.server}</Typography>}
        <Box sx={{ mt: 0.5 }}>
          <Chip size="small" variant="outlined" color={p.ok ? 'success' : 'error'} label={p.ok ? `${p.targets.length} target(s)` : 'no answer'} />
        </Box>
      </TableCell>
      <TableCell sx={{ verticalAlign: 'top' }}>{body}</TableCell>
    </TableRow>
  );
}

function Summary({ r }: { r: IscsiSurveyResult }) {
  const answered = r.portals.filter((p) => p.ok).length;
  const targets = r.portals.flatMap((p) => (p.ok ? p.targets : []));
  const failed = targets.filter((t) => !t.ok).length;
  return (
    <Typography role="status">
      {r.portals.length} portal(s) checked in {r.elapsedMs} ms: {answered} answered, {r.portals.length - answered} did not; {targets.length} target(s) inspected
      {failed ? `, ${failed} refused or failed` : ''}.
    </Typography>
  );
}

export function PortalCheckDialog({ hosts, known, onClose }: { hosts: HostView[]; known: KnownPortal[]; onClose: () => void }) {
  const [text, setText] = useState('');
  const [edited, setEdited] = useState(false);
  const knownText = known.map((k) => k.portal).join('\n');
  // Servers' portals arrive as their views load; follow them until the admin edits the list.
  useEffect(() => {
    if (!edited) setText(knownText);
  }, [knownText, edited]);
  const [via, setVia] = useState(WORKSTATION);
  const [asName, setAsName] = useState(CONSOLE_NAME);
  const [chapUser, setChapUser] = useState('');
  const [chapSecret, setChapSecret] = useState('');
  const [lineErrors, setLineErrors] = useState<string[]>([]);
  const [chapError, setChapError] = useState<string | null>(null);
  const serverOf = useMemo(() => new Map(known.map((k) => [k.portal, k.server])), [known]);
  const withInitiator = hosts.filter((h) => h.capabilities?.initiatorName);
  const survey = useMutation({ mutationFn: (input: Parameters<typeof call<'iscsi.survey'>>[1]) => call('iscsi.survey', input) });

  const run = () => {
    const { portals, errors } = parsePortalList(text);
    setLineErrors(errors.length ? errors : portals.length ? [] : ['Enter at least one portal, e.g. 192.0.2.10:3260.']);
    // Results of another list must not sit next to a form that no longer matches them.
    if (errors.length || portals.length === 0) return survey.reset();
    const chap = chapUser || chapSecret ? ChapSchema.safeParse({ user: chapUser, secret: chapSecret }) : undefined;
    setChapError(chap && !chap.success ? chap.error.issues[0].message : null);
    if (chap && !chap.success) return survey.reset();
    const initiatorName = asName === CONSOLE_NAME ? undefined : hosts.find((h) => h.id === asName)?.capabilities?.initiatorName ?? undefined;
    survey.mutate({
      portals: portals.map((p) => ({ ...p, server: serverOf.get(formatPortal(p)) })),
      via: via === WORKSTATION ? undefined : via,
      initiatorName,
      chap: chap?.data,
    });
  };

  return (
    <Dialog open onClose={onClose} maxWidth="lg" fullWidth aria-labelledby="portal-check-title">
      <DialogTitle id="portal-check-title">Check portals</DialogTitle>
      <DialogContent dividers>
        <Stack spacing={2}>
          <Typography variant="body2" color="text.secondary">
            Portico logs in to every portal at once with its own iSCSI initiator (nothing is changed, every session logs out) and shows what each one
            offers: targets, LUNs, sizes, GUIDs. Choose a host to check from its network, and an initiator name to test an access list as that host.
          </Typography>
          <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
            <TextField
              label="Portals (address:port, one per line)"
              multiline
              minRows={4}
              value={text}
              onChange={(e) => {
                setEdited(true);
                setText(e.target.value);
              }}
              error={lineErrors.length > 0}
              helperText={lineErrors.length ? lineErrors.join('\n') : 'Filled with the portals of your storage servers.'}
              slotProps={{ formHelperText: { sx: { whiteSpace: 'pre-line' } } }}
              sx={{ flex: 2 }}
            />
            <Stack spacing={2} sx={{ flex: 1.4 }}>
              <TextField select label="Check from" value={via} onChange={(e) => setVia(e.target.value)}>
                <MenuItem value={WORKSTATION}>This workstation</MenuItem>
                {hosts.map((h) => (
                  <MenuItem key={h.id} value={h.id}>{h.name} (through its SSH connection)</MenuItem>
                ))}
              </TextField>
              <TextField select label="Log in as" value={asName} onChange={(e) => setAsName(e.target.value)}>
                <MenuItem value={CONSOLE_NAME}>Portico's own initiator name</MenuItem>
                {withInitiator.map((h) => (
                  <MenuItem key={h.id} value={h.id}>{h.name}: {h.capabilities!.initiatorName}</MenuItem>
                ))}
              </TextField>
              <Stack direction="row" spacing={1}>
                <TextField label="CHAP user (optional)" value={chapUser} onChange={(e) => setChapUser(e.target.value)} sx={{ flex: 1 }} />
                <TextField label="CHAP secret (optional)" type="password" value={chapSecret} onChange={(e) => setChapSecret(e.target.value)} sx={{ flex: 1 }} autoComplete="off" />
              </Stack>
              {chapError && <Alert severity="error">{chapError}</Alert>}
            </Stack>
          </Stack>
          {asName !== CONSOLE_NAME && (
            <Alert severity="info">
              Logging in as {hosts.find((h) => h.id === asName)?.name}'s initiator name with a fresh session id (ISID): the host's own sessions are not touched.
            </Alert>
          )}
          {survey.isPending && <LinearProgress aria-label="Checking portals" />}
          {survey.isError && <Alert severity="error">{(survey.error as Error).message}</Alert>}
          {survey.data && (
            <Stack spacing={1.5}>
              <Summary r={survey.data} />
              {survey.data.guidWarnings.map((w) => (
                <Alert key={w.guid} severity="warning">{w.message}</Alert>
              ))}
              <Paper variant="outlined">
                <Table size="small" aria-label="Portal check results">
                  <TableHead>
                    <TableRow>
                      <TableCell sx={{ width: 220 }}>Portal</TableCell>
                      <TableCell>Targets this initiator sees</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {survey.data.portals.map((p) => (
                      <PortalRow key={p.portal} p={p} />
                    ))}
                  </TableBody>
                </Table>
              </Paper>
            </Stack>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        <Button variant="contained" onClick={run} disabled={survey.isPending}>Check portals</Button>
      </DialogActions>
    </Dialog>
  );
}
