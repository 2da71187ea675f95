// Bond wizard: Name -> Networks (placement per host, before saving) -> Connections (targets and
// their portals, per network) -> Review (the per-host connection list exactly as applied, then the
// plan) -> Apply (a journaled job) -> Path matrix. Fields are declared once (fields.tsx) and checked
// with the shared BondInputSchema; main checks the seed's and the engine's rules again.
import { useEffect, useState } from 'react';
import { Alert, Box, Button, Paper, Stack, Step, StepLabel, Stepper, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { BondInputSchema, type BondInput, type BondPreview, type BondsOverview, type BondView, type DataCenterView, type PlacementResult } from '../../../../shared/domain/bond';
import type { PlanView } from '../../../../shared/plan';
import { ApiError, call } from '../../api/client';
import { apiPathErrors, zodPathErrors, type FieldErrors } from '../../components/form';
import { useLiveValidation } from '../../components/live-validation';
import { JobProgress } from '../../components/JobProgress';
import { ApplyButton, PlanReview, usePlanGate } from '../../components/PlanReview';
import { REPLAN_CODES, usePlanApply } from '../../components/PlanRunner';
import { FieldList, type FieldDecl } from '../../components/FieldList';
import { PlacementTable } from './Placement';
import { HostConnections } from './HostConnections';
import { PathMatrix } from './PathMatrix';
import { namer, OVERVIEW_KEY, portalText } from './api';

export const BOND_STEPS = ['Name', 'Networks', 'Connections', 'Review', 'Apply', 'Path matrix'] as const;
const [NAME, NETWORKS, CONNECTIONS, REVIEW, APPLY, MATRIX] = [0, 1, 2, 3, 4, 5];

interface BondForm extends Record<string, string | boolean | string[]> {
  name: string;
  description: string;
  networkIds: string[];
  connectionIds: string[];
}

/** The wizard's fields, declared once; options come from the data center. */
function bondFields(o: BondsOverview, dc: DataCenterView): Record<number, FieldDecl<BondForm>[]> {
  const n = namer(o);
  const nets = o.networks.filter((x) => x.dcId === dc.id);
  const conns = o.connections.filter((x) => x.dcId === dc.id);
  return {
    [NAME]: [
      { key: 'name', label: 'Bond name', help: 'Unique in the data center; at most 50 letters, digits, ".", "_" or "-".' },
      { key: 'description', label: 'Description (optional)', kind: 'multiline' },
    ],
    [NETWORKS]: [
      {
        key: 'networkIds', label: 'Networks of the bond', kind: 'checkboxes',
        help: 'At least one. Every host logs in through each of them; a required network cannot be in a bond.',
        options: nets.map((x) => ({ value: x.id, name: `network ${x.name}`, disabled: x.required, label: `${x.name} (${x.cidr}${x.vlan ? `, VLAN ${x.vlan}` : ''})${x.required ? ' — required in its clusters: cannot be in a bond' : ''}` })),
      },
    ],
    [CONNECTIONS]: [
      {
        key: 'connectionIds', label: 'Storage connections (target portals)', kind: 'checkboxes',
        help: 'Each host reaches each target through every bonded network, using the target’s portal on that network.',
        options: conns.map((c) => ({
          value: c.id, name: `${c.iqn} ${portalText(c.address, c.port)}`,
          label: <span><code>{c.iqn}</code> at {portalText(c.address, c.port)} · {c.networkId ? `network ${n.network(c.networkId)}` : 'no network of this data center'}{c.chap ? ` · CHAP ${c.chap.user}` : ''}</span>,
        })),
      },
    ],
  };
}

/** Which step a field path belongs to. */
function stepOf(path: string): number {
  if (/^(name|description)/.test(path)) return NAME;
  if (path.startsWith('networkIds')) return NETWORKS;
  if (path.startsWith('connectionIds')) return CONNECTIONS;
  return -1;
}

const fieldOf = (path: string) => path.split('.')[0];

export function BondWizard({ o, dc, bond, onClose }: { o: BondsOverview; dc: DataCenterView; bond: BondView | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [step, setStep] = useState(NAME);
  const [f, setF] = useState<BondForm>({
    name: bond?.name ?? '', description: bond?.description ?? '', networkIds: bond?.networkIds ?? [], connectionIds: bond?.connectionIds ?? [],
  });
  const [placement, setPlacement] = useState<PlacementResult | null>(null);
  const [preview, setPreview] = useState<BondPreview | null>(null);
  const [saved, setSaved] = useState<BondView | null>(bond);
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const runner = usePlanApply();
  const gate = usePlanGate(plan);
  const fields = bondFields(o, dc);
  const n = namer(o);
  const set = (patch: Partial<BondForm>) => {
    setF((x) => ({ ...x, ...patch }) as BondForm);
    if ('networkIds' in patch || 'connectionIds' in patch || 'name' in patch) {
      setPreview(null);
      setPlan(null);
    }
  };
  const toInput = (): BondInput => ({ ...(saved ? { id: saved.id } : {}), dcId: dc.id, name: f.name.trim(), description: f.description, networkIds: f.networkIds, connectionIds: f.connectionIds });
  // The form kit's live validation: a step's fields re-validate as the admin types once Next was
  // pressed there; main's problems stay under their field until that field changes.
  const live = useLiveValidation(toInput(), (i) => {
    const r = BondInputSchema.safeParse(i);
    return r.success ? {} : zodPathErrors(r.error);
  });
  const errors: FieldErrors = {};
  for (const [k, m] of Object.entries(live.errors)) if (!errors[fieldOf(k)]) errors[fieldOf(k)] = m;
  /** Keeps main's (or a rule's) problems, keyed by form field. */
  const setErrors = (fe: FieldErrors) => live.refuse(Object.fromEntries(Object.entries(fe).map(([k, v]) => [k === '_form' ? k : fieldOf(k), v])));

  // The placement check follows the network choice, before anything is saved.
  useEffect(() => {
    if (step !== NETWORKS || f.networkIds.length === 0) {
      if (f.networkIds.length === 0) setPlacement(null);
      return;
    }
    let current = true;
    call('bonds.placement', { dcId: dc.id, networkIds: f.networkIds }).then((p) => current && setPlacement(p), (e) => current && setErrors(apiPathErrors(e)));
    return () => {
      current = false;
    };
  }, [step, f.networkIds, dc.id]);

  /** Arms the fields of the steps up to `upTo`; true when none has a schema error. */
  const validate = (upTo: number): boolean => {
    live.clearRefusal();
    return live.check((k) => stepOf(k) >= 0 && stepOf(k) <= upTo);
  };

  /** Shows main's problems on their fields and goes back to the first step that has one. */
  const showProblems = (problems: { field: string; message: string }[]) => {
    const fe: FieldErrors = {};
    for (const p of problems) if (!fe[fieldOf(p.field) || '_form']) fe[fieldOf(p.field) || '_form'] = p.message;
    setErrors(fe);
    const steps = Object.keys(fe).map(stepOf).filter((s) => s >= 0);
    if (steps.length) setStep(Math.min(...steps));
  };

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    try {
      await fn();
    } catch (e) {
      const fe = Object.fromEntries(Object.entries(apiPathErrors(e)).map(([k, v]) => [k === '_form' ? k : fieldOf(k), v]));
      live.refuse(fe);
      const s = Object.keys(fe).map(stepOf).filter((x) => x >= 0);
      if (s.length) setStep(Math.min(...s));
    } finally {
      setBusy(null);
    }
  };

  const next = () => {
    if (step === NAME) {
      if (!validate(NAME)) return;
      const taken = o.bonds.find((b) => b.dcId === dc.id && b.name === f.name.trim() && b.id !== saved?.id);
      if (taken) {
        setErrors({ name: `name: data center ${dc.name} already has a bond named ${taken.name}; choose another name` });
        return;
      }
      setStep(NETWORKS);
      return;
    }
    if (step === NETWORKS) {
      if (!validate(NETWORKS)) return;
      if (f.networkIds.length === 0) {
        setErrors({ networkIds: 'networkIds: choose at least one network for the bond' });
        return;
      }
      const p = placement?.problems ?? [];
      if (p.length) return showProblems(p);
      setStep(CONNECTIONS);
      return;
    }
    if (step === CONNECTIONS) {
      void run('preview', async () => {
        if (!validate(CONNECTIONS)) return;
        const pv = await call('bonds.preview', toInput());
        setPreview(pv);
        if (pv.problems.length) return showProblems(pv.problems);
        setStep(REVIEW);
      });
    }
  };

  /** Saves the bond (Portico's record) and asks main for the plan that brings every host to it. */
  const saveAndPlan = () =>
    run('plan', async () => {
      const b = await call('bonds.save', toInput());
      setSaved(b);
      await qc.invalidateQueries({ queryKey: OVERVIEW_KEY });
      setPlan(await call('bonds.planApply', { bondId: b.id, remove: false }));
    });

  const apply = () =>
    run('apply', async () => {
      if (await runner.apply(plan!, gate)) setStep(APPLY);
    });

  const job = runner.job;
  const stepFields = fields[step] ?? [];
  const shown = new Set(stepFields.map((d) => d.key));
  const stepAlerts = Object.entries(errors).filter(([k]) => k === '_form' || (stepOf(k) === step && !shown.has(k)));

  return (
    <Paper variant="outlined" sx={{ p: 3 }} role="region" aria-label={bond ? `Edit bond ${bond.name}` : 'New bond'}>
      <Typography variant="h6" component="h2" sx={{ mb: 2 }}>{bond ? `Edit bond ${bond.name}` : 'New bond'} in data center {dc.name}</Typography>
      <Stepper activeStep={step} sx={{ mb: 3 }}>
        {BOND_STEPS.map((s, i) => (
          <Step key={s} completed={i < step}>
            <StepLabel aria-current={i === step ? 'step' : undefined} error={Object.keys(errors).some((k) => stepOf(k) === i)}>{s}</StepLabel>
          </Step>
        ))}
      </Stepper>
      {stepAlerts.map(([k, m]) => <Alert key={k} severity="error" sx={{ mb: 2, whiteSpace: 'pre-line' }}>{m}</Alert>)}

      {step <= CONNECTIONS && (
        <Stack spacing={2} sx={{ maxWidth: 900 }}>
          <FieldList fields={stepFields} form={f} set={set} errors={errors} />
          {step === NETWORKS && placement && <PlacementTable p={placement} networkName={(id) => n.network(id)} />}
          {step === CONNECTIONS && o.connections.filter((c) => c.dcId === dc.id).length === 0 && (
            <Alert severity="info">This data center has no storage connection yet: close the wizard and add them under Storage connections.</Alert>
          )}
        </Stack>
      )}

      {step === REVIEW && preview && (
        <Stack spacing={2}>
          <Typography variant="body2" color="text.secondary">
            Exactly what the apply sends each host: one entry per host × network × target. Secrets show as ******.
          </Typography>
          <HostConnections hosts={preview.hosts} networkName={n.network} connectionName={n.connection} />
          {plan && <PlanReview plan={plan} gate={gate} />}
          {runner.error && (
            <Alert severity="error" role="alert"
              action={runner.error instanceof ApiError && REPLAN_CODES.includes(runner.error.code) ? <Button color="inherit" onClick={() => void saveAndPlan()}>Build it again</Button> : undefined}>
              {runner.error.message}
            </Alert>
          )}
        </Stack>
      )}
      {step === APPLY && job && <JobProgress job={job} />}
      {step === MATRIX && saved && <PathMatrix o={o} bondId={saved.id} />}

      <Stack direction="row" spacing={1} sx={{ mt: 3, alignItems: 'center' }}>
        {step < APPLY && <Button onClick={onClose}>Cancel</Button>}
        {step > NAME && step < APPLY && <Button onClick={() => { setPlan(null); setStep(step - 1); }} disabled={!!busy}>Back</Button>}
        {step < REVIEW && (
          <Button variant="contained" onClick={next} disabled={!!busy}>{step === CONNECTIONS ? (busy === 'preview' ? 'Checking…' : 'Review') : 'Next'}</Button>
        )}
        {step === REVIEW && !plan && <Button variant="contained" onClick={() => void saveAndPlan()} disabled={!!busy}>{busy === 'plan' ? 'Saving…' : 'Save bond and build the plan'}</Button>}
        {step === REVIEW && plan && <ApplyButton gate={gate} busy={!!busy} onClick={() => void apply()} />}
        {step === REVIEW && plan && gate.expired && <Button onClick={() => void saveAndPlan()}>Build the plan again</Button>}
        {step === APPLY && job && job.state !== 'running' && <Button variant="contained" onClick={() => setStep(MATRIX)}>Show the path matrix</Button>}
        {step >= APPLY && job && job.state !== 'running' && <Button onClick={() => { void qc.invalidateQueries({ queryKey: OVERVIEW_KEY }); onClose(); }}>Close</Button>}
        <Box sx={{ flexGrow: 1 }} />
      </Stack>
    </Paper>
  );
}
