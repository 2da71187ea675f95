// Create-datastore wizard: Flavour -> Settings -> Review -> Apply. Fields are declared once
// (datastore-fields.ts) and validated with the contract's schema; main renders the template (text
// for review, XML for oned) and builds the plan: with CHAP, the libvirt secret on every KVM host of
// the cluster (masked), then one.datastore.allocate. A front-end version without the chosen driver
// makes the template export-only.
import { useMemo, useState } from 'react';
import {
  Alert, AlertTitle, Box, Button, Chip, FormControlLabel, Paper, Radio, RadioGroup, Stack, Step, StepLabel, Stepper, Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { DatastoreInputSchema } from '../../../../shared/domain/opennebula';
import type { ClusterView, OneDrivers, RenderedTemplate, TgtServerCheck } from '../../../../shared/domain/opennebula-views';
import type { HostView } from '../../../../shared/features/hosts';
import type { PlanView } from '../../../../shared/plan';
import { ApiError, call } from '../../api/client';
import { apiPathErrors, type FieldErrors } from '../../components/form';
import { useLiveValidation } from '../../components/live-validation';
import { schemaErrors } from '../../components/PlanDialog';
import { JobProgress } from '../../components/JobProgress';
import { ApplyButton, PlanReview, usePlanGate } from '../../components/PlanReview';
import { REPLAN_CODES, usePlanApply } from '../../components/PlanRunner';
import { FieldList } from '../../components/FieldList';
import { NEW_DS, SEED_WARNINGS, fieldErrorKey, libvirtFields, tgtFields, toDatastoreInput, type DsForm } from './datastore-fields';
import { TemplateText } from './TemplateText';
import { downloadText } from '../../components/download';

const validateDatastore = schemaErrors<ReturnType<typeof toDatastoreInput>>(DatastoreInputSchema);

/** Errors as the fields show them: list entries under their list, without the "field: " prefix. */
function shownErrors(e: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(e).map(([k, m]) => [fieldErrorKey(k), k === '_form' ? m : m.replace(/^[\w.]+: /, '')]));
}

export const DS_STEPS = ['Flavour', 'Settings', 'Review', 'Apply'] as const;
const [FLAVOUR, SETTINGS, REVIEW, APPLY] = [0, 1, 2, 3];

/** The KVM hosts of a cluster, which get the CHAP secret, and whether Portico can reach each. */
function SecretHosts({ cluster, hosts }: { cluster: ClusterView | undefined; hosts: HostView[] }) {
  if (!cluster) return null;
  const kvm = cluster.hosts.filter((h) => h.vmMad === 'kvm');
  if (!kvm.length) return <Alert severity="warning">Cluster {cluster.name} has no KVM host: the CHAP secret would go nowhere, and this driver works with KVM hosts only.</Alert>;
  const unmanaged = kvm.filter((h) => !h.porticoHostId);
  return (
    <Stack spacing={1} aria-label="Hosts that get the secret">
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        <Typography variant="body2" color="text.secondary">The secret goes to every KVM host of {cluster.name}:</Typography>
        {kvm.map((h) => (
          <Chip key={h.id} size="small" variant="outlined" color={h.porticoHostId ? 'success' : 'warning'}
            label={`${h.porticoHostId ? hosts.find((p) => p.id === h.porticoHostId)?.name ?? h.name : h.name} · ${h.state}`} />
        ))}
      </Stack>
      {unmanaged.length > 0 && (
        <Alert severity="warning">
          Portico does not manage {unmanaged.map((h) => h.name).join(', ')}: add {unmanaged.length === 1 ? 'it' : 'them'} on the Hosts page (role Hypervisor), or VMs there cannot log in to the LUNs.
        </Alert>
      )}
    </Stack>
  );
}

function ServerCheck({ check }: { check: TgtServerCheck }) {
  return (
    <Alert severity={check.ok ? 'success' : 'warning'} aria-label="Server check">
      <AlertTitle>{check.ok ? 'The server has what the 3.4 driver needs' : 'The server lacks what the 3.4 driver needs'}</AlertTitle>
      <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
        {check.checks.map((c) => (
          <li key={c.name}>{c.ok ? '✓' : '✗'} {c.name}: {c.detail}</li>
        ))}
      </Box>
      {check.missing.length > 0 && (
        <Box sx={{ mt: 1 }}>
          <b>Missing:</b>
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {check.missing.map((m) => <li key={m}>{m}</li>)}
          </Box>
        </Box>
      )}
    </Alert>
  );
}


