// Hosted-engine storage wizard: Host -> Storage -> Portals -> Target -> LUN -> Review -> Apply ->
// Result. Discovery, login and the LUN table run through VDSM on the chosen host (main); the
// plan is built and applied by main. CHAP passwords leave this form only as call inputs.
import { useState } from 'react';
import {
  Alert, AlertTitle, Box, Button, Checkbox, FormControl, FormControlLabel, FormLabel, IconButton, MenuItem, Paper, Radio, RadioGroup,
  Stack, Step, StepLabel, Stepper, Switch, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import {
  HE_DEFAULT_DISK_GIB, HE_DEFAULT_DOMAIN_NAME, HostedEngineStorageInputSchema, type HostedEngineStorageInput, type LunRow,
} from '../../../../shared/domain/hosted-engine';
import type { HeApplyResult, HeConnectResult, HeDiscoverResult, HeLunsResult } from '../../../../shared/domain/hosted-engine-views';
import type { HostView } from '../../../../shared/features/hosts';
import type { PlanView } from '../../../../shared/plan';
import { formatSize } from '../../../../shared/domain/target';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, call } from '../../api/client';
import { apiPathErrors, zodPathErrors, type FieldErrors } from '../../components/form';
import { JobProgress } from '../../components/JobProgress';
import { ApplyButton, PlanReview, usePlanGate } from '../../components/PlanReview';
import { REPLAN_CODES, usePlanApply } from '../../components/PlanRunner';
import { downloadText } from '../../components/download';

export const HE_STEPS = ['Host', 'Storage', 'Portals', 'Target', 'LUN', 'Review', 'Apply', 'Result'] as const;
const [HOST, STORAGE, PORTALS, TARGET, LUN, REVIEW, APPLY, RESULT] = [0, 1, 2, 3, 4, 5, 6, 7];

type StorageType = 'iscsi' | 'nfs3' | 'nfs4';
interface PortalRow { address: string; port: string }
interface Form {
  hostId: string;
  storageType: StorageType;
  domainName: string;
  server: string;
  exportPath: string;
  portals: PortalRow[];
  discoveryUser: string; discoveryPassword: string;
  loginUser: string; loginPassword: string;
  targetIndex: number | null;
  lunGuid: string;
  diskSizeGiB: string;
  forceUsedLun: boolean;
  forceConfirmation: string;
  writeConf: boolean;
}

/** Which step a field path belongs to, to send the admin back to it. */
function stepOf(path: string): number {
  const p = path.replace(/^storage\./, '');
  if (p === 'hostId') return HOST;
  if (/^(storageType|server|exportPath|domainName|poolName)/.test(p)) return STORAGE;
  if (/^(portals|discoveryChap|loginChap)/.test(p)) return PORTALS;
  if (p.startsWith('target')) return TARGET;
  if (/^(lunGuid|forceConfirmation|forceUsedLun|diskSizeGiB)/.test(p)) return LUN;
  return -1;
}

/** Error keys a field displays itself; other keys of a step show as an alert on it. */
const SHOWN_IN_FIELDS = /^(hostId|server|exportPath|domainName|portals\.\d+\.(address|port)|(discoveryChap|loginChap)\.(user|password)|forceConfirmation|diskSizeGiB)$/;

/** Form fields -> the error keys (schema paths) they display. */
const FIELD_KEYS: Record<string, string[]> = {
  discoveryUser: ['discoveryChap.user', 'discoveryChap.password'],
  discoveryPassword: ['discoveryChap.user', 'discoveryChap.password'],
  loginUser: ['loginChap.user', 'loginChap.password'],
  loginPassword: ['loginChap.user', 'loginChap.password'],
  forceUsedLun: ['forceConfirmation'],
};

const keyOf = (path: string) => path.replace(/^storage\./, '');


/**
 * What the host's last probe says about VDSM, at the host step: the wizard needs VDSM from the
 * login on (discovery alone falls back to Portico's initiator), so a host without it is told now,
 * with what to install, instead of after host → storage → portals → discover.
 * Same rule as main (HostedEngineService.probedVdsm): vdsmd running or vdsm-client installed.
 */
