// Test support: a recording fake VdsmApi. Calls go straight (no STOMP) to the VDSM test double's
// state machine (e2e/doubles/vdsm/double.ts, each call checked against vdsm-api.yml) over a fake
// iSCSI backend, and are recorded in order; VDSM faults come back as VdsmError, as through the real
// client. Plus the hosted-engine plan's kinds over it, with an in-memory file.put for
// hosted-engine.conf, so plans run through the real JobRunner without a lab.
import { createHash } from 'node:crypto';
import { testEngine } from './engine';
import { z } from 'zod';
import { VdsmApi, type VdsmCaller } from '../services/vdsm/api';
import { VdsmError } from '../services/vdsm/errors';
import { IscsiError } from '../services/iscsi/errors';
import { allVdsmKinds, vdsmKinds } from '../services/vdsm/ops';
import { hostedEngineKinds } from '../services/hosted-engine/ops';
import { FilePutSchema, DirCreateSchema, DirRemoveSchema, fileKinds, readFileStates, type FileState } from '../services/remote/files';
import type { RemoteHosts } from '../services/remote/script';
import type { CheckKind, OperationKind } from '../services/jobs/operation';
import { OperationRegistry } from '../services/jobs/kinds';
import type { Failpoint } from '../services/jobs/failpoints';
import type { Plan } from '../services/jobs/operation';
import { VdsmDouble, type IscsiBackend } from '../../e2e/doubles/vdsm/double';
import { RpcFault } from '../../e2e/doubles/vdsm/broker';
import { loadCommittedSchema } from '../../e2e/doubles/vdsm/schema';

export const FAKE_IQN = 'iqn.2024-01.lab.stor1:he';
export const FAKE_HOST_IQN = 'iqn.1994-05.com.redhat:hv1';
export const FAKE_PORTALS = [{ address: '10.0.1.10', port: 3260 }, { address: '10.0.2.10', port: 3260 }];
export const FAKE_GUID = '360014050000000000000000000000001';

/** Two portals of one target (TPGT 1), LUN 1 of 100 GiB; CHAP optional. */
export function fakeIscsiBackend(chap?: { user: string; secret: string }): IscsiBackend {
  const lun = (n: number, size: number) => ({
    lun: n, lunRaw: '', present: true, deviceType: 0, deviceTypeName: 'disk', vendor: 'LIO-ORG', product: 'he', revision: '4.0',
    designators: [], guid: `36001405000000000000000000000000${n}`, guidAlsoKnownAs: [], sizeBytes: size, blockSize: 512, physicalBlockSize: 512, problems: [],
  });
  return {
    async discover() {
      return FAKE_PORTALS.map((p) => ({ ...p, tpgt: 1, iqn: FAKE_IQN }));
    },
    async inspect(o) {
      if (chap && (!o.chap || o.chap.secret !== chap.secret)) throw new IscsiError('auth-failed', 'CHAP refused');
      return { targetPortalGroupTag: 1, luns: [lun(1, 100 * 1024 ** 3)] };
    },
  };
}

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
}

export class RecordingVdsm implements VdsmCaller {
  readonly double: VdsmDouble;
  readonly calls: RecordedCall[] = [];
  readonly api: VdsmApi;
  /** Method -> VDSM code to answer with (once per entry), to inject VDSM errors. */
  readonly failNext = new Map<string, number>();

  constructor(o: { backend?: IscsiBackend; taskMs?: number } = {}) {
    this.double = new VdsmDouble({ schema: loadCommittedSchema(), initiatorName: FAKE_HOST_IQN, backend: o.backend ?? fakeIscsiBackend(), taskMs: o.taskMs ?? 5 });
    this.api = new VdsmApi(this);
  }

  async call<T>(method: string, params: Record<string, unknown> | unknown[] = {}): Promise<T> {
    this.calls.push({ method, params: structuredClone(params) as Record<string, unknown> });
    const code = this.failNext.get(method);
    if (code !== undefined) {
      this.failNext.delete(method);
      throw new VdsmError(code, method, 'injected by the test');
    }
    try {
      return (await this.double.handle({ method, params, id: this.calls.length, hostHeader: null })) as T;
    } catch (e) {
      if (e instanceof RpcFault) throw new VdsmError(e.code, method, e.message);
      throw e;
    }
  }

  /** The methods called so far, in order. */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}

/** hosted-engine.conf and friends in memory: the same kinds' names and params as remote/files.ts. */
export class FakeFiles {
  readonly files = new Map<string, { content: string; mode: string; owner: string }>();
  readonly dirs = new Set<string>();

