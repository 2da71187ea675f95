// Create-target wizard: Identity -> LUNs -> Access -> Review -> Apply -> Verify.
// Validation uses the shared schemas; main validates again and builds the plan from live state.
import { useMemo, useState } from 'react';
import {
  Alert, Box, Button, Chip, FormControlLabel, IconButton, Paper, Stack, Step, StepLabel, Stepper, Switch,
  Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import { useQueryClient } from '@tanstack/react-query';
import {
  NETWORKS_NOTE, SIZE_UNIT_NOTE, TargetInputSchema, buildIqn, formatSize, generateChapSecret, type TargetInput,
} from '../../../../shared/domain/target';
import type { HostView } from '../../../../shared/features/hosts';
import type { TgtSettingsView } from '../../../../shared/features/targets';
import type { PlanView } from '../../../../shared/plan';
import { call } from '../../api/client';
import { apiPathErrors, zodPathErrors, type FieldErrors } from '../../components/form';
import { useLiveValidation } from '../../components/live-validation';
import { JobProgress } from '../../components/JobProgress';
import { ApplyButton, PlanReview, StickyActions, usePlanGate } from '../../components/PlanReview';
import { REPLAN_CODES, usePlanApply } from '../../components/PlanRunner';
import { ApiError } from '../../api/client';
import { IN_USE_KEY } from './DeviceInUse';
import { LunFieldCells, LunTableHead, NEW_LUN, lunInput, type LunRow } from './LunFields';

export const TARGET_STEPS = ['Identity', 'LUNs', 'Access', 'Review', 'Apply', 'Verify'] as const;

interface WizardState {
  name: string; iqn: string; iqnEdited: boolean; comment: string; alias: string;
  luns: LunRow[];
  initiators: string; networks: string;
  chap: boolean; chapUser: string; chapSecret: string; mutual: boolean; mutualUser: string; mutualSecret: string;
}

const lines = (s: string) => s.split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);

function toInput(serverId: string, w: WizardState): TargetInput {
  return {
    serverId, name: w.name.trim(), iqn: w.iqn.trim(),
    comment: w.comment.trim() || undefined, alias: w.alias.trim() || undefined,
    luns: w.luns.map(lunInput),
    access: {
      initiators: lines(w.initiators), networks: lines(w.networks),
      chap: w.chap ? { user: w.chapUser.trim(), secret: w.chapSecret, mutual: w.mutual ? { user: w.mutualUser.trim(), secret: w.mutualSecret } : undefined } : undefined,
    },
  };
}

function validateTarget(i: TargetInput): FieldErrors {
  const r = TargetInputSchema.safeParse(i);
  return r.success ? {} : zodPathErrors(r.error);
}

/** Which step a field path belongs to, to send the admin back to it. */
function stepOf(path: string): number {
  if (path.startsWith('luns')) return 1;
  if (path.startsWith('access') || /initiator|network|chap/i.test(path)) return 2;
  return 0;
}

/** Error keys a field of the form displays itself; any other key is shown as an alert of its step. */
const SHOWN_IN_FIELDS = /^(name|iqn|comment|alias|luns\.\d+\.(size|backing\.(file|path|vg|lv|confirmInUse))|luns|access\.(initiators|networks)(\.\d+)?|access\.chap\.(user|secret|mutual\.user|mutual\.secret))$/;

const STEP_FIELDS: Record<number, (k: string) => boolean> = {
  0: (k) => stepOf(k) === 0 && k !== '_form',
  1: (k) => stepOf(k) === 1,
  2: (k) => stepOf(k) === 2,
};