function VdsmOnHost({ host }: { host: HostView }) {
  const qc = useQueryClient();
  const [probing, setProbing] = useState(false);
  const [probeError, setProbeError] = useState<string | null>(null);
  const probe = async () => {
    setProbing(true);
    setProbeError(null);
    try {
      await call('hosts.probe', { hostId: host.id });
    } catch (e) {
      setProbeError(e instanceof Error ? e.message : String(e));
    } finally {
      setProbing(false);
      await qc.invalidateQueries({ queryKey: ['hosts'] });
    }
  };
  const again = (
    <Button color="inherit" size="small" onClick={() => void probe()} disabled={probing} sx={{ whiteSpace: 'nowrap' }}>
      {probing ? 'Probing…' : 'Probe again'}
    </Button>
  );
  const c = host.capabilities;
  const errorNote = probeError && <Alert severity="error">Probing {host.name} failed: {probeError}</Alert>;
  if (!c) {
    return (
      <>
        <Alert severity="info" action={again} aria-label="VDSM on the host">
          {host.name} has not been probed yet, so Portico cannot tell whether VDSM runs on it. Probe it before you go on.
        </Alert>
        {errorNote}
      </>
    );
  }
  const client = !!c.tools['vdsm-client'];
  const running = c.services.vdsmd === 'running';
  if (running) return errorNote || null;
  if (client) {
    return (
      <>
        <Alert severity="warning" action={again} aria-label="VDSM on the host">
          <AlertTitle>vdsmd is not running on {host.name}</AlertTitle>
          VDSM is installed (vdsm-client at {c.tools['vdsm-client']}) but its daemon is stopped. Start it on the host with{' '}
          <code style={{ whiteSpace: 'nowrap' }}>systemctl enable --now vdsmd</code>, then probe again.
        </Alert>
        {errorNote}
      </>
    );
  }
  return (
    <>
      <Alert severity="warning" action={again} aria-label="VDSM on the host">
        <AlertTitle>No VDSM found on {host.name}</AlertTitle>
        Its last probe found neither a running vdsmd nor the vdsm-client command. This wizard needs VDSM to log in to the
        target, list LUNs and create the storage domain. Install the oVirt host packages on {host.name} (on EL:{' '}
        <code style={{ whiteSpace: 'nowrap' }}>dnf install ovirt-hosted-engine-setup</code>, which brings vdsm and vdsm-client), run{' '}
        <code style={{ whiteSpace: 'nowrap' }}>vdsm-tool configure --force</code> and <code style={{ whiteSpace: 'nowrap' }}>systemctl enable --now vdsmd</code>, then probe again, or choose another host.
      </Alert>
      {errorNote}
    </>
  );
}

