// Fields declared once: each form of this feature lists its fields as data (key, label, kind,
// help), and FieldList renders them with the error the shared schema (or main) put under that key.
// The wizard, the image dialog and the front-end form all go through this one renderer.
import type { ReactNode } from 'react';
import { FormControlLabel, MenuItem, Stack, Switch, TextField, Typography } from '@mui/material';
import type { FieldErrors } from '../../components/form';

export interface FieldOption {
  value: string;
  label: string;
}

export interface FieldDecl<F> {
  /** Form state key. */
  key: keyof F & string;
  /** Error key (the schema path, dotted) when it differs from the form key. */
  errorKey?: string;
  label: string;
  kind?: 'text' | 'password' | 'select' | 'switch' | 'multiline';
  help?: string | ((f: F) => string | undefined);
  placeholder?: string;
  options?: FieldOption[] | ((f: F) => FieldOption[]);
  /** Shown only when this says so (e.g. CHAP fields only with CHAP on). */
  when?: (f: F) => boolean;
  minWidth?: number;
  /** Fields with the same row share one line. */
  row?: string;
  autoComplete?: string;
}

type Values = Record<string, string | boolean>;

function FieldView<F extends Values>({ d, form, set, errors, autoFocus }: { d: FieldDecl<F>; form: F; set: (p: Partial<F>) => void; errors: FieldErrors; autoFocus?: boolean }) {
  const key = d.errorKey ?? d.key;
  // The schema's messages start with the field's name; under the field itself it goes without saying.
  const raw = errors[key];
  const error = raw?.startsWith(`${key}: `) ? raw.slice(key.length + 2) : raw;
  const help = typeof d.help === 'function' ? d.help(form) : d.help;
  const value = form[d.key];
  if (d.kind === 'switch') {
    return (
      <Stack spacing={0.25}>
        <FormControlLabel control={<Switch checked={!!value} onChange={(e) => set({ [d.key]: e.target.checked } as Partial<F>)} />} label={d.label} />
        {(error || help) && (
          <Typography variant="caption" color={error ? 'error' : 'text.secondary'} sx={{ pl: 6 }}>
            {error ?? help}
          </Typography>
        )}
      </Stack>
    );
  }
  const options = typeof d.options === 'function' ? d.options(form) : d.options;
  return (
    <TextField
      label={d.label}
      value={String(value ?? '')}
      onChange={(e) => set({ [d.key]: e.target.value } as Partial<F>)}
      error={!!error}
      helperText={error ?? help ?? ' '}
      placeholder={d.placeholder}
      type={d.kind === 'password' ? 'password' : 'text'}
      select={d.kind === 'select'}
      multiline={d.kind === 'multiline'}
      minRows={d.kind === 'multiline' ? 2 : undefined}
      autoFocus={autoFocus}
      autoComplete={d.autoComplete ?? (d.kind === 'password' ? 'new-password' : 'off')}
      sx={{ minWidth: d.minWidth ?? 260, flex: d.row ? 1 : undefined }}
      slotProps={{ htmlInput: { spellCheck: false } }}
    >
      {d.kind === 'select' &&
        (options ?? []).map((o) => (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ))}
    </TextField>
  );
}

/** The declared fields that apply to this form state, rows kept together, the first focused. */
/** `after`: what to show right below a field (e.g. the portals to pick from under the portal field). */
export function FieldList<F extends Values>({ fields, form, set, errors, autoFocus = true, after = {} }: {
  fields: FieldDecl<F>[]; form: F; set: (p: Partial<F>) => void; errors: FieldErrors; autoFocus?: boolean; after?: Partial<Record<keyof F & string, ReactNode>>;
}) {
  const shown = fields.filter((d) => !d.when || d.when(form));
  const groups: FieldDecl<F>[][] = [];
  for (const d of shown) {
    const last = groups.at(-1);
    if (d.row && last && last[0].row === d.row) last.push(d);
    else groups.push([d]);
  }
  return (
    <Stack spacing={1.5}>
      {groups.map((g, gi) => (
        <Stack key={g[0].key} spacing={1}>
          {g.length === 1 ? (
            <FieldView d={g[0]} form={form} set={set} errors={errors} autoFocus={autoFocus && gi === 0} />
          ) : (
            <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
              {g.map((d, i) => (
                <FieldView key={d.key} d={d} form={form} set={set} errors={errors} autoFocus={autoFocus && gi === 0 && i === 0} />
              ))}
            </Stack>
          )}
          {g.map((d) => after[d.key]).filter(Boolean)}
        </Stack>
      ))}
    </Stack>
  );
}

/** Error keys the given fields show themselves (others become alerts above the form). */
export function shownKeys<F>(fields: FieldDecl<F>[], form: F): Set<string> {
  return new Set(fields.filter((d) => !d.when || d.when(form)).map((d) => d.errorKey ?? d.key));
}
