// The one typed contract between renderer and main. Every call: name -> zod input schema + output
// type. Every pushed event: name -> payload type. Main validates every input with these schemas.
import { z } from 'zod';
import { call, type CallDef, type Envelope } from './contract-kit';
import type { JobView, PlanView } from './plan';
import { AccessEditInputSchema, LunAddInputSchema, TargetDeleteInputSchema, TargetInputSchema } from './domain/target';
import {
  IscsiDiscoverInputSchema,
  IscsiInspectInputSchema,
  IscsiSurveyInputSchema,
  type IscsiDiscoverResult,
  type IscsiInspectResult,
  type IscsiSurveyResult,
} from './domain/iscsi';
import { HostInputSchema, type Capabilities, type ConnectionState, type HostKeyInfo, type HostRole } from './domain/host';
// ---- hosted engine (imports) ----
import { DiscoverRequestSchema } from './domain/hosted-engine';
import { HeConnectInputSchema, HeLunsInputSchema, HePlanInputSchema, type HeConnectResult, type HeDiscoverResult, type HeLunsResult } from './domain/hosted-engine-views';

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

/** A host as the Hosts page shows it. Secrets never appear here. */
export interface HostView {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  authKind: 'key' | 'agent' | 'password';
  keyPath: string | null;
  sudo: boolean;
  roles: HostRole[];
  group: string | null;
  hostKey: HostKeyInfo | null;
  capabilities: Capabilities | null;
  createdAt: string;
  connection: ConnectionState;
}

export interface AddHostResult {
  host: HostView;
  hostKey: HostKeyInfo | null;
  error: { code: string; message: string } | null;
}

export interface SshConfigAlias {
  alias: string;
  hostName: string;
  port: number;
  user: string | null;
  identityFile: string | null;
}

/** One LUN of a target as the Targets page shows it. */
export interface TargetLunView {
  lun: number;
  path: string | null;
  type: string;
  sizeMB: number;
  apparentBytes: number | null;
  allocatedBytes: number | null;
  readonly: boolean;
  scsiId: string;
  scsiSn: string;
}

export interface TargetSessionView {
  /** I_T nexus id. */
  nexus: number;
  initiator: string;
  alias: string | null;
  connections: { cid: number; address: string }[];
}

export interface TargetView {
  tid: number;
  iqn: string;
  luns: TargetLunView[];
  addresses: string[];
  initiators: string[];
  namesOnly: boolean;
  openToAll: boolean;
  chap: boolean;
  mutualChap: boolean;
  sessions: TargetSessionView[];
  /** Running state vs the target's conf.d file. */
  persisted: 'in-sync' | 'drift' | 'not-running' | 'not-persisted' | 'file-error';
  driftMessages: string[];
}

export interface TgtSettingsView {
  storageDir: string;
  baseIqn: string;
}

export interface TargetsServerView {
  server: string;
  portals: string[];
  fileErrors: { file: string; error: string }[];
  targets: TargetView[];
  settings: TgtSettingsView;
}

const AbsPath = z
  .string()
  .min(2, 'storageDir: enter an absolute folder path, e.g. /srv/iscsi')
  .max(1024)
  .regex(/^\/[A-Za-z0-9._/-]+$/, 'storageDir: an absolute path of letters, digits, ".", "_", "-" and "/" (no spaces or shell characters)')
  .refine((p) => !p.split('/').includes('..'), 'storageDir: ".." is not allowed; give the folder itself');

const byPlan = z.object({ planId: Id }).strict();
const byJob = z.object({ jobId: Id }).strict();
const byHost = z.object({ hostId: Id }).strict();
const Fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'fingerprint: expected the SHA256:... fingerprint that was shown');
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

  'hosts.list': call(z.object({}).strict()).returns<HostView[]>(),
  'hosts.get': call(byHost).returns<HostView>(),
  'hosts.add': call(HostInputSchema, { mutates: true }).returns<AddHostResult>(),
  'hosts.update': call(z.object({ hostId: Id, host: HostInputSchema }).strict(), { mutates: true }).returns<AddHostResult>(),
  'hosts.acceptKey': call(z.object({ hostId: Id, fingerprint: Fingerprint }).strict(), { mutates: true }).returns<HostView>(),
  'hosts.remove': call(byHost, { mutates: true }).returns<{ removed: true }>(),
  'hosts.reconnect': call(byHost).returns<HostView>(),
  'hosts.probe': call(byHost).returns<HostView>(),
  'hosts.sshConfig': call(z.object({}).strict()).returns<SshConfigAlias[]>(),

  'iscsi.discover': call(IscsiDiscoverInputSchema).returns<IscsiDiscoverResult>(),
  'iscsi.inspect': call(IscsiInspectInputSchema).returns<IscsiInspectResult>(),
  'iscsi.survey': call(IscsiSurveyInputSchema).returns<IscsiSurveyResult>(),

  'targets.view': call(z.object({ serverId: Id }).strict()).returns<TargetsServerView>(),
  'targets.settings': call(
    z.object({ serverId: Id, storageDir: AbsPath, baseIqn: z.string().regex(/^iqn\.\d{4}-\d{2}\.[a-z0-9.-]+$/, 'baseIqn: iqn.YYYY-MM.reversed.domain, lower case, e.g. iqn.2026-11.org.example.stor1') }).strict(),
    { mutates: true },
  ).returns<TgtSettingsView>(),
  'targets.planCreate': call(TargetInputSchema).returns<PlanView>(),
  'targets.planLunAdd': call(LunAddInputSchema).returns<PlanView>(),
  'targets.planAccess': call(AccessEditInputSchema).returns<PlanView>(),
  'targets.planDelete': call(TargetDeleteInputSchema).returns<PlanView>(),
  'targets.planReconcile': call(z.object({ serverId: Id, iqn: z.string().max(223).optional() }).strict()).returns<PlanView>(),

  // ---- hosted engine ----
  // CHAP passwords are inputs only: results and plans never carry them (plans are masked).
  'he.discover': call(DiscoverRequestSchema).returns<HeDiscoverResult>(),
  'he.connect': call(HeConnectInputSchema, { mutates: true }).returns<HeConnectResult>(),
  'he.luns': call(HeLunsInputSchema).returns<HeLunsResult>(),
  'he.plan': call(HePlanInputSchema).returns<PlanView>(),
  // ---- end hosted engine ----
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
  'host.state': ConnectionState;
}
export type EventName = keyof Events;
export const eventNames: readonly EventName[] = ['job.updated', 'job.log', 'host.state'];

export const callNames = Object.keys(calls) as CallName[];

/** What the renderer sees as window.portico, in Electron (preload) and browser mode (WebSocket). */
export interface PorticoApi {
  invoke<N extends CallName>(name: N, input: CallInput<N>): Promise<CallEnvelope<N>>;
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void;
}
