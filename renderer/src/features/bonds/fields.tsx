// Fields declared once: each form of the Bonds feature lists its fields as data (key, label, kind,
// help), rendered here with the message the shared schema (zodPathErrors) or main (apiPathErrors)
// put under that key. Checkbox groups hold lists of ids (networks, hosts, connections).
import { Checkbox, FormControl, FormControlLabel, FormGroup, FormHelperText, FormLabel, MenuItem, Stack, TextField } from '@mui/material';
import type { ReactNode } from 'react';
import type { FieldErrors } from '../../components/form';

export interface FieldOption {
  value: string;
  label: ReactNode;
  /** Accessible name when the label is not plain text. */
  name?: string;
  disabled?: boolean;
}

type Values = Record<string, string | boolean | string[]>;

export interface FieldDecl<F extends Values> {
  key: keyof F & string;
  /** Error key (the schema path) when it differs from the form key. */
  errorKey?: string;
  label: string;
  kind?: 'text' | 'password' | 'select' | 'checkbox' | 'checkboxes' | 'multiline';
  help?: string | ((f: F) => string | undefined);
  placeholder?: string;
  options?: FieldOption[] | ((f: F) => FieldOption[]);
  when?: (f: F) => boolean;
  /** Fields with the same row share one line. */
  row?: string;
  width?: number;
}

function FieldView<F extends Values>({ d, form, set, errors, autoFocus }: { d: FieldDecl<F>; form: F; set: (p: Partial<F>) => void; errors: FieldErrors; autoFocus: boolean }) {
  const error = errors[d.errorKey ?? d.key];
  const help = typeof d.help === 'function' ? d.help(form) : d.help;
  const options = typeof d.options === 'function' ? d.options(form) : (d.options ?? []);
  const value = form[d.key];
  const put = (v: F[keyof F & string]) => set({ [d.key]: v } as Partial<F>);
  if (d.kind === 'checkbox') {
    return (
      <FormControl error={!!error}>
        <FormControlLabel control={<Checkbox checked={!!value} onChange={(e) => put(e.target.checked as F[keyof F & string])} />} label={d.label} />
        {(error || help) && <FormHelperText sx={{ mt: -0.5, ml: 4 }}>{error ?? help}</FormHelperText>}
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
      autoComplete={d.kind === 'password' ? 'new-password' : 'off'}
      sx={{ width: d.width, flex: d.width ? undefined : 1 }}
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

/** The declared fields that apply to this form state, rows kept together, the first focused. */
export function FieldList<F extends Values>({ fields, form, set, errors, autoFocus = true }: { fields: FieldDecl<F>[]; form: F; set: (p: Partial<F>) => void; errors: FieldErrors; autoFocus?: boolean }) {
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
        <Stack key={g[0].key} direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
          {g.map((d, i) => (
            <FieldView key={d.key} d={d} form={form} set={set} errors={errors} autoFocus={autoFocus && gi === 0 && i === 0} />
          ))}
        </Stack>
      ))}
    </Stack>
  );
}

/** Error keys the given fields show themselves (the others become alerts above the form). */
export function shownKeys<F extends Values>(fields: FieldDecl<F>[], form: F): Set<string> {
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
