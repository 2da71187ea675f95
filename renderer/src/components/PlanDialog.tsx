// One action as a dialog: a small form (validated live with the shared schema; Enter submits),
// then the plan main built from live state (PlanReview, Apply in view), then the job. Every day-2
// action on a target uses it, so they all behave the same.
import { useState, type ReactNode } from 'react';
import { Alert } from '@mui/material';
import type { z } from 'zod';
import type { JobView, PlanView } from '../../../shared/plan';
import { apiPathErrors, zodPathErrors, type FieldErrors } from './form';
import { FormDialog } from './FormDialog';
import { useLiveValidation } from './live-validation';
import { PlanRunner } from './PlanRunner';

/** Schema errors by dotted path, for useLiveValidation. */
export function schemaErrors<I>(schema: z.ZodType): (input: I) => FieldErrors {
  return (input) => {
    const r = schema.safeParse(input);
    return r.success ? {} : zodPathErrors(r.error);
  };
}

export function PlanDialog<I>({ title, input, validate, plan: buildPlan, onClose, children, after, onFinished, onRefused, submitLabel = 'Review plan', maxWidth }: {
  /** Also the dialog's accessible name ("Resize LUN 1: iqn..."). */
  title: ReactNode;
  input: I;
  validate: (input: I) => FieldErrors;
  plan: (input: I) => Promise<PlanView>;
  onClose: () => void;
  children: (errors: FieldErrors) => ReactNode;
  after?: (job: JobView) => ReactNode;
  onFinished?: (job: JobView) => void;
  /** Main refused the input (its errors by path), e.g. to keep a finding beside its field. */
  onRefused?: (errors: FieldErrors) => void;
  submitLabel?: string;
  maxWidth?: 'sm' | 'md' | 'lg';
}) {
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [busy, setBusy] = useState(false);
  const live = useLiveValidation(input, validate);
  const submit = async () => {
    if (!live.check(() => true)) return;
    setBusy(true);
    try {
      setPlan(await buildPlan(input));
      live.clearRefusal();
    } catch (e) {
      const fe = apiPathErrors(e);
      live.refuse(fe);
      onRefused?.(fe);
    } finally {
      setBusy(false);
    }
  };
  const errors = live.errors;
  return (
    <FormDialog title={title} onClose={onClose} onSubmit={plan ? undefined : () => void submit()}
      submitLabel={busy ? 'Planning…' : submitLabel} busy={busy} closeLabel={plan ? 'Close' : 'Cancel'} maxWidth={maxWidth}>
      {!plan && errors._form && <Alert severity="error" sx={{ mb: 2, whiteSpace: 'pre-line' }}>{errors._form}</Alert>}
      {plan ? <PlanRunner plan={plan} onReplan={() => { setPlan(null); void submit(); }} after={after} onFinished={onFinished} /> : children(errors)}
    </FormDialog>
  );
}
