// Operations as data. A plan is a list of steps; a step is a sentence for people plus a list of
// operations. An operation names its kind, the Portico host it touches and its parameters (plain
// JSON, validated by the kind's zod schema). The kind, declared by a driver, knows how to describe,
// apply, invert and verify it. The review page, the journal, the audit log and exports all render
// the same data; nothing in a plan is a closure.
import type { z } from 'zod';

export interface Operation {
  kind: string;
  /** Portico host id the operation acts on. */
  host: string;
  params: Record<string, unknown>;
  /** Names this operation's output, so later operations can refer to it with `{ $out: name }`. */
  out?: string;
}

/** A reference to an earlier operation's output inside params: `{ $out: 'vg', path: 'uuid' }`. */
export interface OutRef {
  $out: string;
  path?: string;
}

export interface OpContext {
  signal: AbortSignal;
  log(line: string): void;
}

/** What a read-back says about an operation: did it take effect on the live server? */
export type VerifyOutcome =
  | { applied: true; output?: unknown }
  | { applied: false }
  | { applied: 'unknown'; reason: string };

export type BatchOutcome = { ok: true; output?: unknown } | { ok: false; error: string } | { ok: null };

export interface OperationKind<P = Record<string, unknown>> {
  readonly kind: string;
  readonly schema: z.ZodType<P>;
  /** The exact command or RPC, for review (secrets are masked by the caller, by value). */
  describe(p: P, host: string): string;
  /** Cannot be undone (formatting a domain, deleting data for good): shown with a warning, ordered late. */
  irreversible?: boolean | ((p: P) => boolean);
  /** Reads only (discover, stats): nothing to undo and never in doubt. */
  readOnly?: boolean;
  /** Param keys whose whole value is secret (file contents): journaled only as SecretStore references. */
  sensitive?: readonly string[];
  apply(p: P, host: string, ctx: OpContext): Promise<unknown>;
  /**
   * Applies several operations of this kind on one host in one round trip, in order, stopping at
   * the first failure: one outcome per operation (ok: null = not run).
   */
  applyBatch?(ps: P[], host: string, ctx: OpContext): Promise<BatchOutcome[]>;
  /**
   * The operations that undo this one, from its params (which carry the pre-state captured at plan
   * time) and its output. [] = nothing to undo; null = irreversible. Inverses must be idempotent:
   * applying them twice, or after an operation that never happened, leaves the server as before.
   */
  inverse(p: P, host: string, output: unknown): Operation[] | null;
  /** Read-back against the live server: has this operation taken effect? */
  verify(p: P, host: string, ctx: OpContext): Promise<VerifyOutcome>;
  /**
   * Idempotent apply of several operations (used for inverses in rollback); default: verify each,
   * apply those not yet in effect.
   */
  ensure?(ps: P[], host: string, ctx: OpContext): Promise<void>;
}

/** Read-only checks: a plan's freshness expectations and its read-back after apply. */
export type CheckOutcome = { ok: true; result?: unknown } | { ok: false; reason: string; found?: unknown };

export interface CheckKind<P = Record<string, unknown>> {
  readonly kind: string;
  readonly schema: z.ZodType<P>;
  describe(p: P, host: string): string;
  check(p: P, host: string, ctx: OpContext): Promise<CheckOutcome>;
}

export interface PlanStep {
  /** A sentence for people: "Create target iqn... (tid 3) on stor1". */
  title: string;
  ops: Operation[];
}

/** A check is an operation of a CheckKind (same data shape). */
export type Check = Operation;

export interface Plan {
  kind: string;
  title: string;
  hostIds: string[];
  /** Plans sharing a lock key (e.g. `host:<id>`) never run at the same time. */
  lockKeys: string[];
  steps: PlanStep[];
  /** Information the admin should read before applying. */
  warnings?: string[];
  /** Warnings of their own: the plan lowers protection (removes CHAP, widens an ACL, forces a delete); applying needs an explicit confirmation. */
  dangers?: string[];
  /** Extra outputs a plan produces (conf file text, answer file); masked in views. */
  artifacts?: { name: string; content: string }[];
  /** Secret values: masked wherever text is shown or stored, journaled only as SecretStore references. */
  secrets?: string[];
  /** Checks run right before applying: the state the plan was built on must still hold. */
  fresh?: Check[];
  /** Read-back after all steps: results become the job result; a failed check is verification-failed. */
  verify?: Check[];
  /** Outputs of operations that ran before this plan (a resumed job); $out refs may use them. */
  priorOutputs?: Record<string, unknown>;
  /** Rollback plans do not roll themselves back: a failure stops and says what is left. */
  rollbackOf?: string;
  /**
   * Resume plans continue an interrupted job under its own id (so a failure rolls back all of it):
   * the remaining operations, with their step and operation numbers in the original plan.
   */
  resume?: { jobId: string; stepIndexes: number[]; opIndexes: number[] };
}

export function isOutRef(v: unknown): v is OutRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as OutRef).$out === 'string' && Object.keys(v).every((k) => k === '$out' || k === 'path');
}

/** Replaces `{ $out }` references in params: with real outputs (apply) or with placeholders (review). */
export function resolveRefs(value: unknown, lookup: (ref: OutRef) => unknown): unknown {
  if (isOutRef(value)) return lookup(value);
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, lookup));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, lookup)]));
  return value;
}

export function hasRefs(value: unknown): boolean {
  if (isOutRef(value)) return true;
  if (Array.isArray(value)) return value.some(hasRefs);
  if (value && typeof value === 'object') return Object.values(value).some(hasRefs);
  return false;
}

export const placeholder = (r: OutRef) => `<${r.$out}${r.path ? `.${r.path}` : ''}>`;

export function pick(output: unknown, path?: string): unknown {
  if (!path) return output;
  let cur: unknown = output;
  for (const k of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}