  state(path: string): FileState {
    const f = this.files.get(path);
    return f ? { content: f.content, mode: f.mode, owner: f.owner } : { content: null, mode: null, owner: null };
  }

  kinds(): OperationKind<never>[] {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const put: OperationKind<z.infer<typeof FilePutSchema>> = {
      kind: 'file.put',
      schema: FilePutSchema,
      sensitive: ['content', 'pre'],
      describe: (p) => `write ${p.path}`,
      apply: async (p) => {
        if (p.content === null) this.files.delete(p.path);
        else this.files.set(p.path, { content: p.content, mode: p.mode ?? this.files.get(p.path)?.mode ?? '644', owner: p.owner ?? this.files.get(p.path)?.owner ?? '0:0' });
      },
      inverse: (p, host) => [{ kind: 'file.put', host, params: { path: p.path, content: p.pre.content, mode: p.pre.mode, owner: p.pre.owner, pre: { content: p.content, mode: p.mode, owner: p.owner } } }],
      verify: async (p) => {
        const f = this.files.get(p.path);
        if (p.content === null) return { applied: !f };
        return { applied: !!f && sha(f.content) === sha(p.content) && (p.mode === null || f.mode === p.mode) && (p.owner === null || f.owner === p.owner) };
      },
    };
    const dirCreate: OperationKind<z.infer<typeof DirCreateSchema>> = {
      kind: 'dir.create', schema: DirCreateSchema, describe: (p) => `mkdir ${p.path}`,
      apply: async (p) => void this.dirs.add(p.path),
      inverse: (p, host) => [{ kind: 'dir.remove', host, params: { path: p.path } }],
      verify: async (p) => ({ applied: this.dirs.has(p.path) }),
    };
    const dirRemove: OperationKind<z.infer<typeof DirRemoveSchema>> = {
      kind: 'dir.remove', schema: DirRemoveSchema, describe: (p) => `rmdir ${p.path}`,
      apply: async (p) => {
        if (![...this.files.keys()].some((f) => f.startsWith(`${p.path}/`))) this.dirs.delete(p.path);
      },
      inverse: () => null,
      verify: async (p) => ({ applied: !this.dirs.has(p.path) }),
    };
    return [put, dirCreate, dirRemove] as unknown as OperationKind<never>[];
  }
}

/** Registers the hosted-engine plan's kinds over one recording VDSM (every host id maps to it). */
export function registerHeKinds(kinds: OperationRegistry, vdsm: RecordingVdsm, files?: FakeFiles): void {
  const apis = async () => vdsm.api;
  const he = hostedEngineKinds(apis, async (_h, path) => files?.files.get(path)?.content ?? null);
  kinds.add(...allVdsmKinds(vdsmKinds(apis, { taskPollMs: 2 })), he.checkLun as unknown as OperationKind<never>);
  kinds.addChecks(he.fresh as unknown as CheckKind<never>, he.result as unknown as CheckKind<never>);
  if (files) kinds.add(...files.kinds());
}

/** A throw-away journal, plan registry and JobRunner with the hosted-engine kinds over one VdsmApi. */
export function heJobEngine(api: VdsmApi, o: { failpoints?: Failpoint[]; files?: FakeFiles; /** Real file.put over these runners instead. */ remote?: RemoteHosts } = {}) {
  const kinds = new OperationRegistry();
  const apis = async () => api;
  const remote = o.remote;
  const readFile = remote
    ? async (h: string, path: string) => (await readFileStates(remote, h, [path])).get(path)?.content ?? null
    : async (_h: string, path: string) => o.files?.files.get(path)?.content ?? null;
  const he = hostedEngineKinds(apis, readFile);
  kinds.add(...allVdsmKinds(vdsmKinds(apis, { taskPollMs: 5 })), he.checkLun as unknown as OperationKind<never>);
  kinds.addChecks(he.fresh as unknown as CheckKind<never>, he.result as unknown as CheckKind<never>);
  if (o.files) kinds.add(...o.files.kinds());
  if (remote) {
    const f = fileKinds(remote);
    kinds.add(f.put as never, f.dirCreate as never, f.dirRemove as never);
  }
  const engine = testEngine(kinds, { failpoints: o.failpoints });
  const { db, plans, runner: jobs } = engine;
  return {
    db, kinds, plans, jobs,
    /** Registers and applies a plan; resolves with the finished job. */
    async run(plan: Plan) {
      return (await jobs.apply(plans.register(plan).id)).done;
    },
    dispose() {
      engine.dispose();
    },
  };
}
