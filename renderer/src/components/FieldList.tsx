// Fields declared once: a form lists its fields as data (key, label, kind, help, when, row) and
// FieldList renders them, each with the message the shared schema (or main) put under its key.
// Messages are shown as the schema wrote them (they start with the field's name, as everywhere).
import type { ReactNode } from 'react';
import { Checkbox, FormControl, FormControlLabel, FormGroup, FormHelperText, FormLabel, MenuItem, Stack, Switch, TextField } from '@mui/material';
import type { FieldErrors } from './form';

export interface FieldOption {
  value: string;
  label: ReactNode;
  /** Accessible name when the label is not plain text. */
  name?: string;
  disabled?: boolean;
}

export type FieldValues = Record<string, string | boolean | string[]>;

export interface FieldDecl<F> {
  /** Form state key. */
  key: keyof F & string;
  /** Error key (the schema path, dotted) when it differs from the form key. */
  errorKey?: string;
  label: string;
  /** checkboxes: a list of ids (networks, hosts, connections) picked from `options`. */
  kind?: 'text' | 'password' | 'select' | 'switch' | 'checkbox' | 'checkboxes' | 'multiline';
  help?: string | ((f: F) => string | undefined);
  placeholder?: string;
  options?: FieldOption[] | ((f: F) => FieldOption[]);
  /** Shown only when this says so (e.g. CHAP fields only with CHAP on). */
  when?: (f: F) => boolean;
  /** Fields with the same row share one line. */
  row?: string;
  /** A fixed width; otherwise the field fills its share of the row. */
  width?: number;
  minWidth?: number;
  autoComplete?: string;
}

function FieldView<F extends FieldValues>({ d, form, set, errors, autoFocus }: { d: FieldDecl<F>; form: F; set: (p: Partial<F>) => void; errors: FieldErrors; autoFocus: boolean }) {
  const error = errors[d.errorKey ?? d.key];
  const help = typeof d.help === 'function' ? d.help(form) : d.help;
  const options = typeof d.options === 'function' ? d.options(form) : (d.options ?? []);
  const value = form[d.key];
  const put = (v: F[keyof F & string]) => set({ [d.key]: v } as Partial<F>);
  if (d.kind === 'switch' || d.kind === 'checkbox') {
    const control =
      d.kind === 'switch' ? (
        <Switch checked={!!value} onChange={(e) => put(e.target.checked as F[keyof F & string])} />
      ) : (
        <Checkbox checked={!!value} onChange={(e) => put(e.target.checked as F[keyof F & string])} />
      );
    return (
      <FormControl error={!!error}>
        <FormControlLabel control={control} label={d.label} />
        {(error || help) && <FormHelperText sx={{ mt: -0.5, ml: d.kind === 'switch' ? 6 : 4 }}>{error ?? help}</FormHelperText>}
      </FormControl>
    );
  }
  if (d.kind === 'checkboxes') {
    const list = (value as string[]) ?? [];
    return (
      <FormControl error={!!error} component="fieldset" aria-label={d.label}>
        <FormLabel component="legend">{d.label}</FormLabel>
        <FormGroup>
          {options.map((o) => (
            <FormControlLabel
              key={o.value}
              disabled={o.disabled}
              control={
                <Checkbox
                  checked={list.includes(o.value)}
                  onChange={(e) => put((e.target.checked ? [...list, o.value] : list.filter((x) => x !== o.value)) as F[keyof F & string])}
                  slotProps={{ input: { 'aria-label': o.name ?? (typeof o.label === 'string' ? o.label : o.value) } }}
                />
              }
              label={o.label}
            />
          ))}
        </FormGroup>
        {(error || help) && <FormHelperText>{error ?? help}</FormHelperText>}
      </FormControl>
    );
  }
  return (
    <TextField
      label={d.label}
      value={String(value ?? '')}
      onChange={(e) => put(e.target.value as F[keyof F & string])}
      error={!!error}
      helperText={error ?? help ?? ' '}
      placeholder={d.placeholder}
      type={d.kind === 'password' ? 'password' : 'text'}
      select={d.kind === 'select'}
      multiline={d.kind === 'multiline'}
      minRows={d.kind === 'multiline' ? 2 : undefined}
      autoFocus={autoFocus}
      autoComplete={d.autoComplete ?? (d.kind === 'password' ? 'new-password' : 'off')}
      sx={{ width: d.width, minWidth: d.minWidth, flex: d.width ? undefined : 1 }}
      slotProps={{ htmlInput: { spellCheck: false } }}
    >
      {d.kind === 'select' &&
        options.map((o) => (
          <MenuItem key={o.value} value={o.value} disabled={o.disabled}>
            {o.label}
          </MenuItem>
        ))}
    </TextField>
  );
}

/**
 * The declared fields that apply to this form state, rows kept together, the first focused.
 * `after`: what to show right below a field (e.g. the portals to pick from under the portal field).
 */
export function FieldList<F extends FieldValues>({ fields, form, set, errors, autoFocus = true, after = {} }: {
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
          <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
            {g.map((d, i) => (
              <FieldView key={d.key} d={d} form={form} set={set} errors={errors} autoFocus={autoFocus && gi === 0 && i === 0} />
            ))}
          </Stack>
          {g.map((d) => after[d.key]).filter(Boolean)}
        </Stack>
      ))}
    </Stack>
  );
}

/** Error keys the given fields show themselves (the others become alerts above the form). */
export function shownKeys<F>(fields: FieldDecl<F>[], form: F): Set<string> {
  return new Set(fields.filter((d) => !d.when || d.when(form)).map((d) => d.errorKey ?? d.key));
}

/** Schema path errors -> form keys: "chap.user" stays, "networkIds.0" goes to networkIds. */
export function errorsByField(errors: FieldErrors, keys: Set<string>): { fields: FieldErrors; rest: string[] } {
  const fields: FieldErrors = {};
  const rest: string[] = [];
  for (const [k, m] of Object.entries(errors)) {
    const key = keys.has(k) ? k : [...keys].find((f) => k.startsWith(`${f}.`));
    if (key && !fields[key]) fields[key] = m;
    else if (!key) rest.push(m);
  }
  return { fields, rest };
}
