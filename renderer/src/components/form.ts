// Form helpers: the same zod schemas main uses, errors mapped to fields.
import type { z } from 'zod';
import { ApiError } from '../api/client';

export type FieldErrors = Record<string, string>;

/** Field key for an issue path: the last named segment (auth.keyPath -> keyPath). */
function fieldKey(path: readonly PropertyKey[]): string {
  const named = path.filter((p) => typeof p === 'string') as string[];
  return named.at(-1) ?? '_form';
}

/** Strips our "field: " prefix, since the form shows the message under the field itself. */
function bare(message: string, key: string): string {
  return message.startsWith(`${key}: `) ? message.slice(key.length + 2) : message;
}

export function zodFieldErrors(err: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of err.issues) {
    const k = fieldKey(i.path);
    if (!out[k]) out[k] = bare(i.message, k);
  }
  return out;
}

export function apiFieldErrors(e: unknown): FieldErrors {
  if (e instanceof ApiError) {
    const k = e.field ? e.field.split('.').at(-1)! : '_form';
    return { [k]: bare(e.message, k) };
  }
  return { _form: e instanceof Error ? e.message : String(e) };
}

/** Errors keyed by the full dotted path (luns.0.size), for forms with repeated rows. */
export function zodPathErrors(err: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of err.issues) {
    const k = i.path.map(String).join('.') || '_form';
    if (!out[k]) out[k] = i.message;
  }
  return out;
}

export function apiPathErrors(e: unknown): FieldErrors {
  if (e instanceof ApiError) return { [e.field ?? '_form']: e.message };
  return { _form: e instanceof Error ? e.message : String(e) };
}
