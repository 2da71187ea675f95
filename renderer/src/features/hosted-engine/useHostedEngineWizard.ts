// The wizard's state and its calls to main. CHAP passwords leave this state only as call inputs.
import { useState } from 'react';
import { HE_DEFAULT_DISK_GIB, HE_DEFAULT_DOMAIN_NAME, HostedEngineStorageInputSchema, type HostedEngineStorageInput } from '../../../../shared/domain/hosted-engine';
import type { HeApplyResult, HeConnectResult, HeDiscoverResult, HeLunsResult } from '../../../../shared/domain/hosted-engine-views';
import type { HostView } from '../../../../shared/features/hosts';
import type { PlanView } from '../../../../shared/plan';
import { call } from '../../api/client';
import { apiPathErrors, zodPathErrors, type FieldErrors } from '../../components/form';
import { usePlanGate } from '../../components/PlanReview';
import { usePlanApply } from '../../components/PlanRunner';
import { APPLY, FIELD_KEYS, HOST, keyOf, LUN, PORTALS, REVIEW, SHOWN_IN_FIELDS, STORAGE, stepOf, TARGET, type Form, type PortalRow } from './wizard-model';

export function useHostedEngineWizard(hosts: HostView[]) {
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

  return {
    step, setStep, f, set, setPortal, errors, err, busy, iscsi, host, disc, conn, luns, target, chosenRow, plan, runner, gate, job, result,
    stepAlerts, discover, connect, refreshLuns, makePlan, next, back, apply,
  };
}

export type HeWizard = ReturnType<typeof useHostedEngineWizard>;
