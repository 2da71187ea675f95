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

/** Per-field messages a refusal carries in its details ({ messages, fields }), when main gives them. */
export function refusalFields(e: unknown): { fields: FieldErrors; rest: string[] } | null {
  if (!(e instanceof ApiError)) return null;
  const d = e.error.details as { messages?: unknown; fields?: unknown } | undefined;
  if (!d || typeof d.fields !== 'object' || d.fields === null) return null;
  const fields = Object.fromEntries(Object.entries(d.fields as Record<string, unknown>).filter((x): x is [string, string] => typeof x[1] === 'string'));
  const messages = Array.isArray(d.messages) ? d.messages.filter((m): m is string => typeof m === 'string') : [];
  const placed = new Set(Object.values(fields));
  return { fields, rest: messages.filter((m) => !placed.has(m)) };
}

/**
 * Errors of a refusal by full dotted path. A refusal with per-field messages (details.fields, e.g.
 * luns.0.backing.confirmInUse) puts each under its field and the other messages in _form; otherwise
 * the whole message goes to its one field.
 */
export function apiPathErrors(e: unknown): FieldErrors {
  const split = refusalFields(e);
  if (split && Object.keys(split.fields).length) return { ...split.fields, ...(split.rest.length ? { _form: split.rest.join('\n') } : {}) };
  if (e instanceof ApiError) return { [e.field ?? '_form']: e.message };
  return { _form: e instanceof Error ? e.message : String(e) };
}

/** The value at a dotted path of an input object (luns.0.size), undefined when absent. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A refusal from main and the input it refused, so each message can clear once its field changes. */
export interface Refusal<I> {
  errors: FieldErrors;
  input: I;
}

/**
 * The errors a form shows now, recomputed on every keystroke: the schema's errors for the fields
 * that are armed (after the admin first pressed Next/Review for them), so an error clears the
 * moment the value is fixed; then main's refusal, each message while its field still holds the
 * refused value (_form while nothing changed at all). Schema messages win over main's for a field.
 */
export function liveErrors<I>(input: I, schemaErrors: FieldErrors, armed: (key: string) => boolean, refusal: Refusal<I> | null): FieldErrors {
  const out: FieldErrors = Object.fromEntries(Object.entries(schemaErrors).filter(([k]) => armed(k)));
  if (!refusal) return out;
  for (const [k, m] of Object.entries(refusal.errors)) {
    if (out[k]) continue;
    const unchanged = k === '_form' ? same(input, refusal.input) : same(valueAt(input, k), valueAt(refusal.input, k));
    if (unchanged) out[k] = m;
  }
  return out;
}
