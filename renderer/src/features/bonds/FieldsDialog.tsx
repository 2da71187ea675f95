// One dialog for every small form of the Bonds page (data center, network, NIC): the form kit's
// FormDialog (Enter submits) around declared fields, re-validated live with the shared schema once
// submitted, main's refusal under its field until that field changes.
import { useState } from 'react';
import { Alert } from '@mui/material';
import type { z } from 'zod';
import { apiPathErrors, zodPathErrors } from '../../components/form';
import { FormDialog } from '../../components/FormDialog';
import { useLiveValidation } from '../../components/live-validation';
import { errorsByField, FieldList, shownKeys, type FieldDecl } from '../../components/FieldList';

type Values = Record<string, string | boolean | string[]>;

export interface FieldsDialogProps<F extends Values, S extends z.ZodType> {
  title: string;
  fields: FieldDecl<F>[];
  initial: F;
  schema: S;
  toInput: (f: F) => z.input<S>;
  submit: (input: z.input<S>) => Promise<unknown>;
  submitLabel: string;
  onClose: () => void;
  onDone: () => void;
}

export function FieldsDialog<F extends Values, S extends z.ZodType>(p: FieldsDialogProps<F, S>) {
  const [form, setForm] = useState<F>(p.initial);
  const [busy, setBusy] = useState(false);
  const input = p.toInput(form);
  const live = useLiveValidation(input, (i) => {
    const r = p.schema.safeParse(i);
    return r.success ? {} : zodPathErrors(r.error);
  });
  const set = (patch: Partial<F>) => setForm((f) => ({ ...f, ...patch }) as F);
  const { fields, rest } = errorsByField(live.errors, shownKeys(p.fields, form));
  const save = async () => {
    live.clearRefusal();
    if (!live.check(() => true)) return;
    setBusy(true);
    try {
      await p.submit(input);
      p.onDone();
    } catch (e) {
      live.refuse(apiPathErrors(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <FormDialog title={p.title} onClose={p.onClose} onSubmit={() => void save()} submitLabel={busy ? 'Saving…' : p.submitLabel} busy={busy} maxWidth="sm">
      {rest.map((m) => (
        <Alert key={m} severity="error" sx={{ mb: 2, whiteSpace: 'pre-line' }}>{m}</Alert>
      ))}
      <FieldList fields={p.fields} form={form} set={set} errors={fields} />
    </FormDialog>
  );
}
