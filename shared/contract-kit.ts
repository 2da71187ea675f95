// Building blocks for the typed contract: a call has a zod input schema and an output type;
// an event has a payload type. Both transports and the renderer client are derived from the map.
import type { z } from 'zod';

export interface CallDef<I extends z.ZodType, O> {
  input: I;
  /** Phantom: carries the output type only. */
  output?: O;
  /** Calls that change servers or state; shown in the audit log. */
  mutates?: boolean;
}

/** `call(schema).returns<Output>()`: the input type is inferred, the output named once. */
export function call<I extends z.ZodType>(input: I, opts: { mutates?: boolean } = {}) {
  return {
    returns<O>(): CallDef<I, O> {
      return { input, mutates: opts.mutates };
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