export function HostedEngineWizard({ hosts, onDone }: { hosts: HostView[]; onDone: () => void }) {
  const [step, setStep] = useState(HOST);
  const [f, setF] = useState<Form>({
    hostId: hosts.length === 1 ? hosts[0].id : '', storageType: 'iscsi', domainName: HE_DEFAULT_DOMAIN_NAME, server: '', exportPath: '',
    portals: [{ address: '', port: '3260' }], discoveryUser: '', discoveryPassword: '', loginUser: '', loginPassword: '',
    targetIndex: null, lunGuid: '', diskSizeGiB: String(HE_DEFAULT_DISK_GIB), forceUsedLun: false, forceConfirmation: '', writeConf: false,
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [disc, setDisc] = useState<HeDiscoverResult | null>(null);
  const [conn, setConn] = useState<HeConnectResult | null>(null);
  const [luns, setLuns] = useState<HeLunsResult | null>(null);
  const [plan, setPlan] = useState<PlanView | null>(null);
  const runner = usePlanApply();
  const gate = usePlanGate(plan);
  /** An edited field's error goes away until the next check. */
  const clearErrors = (keys: string[]) => setErrors((e) => (keys.some((k) => k in e) ? Object.fromEntries(Object.entries(e).filter(([k]) => !keys.includes(k))) : e));
  const set = (patch: Partial<Form>) => {
    setF((x) => ({ ...x, ...patch }));
    clearErrors(Object.keys(patch).flatMap((k) => FIELD_KEYS[k] ?? [k]));
  };
  const setPortal = (i: number, patch: Partial<PortalRow>) => {
    set({ portals: f.portals.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
    clearErrors(Object.keys(patch).map((k) => `portals.${i}.${k}`));
  };
  const err = (k: string) => ({ error: !!errors[k], helperText: errors[k] });
  const iscsi = f.storageType === 'iscsi';
  const host = hosts.find((h) => h.id === f.hostId);
  const target = disc && f.targetIndex !== null ? disc.targets[f.targetIndex] : null;
  const chosenRow = luns?.rows.find((r) => r.guid === f.lunGuid) ?? null;

  const portalsInput = () => f.portals.map((p) => ({ address: p.address.trim(), port: p.port.trim() === '' ? 3260 : Number(p.port) }));
  const toInput = (): HostedEngineStorageInput =>
    (iscsi
      ? {
          storageType: 'iscsi', hostId: f.hostId, domainName: f.domainName.trim(), diskSizeGiB: Number(f.diskSizeGiB),
          portals: portalsInput(),
          discoveryChap: { user: f.discoveryUser.trim(), password: f.discoveryPassword },
          loginChap: { user: f.loginUser.trim(), password: f.loginPassword },
          target: target ?? { iqn: '', tpgt: '', portals: [] },
          lunGuid: f.lunGuid, forceUsedLun: f.forceUsedLun, forceConfirmation: f.forceConfirmation,
        }
      : { storageType: f.storageType, hostId: f.hostId, domainName: f.domainName.trim(), diskSizeGiB: Number(f.diskSizeGiB), server: f.server.trim(), exportPath: f.exportPath.trim() }) as HostedEngineStorageInput;

  /** Validates with the shared schema, keeping the errors of the steps up to `upTo`. */
  const validate = (upTo: number): boolean => {
    const r = HostedEngineStorageInputSchema.safeParse(toInput());
    const all = r.success ? {} : zodPathErrors(r.error);
    const relevant = Object.fromEntries(Object.entries(all).filter(([k]) => stepOf(k) >= 0 && stepOf(k) <= upTo));
    setErrors(relevant);
    return Object.keys(relevant).length === 0;
  };

  /** Shows a failed call on its field and goes back to that field's step. */
  const fail = (e: unknown) => {
    const fe = Object.fromEntries(Object.entries(apiPathErrors(e)).map(([k, v]) => [keyOf(k), v]));
    setErrors(fe);
    const k = Object.keys(fe)[0];
    const s = k === '_form' ? -1 : stepOf(k);
    if (s >= 0) setStep(s);
  };

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    try {
      await fn();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(null);
    }
  };

  const discover = () =>
    run('discover', async () => {
      if (!validate(PORTALS)) return;
      const d = await call('he.discover', { hostId: f.hostId, portals: portalsInput(), discoveryChap: { user: f.discoveryUser.trim(), password: f.discoveryPassword } });
      setDisc(d);
      setConn(null);
      setLuns(null);
      set({ targetIndex: d.selected, lunGuid: '', forceUsedLun: false, forceConfirmation: '' });
      setErrors({});
      setStep(TARGET);
    });

  const listLuns = async (diskSizeGiB = f.diskSizeGiB) => {
    const t = target!;
    const l = await call('he.luns', { hostId: f.hostId, iqn: t.iqn, diskSizeGiB: Number(diskSizeGiB), portals: t.portals });
    setLuns(l);
    const eligible = l.rows.filter((r) => r.eligible);
    if (!l.rows.some((r) => r.guid === f.lunGuid)) set({ lunGuid: eligible.length === 1 ? eligible[0].guid : '', forceUsedLun: false, forceConfirmation: '' });
  };

  const connect = () =>
    run('connect', async () => {
      if (!target) {
        setErrors({ target: 'Target: choose a target from the list.' });
        return;
      }
      const c = await call('he.connect', { hostId: f.hostId, target, loginChap: { user: f.loginUser.trim(), password: f.loginPassword } });
      setConn(c);
      await listLuns();
      setErrors({});
      setStep(LUN);
    });

  const refreshLuns = () =>
    run('luns', async () => {
      const r = HostedEngineStorageInputSchema.safeParse(toInput());
      const sizeErr = r.success ? undefined : zodPathErrors(r.error).diskSizeGiB;
      if (sizeErr) return setErrors({ diskSizeGiB: sizeErr });
      await listLuns();
      setErrors({});
    });

  const makePlan = (writeConf = f.writeConf) =>
    run('plan', async () => {
      if (!validate(LUN)) return;
      if (plan) await call('plans.discard', { planId: plan.id }).catch(() => undefined);
      setPlan(await call('he.plan', { storage: toInput(), writeConf }));
      setErrors({});
      setStep(REVIEW);
    });

  const next = () => {
    if (step === HOST || step === STORAGE) {
      if (!validate(step)) return;
      if (step === STORAGE && !iscsi) return void makePlan();
      setStep(step + 1);
    }
  };

  const back = () => {
    setErrors({});
    if (step === REVIEW && !iscsi) return setStep(STORAGE);
    setStep(step - 1);
  };

  const apply = () =>
    run('apply', async () => {
      // Stay on the review when main refuses (expired, stale, not confirmed): its words show there.
      if (await runner.apply(plan!, gate)) setStep(APPLY);
    });

  const job = runner.job;
  const result = job?.state === 'succeeded' ? (job.result as HeApplyResult | { verifyError: string } | undefined) : undefined;
  const stepAlerts = Object.entries(errors).filter(([k]) => k !== '_form' && stepOf(k) === step && !SHOWN_IN_FIELDS.test(k));

  return (
    <Paper variant="outlined" sx={{ p: 3 }} aria-label="Hosted engine storage">
      <Typography variant="h6" component="h2" sx={{ mb: 2 }}>
        Hosted-engine storage{host ? ` on ${host.name}` : ''}
      </Typography>
      <Stepper activeStep={step} sx={{ mb: 3 }}>
        {HE_STEPS.map((s, i) => (
          <Step key={s} completed={i < step} disabled={!iscsi && i >= PORTALS && i <= LUN}>
            <StepLabel aria-current={i === step ? 'step' : undefined} error={Object.keys(errors).some((k) => stepOf(k) === i)}
              optional={!iscsi && i >= PORTALS && i <= LUN ? <Typography variant="caption">iSCSI only</Typography> : undefined}>
              {s}
            </StepLabel>
          </Step>
        ))}
      </Stepper>
      {errors._form && <Alert severity="error" sx={{ mb: 2, whiteSpace: 'pre-line' }}>{errors._form}</Alert>}
      {stepAlerts.map(([k, m]) => (
        <Alert key={k} severity="error" sx={{ mb: 2 }}>{m}</Alert>
      ))}

      {step === HOST && (
        <Stack spacing={2} sx={{ maxWidth: 620 }}>
          <TextField select label="oVirt host" value={f.hostId} onChange={(e) => set({ hostId: e.target.value })} {...err('hostId')}
            helperText={errors.hostId ?? 'The host that will run the engine VM. Portico talks to VDSM on it through its SSH connection, using the host’s own VDSM certificate.'}>
            {hosts.map((h) => (
              <MenuItem key={h.id} value={h.id}>
                {h.name} ({h.address}){h.capabilities?.initiatorName ? ` · ${h.capabilities.initiatorName}` : ''}
              </MenuItem>
            ))}
          </TextField>
          {host && <VdsmOnHost host={host} />}
        </Stack>
      )}

      {step === STORAGE && (
        <Stack spacing={2} sx={{ maxWidth: 620 }}>
          <FormControl>
            <FormLabel id="he-storage-type">Storage type</FormLabel>
            <RadioGroup row aria-labelledby="he-storage-type" value={f.storageType} onChange={(e) => set({ storageType: e.target.value as StorageType })}>
              <FormControlLabel value="iscsi" control={<Radio />} label="iSCSI" />
              <FormControlLabel value="nfs3" control={<Radio />} label="NFS v3" />
              <FormControlLabel value="nfs4" control={<Radio />} label="NFS v4" />
            </RadioGroup>
          </FormControl>
          {!iscsi && (
            <Stack direction="row" spacing={2}>
              <TextField label="NFS server" value={f.server} onChange={(e) => set({ server: e.target.value })} {...err('server')} fullWidth />
              <TextField label="Export path" placeholder="/exports/he" value={f.exportPath} onChange={(e) => set({ exportPath: e.target.value })} {...err('exportPath')} fullWidth />
            </Stack>
          )}
          <TextField label="Storage domain name" value={f.domainName} onChange={(e) => set({ domainName: e.target.value })} {...err('domainName')}
            helperText={errors.domainName ?? 'The name oVirt shows for the hosted-engine storage domain.'} />
        </Stack>
      )}

      {step === PORTALS && (
        <Stack spacing={2} sx={{ maxWidth: 760 }}>
          {f.portals.map((p, i) => (
            <Stack key={i} direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
              <TextField label={`Portal ${i + 1} address`} placeholder="192.0.2.10" value={p.address} onChange={(e) => setPortal(i, { address: e.target.value })} {...err(`portals.${i}.address`)}
                helperText={errors[`portals.${i}.address`] ?? 'IPv4 or IPv6 address (hosted-engine accepts no host names).'} sx={{ flex: 1 }} />
              <TextField label={`Portal ${i + 1} port`} value={p.port} onChange={(e) => setPortal(i, { port: e.target.value })} {...err(`portals.${i}.port`)} sx={{ width: 140 }} />
              <IconButton aria-label={`Remove portal ${i + 1}`} disabled={f.portals.length === 1} onClick={() => set({ portals: f.portals.filter((_, j) => j !== i) })} sx={{ mt: 1 }}>
                <DeleteOutlinedIcon />
              </IconButton>
            </Stack>
          ))}
          <Box>
            <Button onClick={() => set({ portals: [...f.portals, { address: '', port: '3260' }] })}>Add portal</Button>
          </Box>
          <Typography variant="subtitle2" component="h3">Discovery CHAP (leave empty when the portal needs none)</Typography>
          <Stack direction="row" spacing={2}>
            <TextField label="Discovery CHAP user" value={f.discoveryUser} onChange={(e) => set({ discoveryUser: e.target.value })} {...err('discoveryChap.user')} fullWidth />
            <TextField label="Discovery CHAP password" type="password" autoComplete="off" value={f.discoveryPassword} onChange={(e) => set({ discoveryPassword: e.target.value })} {...err('discoveryChap.password')} fullWidth />
          </Stack>
          <Typography variant="subtitle2" component="h3">Login CHAP (for the target; may differ from discovery)</Typography>
          <Stack direction="row" spacing={2}>
            <TextField label="Login CHAP user" value={f.loginUser} onChange={(e) => set({ loginUser: e.target.value })} {...err('loginChap.user')} fullWidth />
            <TextField label="Login CHAP password" type="password" autoComplete="off" value={f.loginPassword} onChange={(e) => set({ loginPassword: e.target.value })} {...err('loginChap.password')} fullWidth />
          </Stack>
        </Stack>
      )}

      {step === TARGET && disc && (
        <Stack spacing={2}>
          <Typography variant="body2" color="text.secondary">
            {disc.via === 'vdsm' ? 'Discovered by VDSM on the host.' : 'This host has no VDSM: discovered by Portico’s initiator through the host, as the host’s initiator.'}
            {disc.initiatorName ? ` Host initiator: ${disc.initiatorName}.` : ''}
          </Typography>
          {disc.problems.map((p) => (
            <Alert key={p.portal} severity="warning">
              {p.portal}: {p.message} Next step: {p.nextStep}{p.code !== null ? ` (VDSM code ${p.code})` : ''}
            </Alert>
          ))}
          {disc.empty && (
            <Alert severity="warning" role="alert">
              <AlertTitle>No targets and no LUNs for this host</AlertTitle>
              {disc.empty.message} Next step: {disc.empty.nextStep}
              {disc.managedBy ? ` Portico manages ${disc.managedBy.serverName}: use Access on the Targets page.` : ''}
            </Alert>
          )}
          {disc.targets.length > 0 && (
            <FormControl>
              <FormLabel id="he-target">Target (log in to every portal of its TPGT)</FormLabel>
              <RadioGroup aria-labelledby="he-target" value={f.targetIndex === null ? '' : String(f.targetIndex)} onChange={(e) => set({ targetIndex: Number(e.target.value), lunGuid: '' })}>
                {disc.targets.map((t, i) => (
                  <FormControlLabel
                    key={`${t.iqn}-${t.tpgt}`}
                    value={String(i)}
                    control={<Radio />}
                    label={
                      <Box sx={{ py: 0.5 }}>
                        <Typography sx={{ fontFamily: 'monospace', fontSize: 14 }}>{t.iqn}</Typography>
                        <Typography variant="body2" color="text.secondary">
                          TPGT {t.tpgt} · {t.portals.length} portal{t.portals.length === 1 ? '' : 's'}: {t.portals.map((p) => `${p.address}:${p.port}`).join(', ')}
                        </Typography>
                      </Box>
                    }
                  />
                ))}
              </RadioGroup>
            </FormControl>
          )}
        </Stack>
      )}

      {step === LUN && luns && (
        <Stack spacing={2}>
          {conn?.problems.map((p) => (
            <Alert key={p.portal} severity="warning">
              Login through {p.portal} failed: {p.message} Next step: {p.nextStep}{p.code !== null ? ` (VDSM code ${p.code})` : ''}
            </Alert>
          ))}
          {conn && conn.connected > 0 && (
            <Typography variant="body2" color="text.secondary">
              Logged in to {target?.iqn} through {conn.connected} of {target?.portals.length} portal(s).
            </Typography>
          )}
          {luns.noLuns && (
            <Alert severity="error" role="alert">
              <AlertTitle>No LUNs for this host</AlertTitle>
              {luns.noLuns.message} Next step: {luns.noLuns.nextStep}
            </Alert>
          )}
          <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
            <TextField label="Engine disk size (GiB)" value={f.diskSizeGiB} onChange={(e) => set({ diskSizeGiB: e.target.value })} {...err('diskSizeGiB')}
              helperText={errors.diskSizeGiB ?? `The LUN must hold the engine disk plus 15.24 GiB. Default ${HE_DEFAULT_DISK_GIB} GiB.`} sx={{ width: 360 }} />
            <Button onClick={() => void refreshLuns()} disabled={!!busy} sx={{ mt: 1 }}>{busy === 'luns' ? 'Checking…' : 'Check LUNs again'}</Button>
          </Stack>
          {luns.rows.length > 0 && <LunTable rows={luns.rows} chosen={f.lunGuid} onChoose={(g) => set({ lunGuid: g, forceUsedLun: false, forceConfirmation: '' })} />}
          {errors.lunGuid && <Alert severity="error">{errors.lunGuid}</Alert>}
          {chosenRow && !chosenRow.eligible && chosenRow.forceable && (
            <Alert severity="warning">
              <AlertTitle>LUN {chosenRow.guid} is in use</AlertTitle>
              <Stack spacing={1}>
                <span>{chosenRow.reason}.</span>
                <FormControlLabel control={<Checkbox checked={f.forceUsedLun} onChange={(e) => set({ forceUsedLun: e.target.checked })} />} label="Use this LUN anyway and destroy its data" />
                {f.forceUsedLun && (
                  <TextField size="small" label="Type the LUN GUID to confirm" value={f.forceConfirmation} onChange={(e) => set({ forceConfirmation: e.target.value })} {...err('forceConfirmation')} sx={{ maxWidth: 520, bgcolor: 'background.paper' }} />
                )}
              </Stack>
            </Alert>
          )}
        </Stack>
      )}

      {step === REVIEW && plan && (
        <Stack spacing={2}>
          <Paper variant="outlined" sx={{ p: 2 }}>
            <FormControlLabel
              control={<Switch checked={f.writeConf} disabled={!!busy} onChange={(e) => { set({ writeConf: e.target.checked }); void makePlan(e.target.checked); }} />}
              label="Also write the storage keys into /etc/ovirt-hosted-engine/hosted-engine.conf on the host"
            />
            {iscsi && (
              <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
                {f.loginPassword
                  ? 'CHAP passwords appear as ****** here and are never put in the answer file; hosted-engine setup asks for them. If you write hosted-engine.conf, the login CHAP password goes into it in clear text, as oVirt requires (see the note below).'
                  : 'No login CHAP: hosted-engine.conf will hold no password. (With login CHAP, oVirt keeps that password in clear text in hosted-engine.conf.)'}
              </Typography>
            )}
          </Paper>
          <PlanReview plan={plan} gate={gate} />
          {runner.error && (
            <Alert severity="error" role="alert"
              action={runner.error instanceof ApiError && REPLAN_CODES.includes(runner.error.code) ? <Button color="inherit" onClick={() => void makePlan()}>Build it again</Button> : undefined}>
              {runner.error.message}
            </Alert>
          )}
        </Stack>
      )}
      {step === APPLY && job && <JobProgress job={job} />}
      {step === RESULT && result && ('verifyError' in result ? <Alert severity="error">The storage is in place, but reading the result failed: {result.verifyError}</Alert> : <ResultPanel r={result} />)}

      <Stack direction="row" spacing={1} sx={{ mt: 3 }}>
        {step > HOST && step < APPLY && <Button onClick={back} disabled={!!busy}>Back</Button>}
        {(step === HOST || (step === STORAGE && iscsi)) && <Button variant="contained" onClick={next}>Next</Button>}
        {step === STORAGE && !iscsi && <Button variant="contained" onClick={next} disabled={!!busy}>{busy === 'plan' ? 'Planning…' : 'Review plan'}</Button>}
        {step === PORTALS && <Button variant="contained" onClick={() => void discover()} disabled={!!busy}>{busy === 'discover' ? 'Discovering…' : 'Discover'}</Button>}
        {step === TARGET && disc && disc.targets.length > 0 && (
          <Button variant="contained" onClick={() => void connect()} disabled={!!busy || f.targetIndex === null}>{busy === 'connect' ? 'Logging in…' : 'Log in and list LUNs'}</Button>
        )}
        {step === LUN && <Button variant="contained" onClick={() => void makePlan()} disabled={!!busy || !f.lunGuid}>{busy === 'plan' ? 'Planning…' : 'Review plan'}</Button>}
        {step === REVIEW && <ApplyButton gate={gate} busy={!!busy} onClick={() => void apply()} />}
        {step === REVIEW && gate.expired && <Button onClick={() => void makePlan()} disabled={!!busy}>Build the plan again</Button>}
        {step === APPLY && job?.state === 'succeeded' && <Button variant="contained" onClick={() => setStep(RESULT)}>Show result</Button>}
        {step >= APPLY && job && job.state !== 'running' && <Button onClick={onDone}>Close</Button>}
      </Stack>
    </Paper>
  );
}

function LunTable({ rows, chosen, onChoose }: { rows: LunRow[]; chosen: string; onChoose: (guid: string) => void }) {
  return (
    <Table size="small" aria-label="LUNs">
      <TableHead>
        <TableRow>
          <TableCell padding="checkbox" />
          <TableCell>GUID</TableCell>
          <TableCell>Size</TableCell>
          <TableCell>Vendor / product</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Paths</TableCell>
          <TableCell>Why not</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((r) => {
          const usable = r.eligible || r.forceable;
          return (
            <TableRow key={r.guid} selected={r.guid === chosen} aria-label={r.guid} aria-disabled={!usable}>
              <TableCell padding="checkbox">
                <Radio checked={r.guid === chosen} disabled={!usable} onChange={() => onChoose(r.guid)} slotProps={{ input: { 'aria-label': `Use LUN ${r.guid}` } }} />
              </TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 13, color: usable ? undefined : 'text.disabled', wordBreak: 'break-all' }}>{r.guid}</TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatSize(Number(r.sizeBytes))}</TableCell>
              <TableCell>{r.vendor} {r.product}</TableCell>
              <TableCell>{r.usedBy ? 'used' : r.status === 'free' ? 'free' : r.status}</TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>
                {r.pathsActive} active{r.pathsFailed ? `, ${r.pathsFailed} failed` : ''}
              </TableCell>
              <TableCell sx={{ color: r.eligible ? 'success.main' : 'text.secondary', maxWidth: 420 }}>{r.reason ?? 'eligible'}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function FileBox({ title, name, text }: { title: string; name: string; text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Box aria-label={title}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5 }}>
        <Typography variant="subtitle2" sx={{ flexGrow: 1 }}>{title}</Typography>
        <Button size="small" onClick={() => downloadText(name, text)}>Download {title.toLowerCase()}</Button>
        <Button size="small" onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true))}>{copied ? 'Copied' : `Copy ${title.toLowerCase()}`}</Button>
      </Stack>
      <Paper variant="outlined" component="pre" sx={{ p: 1.5, m: 0, fontSize: 12.5, overflow: 'auto', maxHeight: 360, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {text}
      </Paper>
    </Box>
  );
}

function ResultPanel({ r }: { r: HeApplyResult }) {
  const b = (s: string) => formatSize(Number(s));
  return (
    <Stack spacing={2} aria-label="Result" sx={{ mt: 2 }}>
      <Alert severity="success">
        Storage domain “{r.domain.name}” is active in pool “{r.pool.name}”. Next: run <code>hosted-engine --deploy --config-append=he-storage-answers.conf</code> on the host.
      </Alert>
      {r.warnings.map((w) => (
        <Alert key={w} severity="warning">{w}</Alert>
      ))}
      <Table size="small" aria-label="Storage summary" sx={{ maxWidth: 900 }}>
        <TableBody>
          <TableRow><TableCell component="th">Storage domain</TableCell><TableCell sx={{ fontFamily: 'monospace' }}>{r.domain.sdUUID}</TableCell></TableRow>
          <TableRow><TableCell component="th">Domain size / free</TableCell><TableCell>{b(r.domain.totalBytes)} / {b(r.domain.freeBytes)} free</TableCell></TableRow>
          {r.vg && (
            <>
              <TableRow><TableCell component="th">Volume group</TableCell><TableCell sx={{ fontFamily: 'monospace' }}>{r.vg.name} (LVM uuid {r.vg.vgUUID})</TableCell></TableRow>
              <TableRow><TableCell component="th">VG size / free, state</TableCell><TableCell>{b(r.vg.sizeBytes)} / {b(r.vg.freeBytes)} free, {r.vg.state}</TableCell></TableRow>
              <TableRow><TableCell component="th">Physical volumes</TableCell><TableCell sx={{ fontFamily: 'monospace' }}>{r.vg.pvs.join(', ')}</TableCell></TableRow>
            </>
          )}
          <TableRow><TableCell component="th">Storage pool</TableCell><TableCell sx={{ fontFamily: 'monospace' }}>{r.pool.spUUID}</TableCell></TableRow>
          {r.confWritten && (
            <TableRow><TableCell component="th">hosted-engine.conf</TableCell><TableCell>written to {r.confWritten.path} (a rollback of this job puts back the previous file exactly)</TableCell></TableRow>
          )}
        </TableBody>
      </Table>
      <FileBox title="Answer file" name="he-storage-answers.conf" text={r.answerFile} />
      <FileBox title="hosted-engine.conf keys" name="hosted-engine.conf.storage" text={r.hostedEngineConf} />
    </Stack>
  );
}