export function CreateTargetWizard({ server, settings, hosts, onClose }: { server: HostView; settings: TgtSettingsView; hosts: HostView[]; onClose: () => void }) {
  const qc = useQueryClient();
  const [step, setStep] = useState(0);
  const [w, setW] = useState<WizardState>({
    name: '', iqn: '', iqnEdited: false, comment: '', alias: '', luns: [{ ...NEW_LUN }], initiators: '', networks: '',
    chap: false, chapUser: '', chapSecret: '', mutual: false, mutualUser: '', mutualSecret: '',
  });
  const input = toInput(server.id, w);
  // Errors re-validate as the admin types: a step's fields are armed by its Next, main's refusal stays until its field changes.
  const live = useLiveValidation(input, validateTarget);
  const errors: FieldErrors = live.errors;
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [busy, setBusy] = useState(false);
  const runner = usePlanApply();
  const gate = usePlanGate(plan);
  const set = (patch: Partial<WizardState>) => setW((x) => ({ ...x, ...patch }));
  const setLun = (i: number, patch: Partial<LunRow>) => set({ luns: w.luns.map((l, j) => (j === i ? { ...l, ...patch } : l)) });
  const knownInitiators = useMemo(
    () => hosts.filter((h) => h.capabilities?.initiatorName).map((h) => ({ name: h.name, iqn: h.capabilities!.initiatorName! })),
    [hosts],
  );
  const err = (k: string) => ({ error: !!errors[k], helperText: errors[k] });

  /** Validates the fields of the steps up to `upTo` with the shared schema. */
  const validate = (upTo: number): boolean => live.check((k) => [0, 1, 2].some((s) => s <= upTo && STEP_FIELDS[s](k)));

  /** Next from step `at` (the current one); from Access it builds the plan. */
  const next = async (at = step) => {
    if (at < 2) {
      if (validate(at)) setStep(at + 1);
      return;
    }
    if (at === 2) {
      if (!validate(2)) return;
      setBusy(true);
      try {
        setPlan(await call('targets.planCreate', input));
        live.clearRefusal();
        setStep(3);
      } catch (e) {
        const fe = apiPathErrors(e);
        live.refuse(fe);
        // A device main found in use: its row keeps the finding and offers the confirmation field.
        const inUse = new Map(Object.entries(fe).flatMap(([k, m]) => { const x = IN_USE_KEY.exec(k); return x ? [[Number(x[1]), m] as const] : []; }));
        if (inUse.size) setW((x) => ({ ...x, luns: x.luns.map((l, j) => (inUse.has(j) ? { ...l, inUse: inUse.get(j)! } : l)) }));
        const k = Object.keys(fe)[0];
        if (k !== '_form') setStep(stepOf(k));
      } finally {
        setBusy(false);
      }
    }
  };

  const apply = async () => {
    setBusy(true);
    try {
      // Stay on the review when main refuses (expired, stale, not confirmed): its words show there.
      if (await runner.apply(plan!, gate)) setStep(4);
    } finally {
      setBusy(false);
    }
  };
  const replan = () => {
    setStep(2);
    void next(2);
  };

  const job = runner.job;
  const result = job?.state === 'succeeded' ? (job.result as VerifyResult | undefined) : undefined;

  return (
    <Paper variant="outlined" sx={{ p: 3 }} aria-label="Create target">
      <Typography variant="h6" component="h2" sx={{ mb: 2 }}>
        Create target on {server.name}
      </Typography>
      <Stepper activeStep={step} sx={{ mb: 3 }}>
        {TARGET_STEPS.map((s, i) => (
          <Step key={s} completed={i < step}>
            <StepLabel aria-current={i === step ? 'step' : undefined} error={Object.keys(errors).some((k) => k !== '_form' && stepOf(k) === i)}>
              {s}
            </StepLabel>
          </Step>
        ))}
      </Stepper>
      {errors._form && <Alert severity="error" sx={{ mb: 2, whiteSpace: 'pre-line' }}>{errors._form}</Alert>}
      {Object.entries(errors)
        .filter(([k]) => k !== '_form' && stepOf(k) === step && !SHOWN_IN_FIELDS.test(k))
        .map(([k, m]) => (
          <Alert key={k} severity="error" sx={{ mb: 2 }}>{m}</Alert>
        ))}

      {step === 0 && (
        <Stack spacing={2} sx={{ maxWidth: 760 }}>
          <TextField
            label="Target name" value={w.name} autoFocus {...err('name')}
            onChange={(e) => set({ name: e.target.value, iqn: w.iqnEdited ? w.iqn : e.target.value ? buildIqn(settings.baseIqn, e.target.value.trim()) : '' })}
          />
          <TextField label="IQN" value={w.iqn} {...err('iqn')} onChange={(e) => set({ iqn: e.target.value, iqnEdited: true })}
            helperText={errors.iqn ?? `Built from the server's base IQN ${settings.baseIqn} and the name; edit if you need another.`} />
          <Stack direction="row" spacing={2}>
            <TextField label="Comment" value={w.comment} {...err('comment')} onChange={(e) => set({ comment: e.target.value })} fullWidth />
            <TextField label="Alias" value={w.alias} {...err('alias')} onChange={(e) => set({ alias: e.target.value })} fullWidth />
          </Stack>
        </Stack>
      )}

      {step === 1 && (
        <Stack spacing={2}>
          <Alert severity="info">{SIZE_UNIT_NOTE} Files go to {settings.storageDir}; the first is named after the target, extra LUNs get _1, _2, …</Alert>
          <Table size="small" aria-label="LUNs">
            <LunTableHead />
            <TableBody>
              {w.luns.map((l, i) => (
                <TableRow key={i}>
                  <LunFieldCells row={l} lun={i + 1} errorKey={`luns.${i}`} errors={errors} onChange={(patch) => setLun(i, patch)} />
                  <TableCell>
                    <IconButton aria-label={`Remove LUN ${i + 1}`} disabled={w.luns.length === 1} onClick={() => set({ luns: w.luns.filter((_, j) => j !== i) })}>
                      <DeleteOutlinedIcon />
                    </IconButton>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {errors.luns && <Alert severity="error">{errors.luns}</Alert>}
          <Box>
            <Button onClick={() => set({ luns: [...w.luns, { ...NEW_LUN }] })}>Add LUN</Button>
          </Box>
        </Stack>
      )}

      {step === 2 && (
        <Stack spacing={2} sx={{ maxWidth: 860 }}>
          <TextField label="Allowed initiators (one IQN per line)" multiline minRows={3} value={w.initiators} onChange={(e) => set({ initiators: e.target.value })}
            error={!!(errors['access.initiators'] || Object.keys(errors).find((k) => k.startsWith('access.initiators.')))}
            helperText={errors['access.initiators'] ?? errors[Object.keys(errors).find((k) => k.startsWith('access.initiators.')) ?? ''] ?? 'Only these initiators may log in (OR-ed with the networks below).'} />
          {knownInitiators.length > 0 && (
            <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
              <Typography variant="body2" color="text.secondary">Hosts Portico knows:</Typography>
              {knownInitiators.map((k) => (
                <Chip key={k.iqn} label={`${k.name}: ${k.iqn}`} size="small" onClick={() => !lines(w.initiators).includes(k.iqn) && set({ initiators: [...lines(w.initiators), k.iqn].join('\n') })} />
              ))}
            </Stack>
          )}
          <TextField label="Allowed networks (address or CIDR, one per line)" multiline minRows={2} value={w.networks} onChange={(e) => set({ networks: e.target.value })}
            error={!!Object.keys(errors).find((k) => k.startsWith('access.networks'))}
            helperText={errors[Object.keys(errors).find((k) => k.startsWith('access.networks')) ?? ''] ?? NETWORKS_NOTE} />
          <FormControlLabel control={<Switch checked={w.chap} onChange={(e) => set({ chap: e.target.checked, chapUser: w.chapUser || `${w.name || 'target'}-user`, chapSecret: w.chapSecret || generateChapSecret() })} />} label="Require CHAP" />
          {w.chap && (
            <Stack spacing={2}>
              <Stack direction="row" spacing={2}>
                <TextField label="CHAP user" value={w.chapUser} onChange={(e) => set({ chapUser: e.target.value })} {...err('access.chap.user')} />
                <TextField label="CHAP secret" value={w.chapSecret} onChange={(e) => set({ chapSecret: e.target.value })} {...err('access.chap.secret')} sx={{ fontFamily: 'monospace', minWidth: 260 }}
                  helperText={errors['access.chap.secret'] ?? 'Generated, 16 characters. Give it to the initiators now: after this wizard Portico only shows ******.'} />
                <Button onClick={() => set({ chapSecret: generateChapSecret() })}>New secret</Button>
              </Stack>
              <FormControlLabel control={<Switch checked={w.mutual} onChange={(e) => set({ mutual: e.target.checked, mutualUser: w.mutualUser || `${w.name || 'target'}-target`, mutualSecret: w.mutualSecret || generateChapSecret() })} />} label="Mutual CHAP (the target proves itself too)" />
              {w.mutual && (
                <Stack direction="row" spacing={2}>
                  <TextField label="Target CHAP user" value={w.mutualUser} onChange={(e) => set({ mutualUser: e.target.value })} {...err('access.chap.mutual.user')} />
                  <TextField label="Target CHAP secret" value={w.mutualSecret} onChange={(e) => set({ mutualSecret: e.target.value })} {...err('access.chap.mutual.secret')} sx={{ minWidth: 260 }} />
                </Stack>
              )}
            </Stack>
          )}
        </Stack>
      )}

      {step === 3 && plan && <PlanReview plan={plan} gate={gate} />}
      {step === 3 && runner.error && (
        <Alert severity="error" role="alert" sx={{ mt: 2 }}
          action={runner.error instanceof ApiError && REPLAN_CODES.includes(runner.error.code) ? <Button color="inherit" onClick={replan}>Build it again</Button> : undefined}>
          {runner.error.message}
        </Alert>
      )}
      {step >= 4 && job && <JobProgress job={job} />}
      {step >= 4 && runner.error && <Alert severity="error">{runner.error.message}</Alert>}
      {step === 5 && result && <VerifyPanel result={result} />}

      <StickyActions>
        {step < 4 && <Button onClick={onClose}>Cancel</Button>}
        {step > 0 && step < 4 && <Button onClick={() => setStep(step - 1)}>Back</Button>}
        {step < 3 && (
          <Button variant="contained" onClick={() => void next()} disabled={busy}>
            {step === 2 ? (busy ? 'Planning…' : 'Review plan') : 'Next'}
          </Button>
        )}
        {step === 3 && <ApplyButton gate={gate} busy={busy} onClick={() => void apply()} />}
        {step === 3 && gate.expired && <Button onClick={replan}>Build the plan again</Button>}
        {step === 4 && job?.state === 'succeeded' && <Button variant="contained" onClick={() => setStep(5)}>Verify</Button>}
        {step >= 4 && job && job.state !== 'running' && (
          <Button onClick={() => { void qc.invalidateQueries({ queryKey: ['targets', server.id] }); onClose(); }}>Close</Button>
        )}
      </StickyActions>
    </Paper>
  );
}

interface VerifyResult {
  tid: number;
  iqn: string;
  luns: { lun: number; path: string | null; sizeBytes: number | null; allocatedBytes: number | null; readonly: boolean }[];
  login?: { portal: string; initiatorName: string; asHost: boolean; luns: { lun: number | null; sizeBytes: number | null; vendor: string; product: string; serial: string | null; guid: string | null }[] } | { error: string };
}

function VerifyPanel({ result }: { result: VerifyResult }) {
  const login = result.login;
  if (!login) return <Alert severity="warning">The target is in place (tid {result.tid}), but no login check ran.</Alert>;
  if ('error' in login) return <Alert severity="error" role="alert">Verification failed: {login.error}</Alert>;
  const mismatches = result.luns.filter((l) => login.luns.find((x) => x.lun === l.lun)?.sizeBytes !== l.sizeBytes);
  return (
    <Stack spacing={2} aria-label="Verification">
      {mismatches.length === 0 ? (
        <Alert severity="success">
          Logged in to {result.iqn} at {login.portal} as {login.initiatorName}
          {login.asHost ? ' (an allowed host’s name, with a fresh session id)' : ''}: {login.luns.length} LUN(s), sizes as planned.
        </Alert>
      ) : (
        <Alert severity="error">Verification failed: LUN {mismatches.map((m) => m.lun).join(', ')} answered with a size other than planned.</Alert>
      )}
      <Table size="small" aria-label="Verified LUNs">
        <TableHead>
          <TableRow>
            <TableCell>LUN</TableCell>
            <TableCell>Size seen by the initiator</TableCell>
            <TableCell>Vendor / product</TableCell>
            <TableCell>Serial</TableCell>
            <TableCell>GUID (multipath WWID)</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {login.luns.map((l) => (
            <TableRow key={String(l.lun)}>
              <TableCell>{l.lun}</TableCell>
              <TableCell>{l.sizeBytes === null ? '?' : formatSize(l.sizeBytes)}</TableCell>
              <TableCell>{l.vendor} {l.product}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace' }}>{l.serial}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace' }}>{l.guid}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Stack>
  );
}
