// One router for both transports: looks the call up in the contract, validates the input with
// the call's zod schema, runs the handler and answers with an envelope. Never throws.
import { z } from 'zod';
import { calls, type CallName, type CallOutput, type CallParsedInput } from '../../shared/contract';
import { PorticoError, type ContractError, type Envelope } from '../../shared/contract-kit';

export type Handler<N extends CallName> = (input: CallParsedInput<N>, ctx: CallContext) => Promise<CallOutput<N>> | CallOutput<N>;
export type Handlers = { [N in CallName]?: Handler<N> };

export interface CallContext {
  /** Which transport the call came through, for the audit log. */
  transport: 'ipc' | 'ws' | 'test';
}

/** How much of an offending value a message may quote. */
export const QUOTE_MAX = 60;

/** Quotes a value for a message: at most QUOTE_MAX characters, the rest counted, never echoed. */
export function quoteValue(value: unknown, max = QUOTE_MAX): string {
  const s = typeof value === 'string' ? value : String(value);
  const chars = Array.from(s);
  if (chars.length <= max) return JSON.stringify(s);
  return `${JSON.stringify(chars.slice(0, max).join('') + '…')} (${chars.length} characters)`;
}

/**
 * Bounds a message built from untrusted input: any run of more than QUOTE_MAX non-blank
 * characters (a pasted value) is cut, and the whole message is kept under `max` characters.
 */
export function clipMessage(message: string, max = 400): string {
  const cut = message.replace(new RegExp(`\\S{${QUOTE_MAX + 1},}`, 'gu'), (run) => `${Array.from(run).slice(0, QUOTE_MAX).join('')}… (${Array.from(run).length} characters)`);
  return cut.length > max ? cut.slice(0, max) + '…' : cut;
}

const MAX_DETAILS = 20;

function issueField(path: readonly PropertyKey[]): string {
  return clipMessage(path.map(String).join('.'), 120);
}

export function describeZodError(err: z.ZodError): ContractError {
  const issue = err.issues[0];
  const field = issueField(issue.path);
  let message = clipMessage(issue.message);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.slice(0, 5).map((k) => quoteValue(k)).join(', ') + (issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : '');
    return { code: 'invalid-input', message: `Unknown field ${keys}: remove it.`, field: clipMessage(issue.keys[0], QUOTE_MAX) };
  }
  if (field && !message.toLowerCase().includes(field.split('.').pop()!.toLowerCase())) message = `${field}: ${message}`;
  return {
    code: 'invalid-input',
    message,
    field: field || undefined,
    details:
      err.issues.length > 1
        ? err.issues.slice(0, MAX_DETAILS).map((i) => ({ field: issueField(i.path), message: clipMessage(i.message) }))
        : undefined,
  };
}

export function toContractError(e: unknown): ContractError {
  if (e instanceof PorticoError) return { code: e.code, message: e.message, field: e.field, details: e.details };
  if (e instanceof z.ZodError) return describeZodError(e);
  const code = typeof (e as { code?: unknown })?.code === 'string' ? String((e as { code: string }).code).slice(0, QUOTE_MAX) : 'internal';
  const message = clipMessage(e instanceof Error ? e.message : String(e), 2000);
  return { code, message };
}

/** What the router records for an audited call: who, which call, the input with secrets masked, the outcome. */
export interface CallAudit {
  actor: string;
  call: string;
  input: string;
  outcome: 'ok' | 'failed';
  error?: ContractError;
  /** A read-only call audited for its logins (not a change): identical repeats may be written as a count. */
  repeatable?: boolean;
}

// Keys whose values are secrets wherever they appear in an input.
// `session`: an OpenNebula session string (user:password or user:token) of the datastores front-end.
const SECRET_KEY = /pass(word|phrase)?$|secret|token|private|^key$|^keyData$|^session$/i;

/** The input as the audit log shows it: secret values masked by key, long values clipped. */
export function auditInput(input: unknown): string {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') return SECRET_KEY.test(key) && v ? '******' : v.length > 200 ? `${v.slice(0, 200)}… (${v.length} characters)` : v;
    if (Array.isArray(v)) return v.slice(0, 20).map((x) => walk(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  const json = JSON.stringify(walk(input, '')) ?? '';
  return json.length > 1000 ? `${json.slice(0, 1000)}…` : json;
}

export class Router {
  private readonly handlers = new Map<string, Handler<CallName>>();

  constructor(
    handlers: Handlers = {},
    private readonly audit?: (e: CallAudit) => void,
  ) {
    this.register(handlers);
  }

  register(handlers: Handlers): void {
    for (const [name, h] of Object.entries(handlers)) {
      if (!(name in calls)) throw new Error(`handler for "${name}", which the contract does not declare`);
      this.handlers.set(name, h as Handler<CallName>);
    }
  }

  /** Handles a call whose name and input come from outside: both are untrusted. */
  async handle(name: unknown, rawInput: unknown, ctx: CallContext): Promise<Envelope<unknown>> {
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(calls, name)) {
      return { ok: false, error: { code: 'unknown-call', message: `Unknown call ${typeof name === 'string' ? quoteValue(name) : `(a ${name === null ? 'null' : typeof name}, not a name)`}: the console and its main process are out of step; restart the console.` } };
    }
    const handler = this.handlers.get(name);
    if (!handler) return { ok: false, error: { code: 'not-implemented', message: `"${name}" is declared but not served by this main process.` } };
    const def = calls[name as CallName] as { input: z.ZodType; mutates?: boolean; audited?: boolean };
    const audited = !!(def.mutates || def.audited) && !!this.audit;
    const record = (input: unknown, error?: ContractError) =>
      this.audit?.({ actor: `admin via ${ctx.transport}`, call: name, input: auditInput(input), outcome: error ? 'failed' : 'ok', error, repeatable: !def.mutates });
    const parsed = def.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const error = describeZodError(parsed.error);
      if (audited) record(rawInput ?? {}, error);
      return { ok: false, error };
    }
    try {
      const result = await handler(parsed.data as never, ctx);
      if (audited) record(parsed.data);
      return { ok: true, result };
    } catch (e) {
      const error = toContractError(e);
      if (audited) record(parsed.data, error);
      return { ok: false, error };
    }
  }
}