export function DatastoreWizard({ frontendId, drivers, hosts, onClose }: { frontendId: string; drivers: OneDrivers | null; hosts: HostView[]; onClose: () => void }) {
  const qc = useQueryClient();
  const [step, setStep] = useState(FLAVOUR);
  const [f, setF] = useState<DsForm>({ ...NEW_DS });
  const [rendered, setRendered] = useState<RenderedTemplate | null>(null);
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [check, setCheck] = useState<TgtServerCheck | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const runner = usePlanApply();
  const gate = usePlanGate(plan);
  const clusters = useQuery({ queryKey: ['datastores', frontendId, 'clusters'], queryFn: () => call('datastores.clusters', { frontendId }) });
  const portals = useQuery({ queryKey: ['datastores', 'portals'], queryFn: () => call('datastores.portals', {}) });
  const servers = useMemo(() => hosts.filter((h) => h.roles.includes('storage')), [hosts]);
  const clusterOptions = [{ value: '-1', label: 'Default cluster' }, ...(clusters.data ?? []).map((c) => ({ value: String(c.id), label: `${c.name} (id ${c.id})` }))];
  const chosenCluster = clusters.data?.find((c) => String(c.id) === f.cluster) ?? (f.cluster === '-1' ? clusters.data?.find((c) => c.id === 0) : undefined);
  const libvirt = f.flavour === 'iscsi_libvirt';
  const fields = libvirt ? libvirtFields(clusterOptions) : tgtFields(clusterOptions, servers.map((s) => ({ value: s.id, label: `${s.name} (${s.address})` })));
  const driverOf = libvirt ? drivers?.libvirt : drivers?.tgtLvm;
  const input = toDatastoreInput(frontendId, f);
  // Re-validated as the admin types once Review was pressed; main's refusal stays until its field changes.
  const live = useLiveValidation(input, validateDatastore);
  const errors = shownErrors(live.errors);

  const set = (p: Partial<DsForm>) => {
    setF((x) => {
      const next = { ...x, ...p } as DsForm;
      // Choosing a managed server fills HOST with its address unless one was typed.
      if (p.serverId && !x.host) next.host = servers.find((s) => s.id === p.serverId)?.address ?? '';
      return next;
    });
    if ('serverId' in p || 'vgName' in p) setCheck(null);
  };

  const runCheck = async () => {
    if (!f.serverId) return;
    setBusy('check');
    try {
      setCheck(await call('datastores.checkTgtServer', { serverId: f.serverId, vgName: f.vgName.trim() || 'vg-one', user: 'oneadmin' }));
    } catch (e) {
      live.refuse(apiPathErrors(e));
    } finally {
      setBusy(null);
    }
  };

  /** Settings -> Review: the rendered template, then (unless export-only) the plan. */
  const review = async () => {
    if (!live.check(() => true)) return;
    setBusy('plan');
    try {
      const r = await call('datastores.renderTemplate', { what: 'datastore', datastore: input });
      setRendered(r);
      setPlan(r.exportOnly ? null : await call('datastores.planDatastore', input));
      live.clearRefusal();
      setStep(REVIEW);
    } catch (e) {
      live.refuse(apiPathErrors(e));
    } finally {
      setBusy(null);
    }
  };

  const apply = async () => {
    setBusy('apply');
    try {
      if (await runner.apply(plan!, gate)) setStep(APPLY);
    } finally {
      setBusy(null);
    }
  };

  const portalChips = libvirt && (portals.data?.length ?? 0) > 0 && (
    <Stack key="portals" direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center', mt: -0.5 }} aria-label="Portals Portico manages">
      <Typography variant="body2" color="text.secondary">Portals of servers Portico manages:</Typography>
      {portals.data!.map((p) => (
        <Chip key={`${p.serverId}:${p.portal}`} size="small" label={`${p.serverName}: ${p.portal}`} color={f.portal === p.portal ? 'primary' : 'default'} onClick={() => set({ portal: p.portal })} />
      ))}
    </Stack>
  );
  const shown = new Set(fields.filter((d) => !d.when || d.when(f)).map((d) => d.errorKey ?? d.key));
  const loose = Object.entries(errors).filter(([k]) => k !== '_form' && !shown.has(k));
  const job = runner.job;

  return (
    <Paper variant="outlined" sx={{ p: 3 }} component="section" aria-label="Create datastore">
      <Typography variant="h6" component="h2" sx={{ mb: 2 }}>Create datastore</Typography>
      <Stepper activeStep={step} sx={{ mb: 3 }}>
        {DS_STEPS.map((s, i) => (
          <Step key={s} completed={i < step}>
            <StepLabel aria-current={i === step ? 'step' : undefined} error={i === SETTINGS && Object.keys(errors).some((k) => k !== '_form')}>{s}</StepLabel>
          </Step>
        ))}
      </Stepper>
      {errors._form && <Alert severity="error" role="alert" sx={{ mb: 2, whiteSpace: 'pre-line' }}>{errors._form}</Alert>}
      {step === SETTINGS && loose.map(([k, m]) => <Alert key={k} severity="error" sx={{ mb: 2 }}>{k}: {m}</Alert>)}

      {step === FLAVOUR && (
        <RadioGroup value={f.flavour} onChange={(e) => set({ flavour: e.target.value as DsForm['flavour'] })} aria-label="Flavour">
          <FormControlLabel value="iscsi_libvirt" control={<Radio />} label={
            <Box sx={{ py: 0.5 }}>
              <Typography>Existing LUNs (iSCSI – libvirt)</Typography>
              <Typography variant="body2" color="text.secondary">
                Registers LUNs that already exist (create them on the Targets page); QEMU logs in to the target itself. {drivers?.libvirt ? `DS_MAD = TM_MAD = ${drivers.libvirt.dsMad} on this front-end.` : 'This front-end’s version has no such driver: the template is export-only.'}
              </Typography>
            </Box>
          } />
          <FormControlLabel value="tgt_lvm" control={<Radio />} label={
            <Box sx={{ py: 0.5 }}>
              <Typography>tgt + LVM server (OpenNebula 3.4 iscsi driver)</Typography>
              <Typography variant="body2" color="text.secondary">
                OpenNebula creates an LV and a tgt target per image on the server. {drivers?.tgtLvm ? `DS_MAD = TM_MAD = ${drivers.tgtLvm.dsMad} on this front-end.` : 'This front-end’s version does not ship this driver: Portico renders the template for export only.'}
              </Typography>
            </Box>
          } />
        </RadioGroup>
      )}

      {step === SETTINGS && (
        <Stack spacing={2} sx={{ maxWidth: 880 }}>
          {!driverOf && (
            <Alert severity="warning">Export only: OpenNebula {drivers?.version ?? '(version unknown)'} does not ship this driver. Review shows the template to download; nothing is sent to oned.</Alert>
          )}
          {libvirt && (
            <Alert severity="info" aria-label="Driver warnings">
              <Box component="ul" sx={{ m: 0, pl: 2.5 }}>{SEED_WARNINGS.map((w) => <li key={w}>{w}</li>)}</Box>
            </Alert>
          )}
          <FieldList fields={fields} form={f} set={set} errors={errors} after={{ portal: portalChips }} />
          {libvirt && f.chap && <SecretHosts cluster={chosenCluster} hosts={hosts} />}
          {clusters.isError && <Alert severity="error">Clusters could not be read: {(clusters.error as Error).message}</Alert>}
          {!libvirt && (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Button onClick={() => void runCheck()} disabled={!f.serverId || busy === 'check'}>{busy === 'check' ? 'Checking…' : 'Check server'}</Button>
              {!f.serverId && <Typography variant="body2" color="text.secondary">Choose a managed server to check it.</Typography>}
            </Stack>
          )}
          {!libvirt && check && <ServerCheck check={check} />}
        </Stack>
      )}

      {step === REVIEW && rendered && (
        <Stack spacing={2}>
          {rendered.exportOnly && (
            <Alert severity="warning" role="alert">
              <AlertTitle>Export only</AlertTitle>
              {rendered.exportOnlyReason} Download the template and register it on a front-end that ships the driver (onedatastore create FILE).
            </Alert>
          )}
          {rendered.exportOnly && rendered.warnings.length > 0 && (
            <Alert severity="info" aria-label="Notes">
              <Box component="ul" sx={{ m: 0, pl: 2.5 }}>{rendered.warnings.map((w) => <li key={w}>{w}</li>)}</Box>
            </Alert>
          )}
          {/* With a plan, its review shows the template (an artifact) and the warnings. */}
          {(rendered.exportOnly || !plan) && <TemplateText title="Datastore template" text={rendered.text} />}
          {!libvirt && check && !check.ok && <ServerCheck check={check} />}
          {plan && <PlanReview plan={plan} gate={gate} />}
          {runner.error && (
            <Alert severity="error" role="alert" action={runner.error instanceof ApiError && REPLAN_CODES.includes(runner.error.code) ? <Button color="inherit" onClick={() => void review()}>Build it again</Button> : undefined}>
              {runner.error.message}
            </Alert>
          )}
        </Stack>
      )}
      {step === APPLY && job && <JobProgress job={job} />}

      <Stack direction="row" spacing={1} sx={{ mt: 3 }}>
        {step < APPLY && <Button onClick={onClose}>Cancel</Button>}
        {step > FLAVOUR && step < APPLY && <Button onClick={() => setStep(step - 1)}>Back</Button>}
        {step === FLAVOUR && <Button variant="contained" onClick={() => setStep(SETTINGS)}>Next</Button>}
        {step === SETTINGS && (
          <Button variant="contained" onClick={() => void review()} disabled={busy === 'plan'}>{busy === 'plan' ? 'Planning…' : 'Review'}</Button>
        )}
        {step === REVIEW && plan && <ApplyButton gate={gate} busy={busy === 'apply'} onClick={() => void apply()} />}
        {step === REVIEW && rendered?.exportOnly && (
          <Button variant="contained" onClick={() => downloadText(`${f.name.trim() || 'datastore'}.ds`, rendered.text)}>Download template</Button>
        )}
        {step === APPLY && job && job.state !== 'running' && (
          <Button onClick={() => { void qc.invalidateQueries({ queryKey: ['datastores'] }); onClose(); }}>Close</Button>
        )}
      </Stack>
    </Paper>
  );
}
