// Building blocks for the typed contract: a call has a zod input schema and an output type;
// an event has a payload type. Both transports and the renderer client are derived from the map.
import { z } from 'zod';

export interface CallDef<I extends z.ZodType, O> {
  input: I;
  /** Phantom: carries the output type only. */
  output?: O;
  /** Calls that change servers or Portico's own state: the router audits each one, failures included. */
  mutates?: boolean;
  /** Read-only calls that still act on a server in a way the admin must be able to trace (iSCSI logins): audited too. */
  audited?: boolean;
}

/** A feature's calls: name -> definition. The contract is the union of every feature's map. */
export type CallMap = Record<string, CallDef<z.ZodType, unknown>>;

/** Phantom: an event's payload type only. */
export interface EventDef<P> {
  payload?: P;
}
/** `event<Payload>()`: one pushed event, its payload named once. */
export function event<P>(): EventDef<P> {
  return {};
}
export type EventMap = Record<string, EventDef<unknown>>;
/** name -> payload type of an event map. */
export type EventPayloads<M extends EventMap> = { [K in keyof M]: NonNullable<M[K]['payload']> };

/** Ids of hosts, plans, jobs: what every feature's schemas accept. */
export const Id = z.string().min(1, 'an id is required').max(80).regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, - and _');

/** `call(schema).returns<Output>()`: the input type is inferred, the output named once. */
export function call<I extends z.ZodType>(input: I, opts: { mutates?: boolean; audited?: boolean } = {}) {
  return {
    returns<O>(): CallDef<I, O> {
      return { input, mutates: opts.mutates, audited: opts.audited };
    },
  };
}

export interface ContractError {
  /** Stable code the renderer maps to behaviour: 'invalid-input', 'unknown-call', 'not-found', ... */
  code: string;
  /** Plain words: what is wrong and how to fix it. */
  message: string;
  /** Dotted path of the input field at fault, when there is one. */
  field?: string;
  details?: unknown;
}

export type Envelope<O> = { ok: true; result: O } | { ok: false; error: ContractError };

/** Thrown by services to answer with a specific code/field; anything else becomes 'internal'. */
export class PorticoError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PorticoError';
  }
}
