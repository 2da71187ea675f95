// The one typed contract between renderer and main. Every call: name -> zod input schema + output
// type. Every pushed event: name -> payload type. Main validates every input with these schemas.
import { z } from 'zod';
import { call, type CallDef, type Envelope } from './contract-kit';
import type { JobView, PlanView } from './plan';

export const Id = z.string().min(1, 'an id is required').max(80).regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, - and _');

export interface AppInfo {
  mode: 'electron' | 'browser';
  version: string;
  /** How secrets are protected here, in words the UI shows. */
  secretBackend: { kind: string; protected: boolean; note: string };
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  jobId: string | null;
  detail: string;
}

const byPlan = z.object({ planId: Id }).strict();
const byJob = z.object({ jobId: Id }).strict();
const limit = (max: number, dflt: number) => z.object({ limit: z.number().int().min(1).max(max).default(dflt) }).strict();

export const calls = {
  'app.info': call(z.object({}).strict()).returns<AppInfo>(),

  'plans.get': call(byPlan).returns<PlanView>(),
  'plans.apply': call(byPlan, { mutates: true }).returns<{ jobId: string }>(),
  'plans.discard': call(byPlan).returns<{ discarded: boolean }>(),

  'jobs.list': call(limit(500, 100)).returns<JobView[]>(),
  'jobs.get': call(byJob).returns<JobView>(),
  'jobs.cancel': call(byJob, { mutates: true }).returns<{ cancelled: boolean }>(),
  'audit.list': call(limit(1000, 200)).returns<AuditEntry[]>(),
} satisfies Record<string, CallDef<z.ZodType, unknown>>;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
export type CallParsedInput<N extends CallName> = z.output<Calls[N]['input']>;
export type CallOutput<N extends CallName> = NonNullable<Calls[N]['output']>;
export type CallEnvelope<N extends CallName> = Envelope<CallOutput<N>>;

export interface Events {
  'job.updated': JobView;
  'job.log': { jobId: string; stepIndex: number; line: string };
}
export type EventName = keyof Events;
export const eventNames: readonly EventName[] = ['job.updated', 'job.log'];

export const callNames = Object.keys(calls) as CallName[];

/** What the renderer sees as window.portico, in Electron (preload) and browser mode (WebSocket). */
export interface PorticoApi {
  invoke<N extends CallName>(name: N, input: CallInput<N>): Promise<CallEnvelope<N>>;
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void;
}
