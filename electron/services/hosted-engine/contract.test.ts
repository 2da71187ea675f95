// Contract: replaying both branches of the seed (fixtures/seed-branch-*.json, translated to
// JSON-RPC names), the planner + VdsmClient send the same methods with the same parameter names
// and values (JSON-RPC ids aside), through the real STOMP bytes, each call also checked against
// vdsm-api.yml. Passwords never show up in logs, job views or the audit trail.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VdsmClient, maskParams } from '../vdsm/client';
import { VdsmApi, type BlockDeviceInfo } from '../vdsm/api';
import { allVdsmKinds, vdsmKinds } from '../vdsm/ops';
import { planHostedEngineStorage, type HostedEngineResult } from './planner';
import { hostedEngineKinds } from './ops';
import { memoryDouble } from '../../../e2e/doubles/vdsm/memory';
import { RpcFault } from '../../../e2e/doubles/vdsm/broker';
import { checkCall, loadCommittedSchema } from '../../../e2e/doubles/vdsm/schema';
import type { IscsiStorageInput } from '../../../shared/domain/hosted-engine';
import { OperationRegistry } from '../jobs/kinds';
import { PlanRegistry } from '../jobs/registry';
import { JobRunner } from '../jobs/runner';
import { resolveRefs, pick, type OpContext, type Plan } from '../jobs/operation';
import { openDb } from '../db';
import { AuditLog } from '../audit';
import { EventBus } from '../events';
import { PassphraseCipher, SecretStore } from '../secrets';

interface FixtureCall {
  seed: string | null;
  addedByPortico?: string;
  method: string;
  params: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string };
  resultSynthesized?: boolean;
}
interface Fixture {
  branch: string;
  knownDevices: BlockDeviceInfo[] | null;
  input: IscsiStorageInput;
  calls: FixtureCall[];
  seedEndsAfterLastCall: boolean;
  notes: string[];
}

const load = (name: string): Fixture => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const schema = loadCommittedSchema();
const TRANSCRIPT_END = -32000;

/**
 * Portico's own reads around the transcript (not in the seed): the freshness check before apply
 * (the domain does not exist yet, the host is in no pool) and the read-back after it.
 */
function readAround(fx: Fixture, started: boolean, method: string): { ok: true; value: unknown } | null {
  const sdUUID = String(fx.input.ids!.sdUUID);
  const spUUID = String(fx.input.ids!.spUUID);
  const last = (m: string) => [...fx.calls].reverse().find((c) => c.method === m)?.result;
  if (!started) {
    if (method === 'StorageDomain.getInfo') throw new RpcFault(358, `Storage domain does not exist: ('${sdUUID}',)`);
    if (method === 'Host.getConnectedStoragePools') return { ok: true, value: [] };
    return null;
  }
  const answers: Record<string, unknown> = {
    'StorageDomain.getInfo': { uuid: sdUUID, pool: [spUUID], role: 'Master' },
    'StorageDomain.getStats': last('StorageDomain.getStats'),
    'LVMVolumeGroup.getInfo': last('LVMVolumeGroup.getInfo'),
    'Host.getConnectedStoragePools': [spUUID],
    'StoragePool.getSpmStatus': { spmId: 1, spmStatus: 'SPM', spmLver: 1 },
    'StoragePool.getInfo': { info: { master_uuid: sdUUID }, dominfo: { [sdUUID]: { status: 'Active' } } },
  };
  return method in answers ? { ok: true, value: answers[method] } : null;
}

/** A replay double: answers from the transcript in order and records what was sent. */
function replay(fx: Fixture, transform: (v: unknown) => unknown = (v) => v) {
  const sent: { method: string; params: Record<string, unknown> }[] = [];
  const around: string[] = [];
  let i = 0;
  const md = memoryDouble({
    handler: async (req) => {
      const params = req.params as Record<string, unknown>;
      const chk = checkCall(schema, req.method, params);
      if (!chk.ok) throw new RpcFault(chk.code, chk.message);
      const c = fx.calls[i];
      if (!c || c.method !== req.method) {
        let extra: ReturnType<typeof readAround>;
        try {
          extra = readAround(fx, i > 0, req.method);
        } catch (e) {
          around.push(req.method);
          throw e;
        }
        if (extra) {
          around.push(req.method);
          return transform(extra.value);
        }
      }
      sent.push({ method: req.method, params });
      i++;
      if (!c) throw new RpcFault(TRANSCRIPT_END, 'transcript ended');
      if (c.error) throw new RpcFault(c.error.code, c.error.message);
      return transform(c.result);
    },
  });
  return { md, sent, around, consumed: () => i };
}

const ctxLogs: string[] = [];
const ctx: OpContext = { signal: new AbortController().signal, log: (l) => ctxLogs.push(l) };

let client: VdsmClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
  ctxLogs.length = 0;
});

function kindsOver(api: VdsmApi): OperationRegistry {
  const kinds = new OperationRegistry();
  const apis = async () => api;
  const he = hostedEngineKinds(apis, async () => null);
  kinds.add(...allVdsmKinds(vdsmKinds(apis, { taskPollMs: 1 })), he.checkLun as never);
  kinds.addChecks(he.fresh as never, he.result as never);
  return kinds;
}

/** Applies the plan's operations in order through their kinds (refs resolved from outputs), as the runner does. */
async function applyOps(plan: Plan, kinds: OperationRegistry) {
  const outputs = new Map<string, unknown>();
  const lookup = (r: { $out: string; path?: string }) => pick(outputs.get(r.$out), r.path);
  const ops = plan.steps.flatMap((s) => s.ops);
  for (let n = 0; n < ops.length; n++) {
    const o = ops[n];
    const k = kinds.op(o.kind);
    try {
      const out = await k.apply(k.schema.parse(resolveRefs(o.params, lookup)), o.host, ctx);
      if (o.out) outputs.set(o.out, out);
    } catch (err) {
      return { stoppedAt: n, stopError: err as unknown, outputs, lookup };
    }
  }
  return { stoppedAt: null, stopError: null, outputs, lookup };
}

async function runPlan(fx: Fixture, input: IscsiStorageInput, clientLogs: string[]) {
  const r = replay(fx);
  client = new VdsmClient({ connect: r.md.connect, label: 'hv1', incomingHeartbeatMs: 0, outgoingHeartbeatMs: 0, log: (l) => clientLogs.push(l) });
  const api = new VdsmApi(client);
  const kinds = kindsOver(api);
  const plan = await planHostedEngineStorage(input, { host: { id: 'hv1', label: 'hv1' }, knownDevices: fx.knownDevices });
  const run = await applyOps(plan, kinds);
  return { plan, r, kinds, ...run };
}

describe('seed contract replay', () => {
  for (const file of ['seed-branch-device-new.json', 'seed-branch-device-known.json']) {
    it(`${file}: same methods, parameter names and values as the transcript`, async () => {
      const fx = load(file);
      const logs: string[] = [];
      const { plan, r, stoppedAt, stopError, kinds, lookup } = await runPlan(fx, fx.input, logs);
      // Every transcript call was made, in order, with equal (masked) params.
      expect(r.sent.length).toBeGreaterThanOrEqual(fx.calls.length);
      const sentMasked = r.sent.slice(0, fx.calls.length).map((s) => ({ method: s.method, params: maskParams(s.params) }));
      expect(sentMasked).toEqual(fx.calls.map((c) => ({ method: c.method, params: c.params })));
      // Without the calls Portico adds (task polling), the verbs are exactly the seed's.
      const seedVerbs = fx.calls.filter((c) => c.seed).map((c) => c.method);
      expect(r.sent.slice(0, fx.calls.length).filter((_, k) => fx.calls[k].seed).map((s) => s.method)).toEqual(seedVerbs);
      if (fx.seedEndsAfterLastCall) {
        // The seed stops mid-flow: the next call hits the end of the transcript and nothing more runs.
        expect(r.sent.length).toBe(fx.calls.length + 1);
        expect(String((stopError as Error).message)).toMatch(/transcript ended/);
        expect(stoppedAt).not.toBeNull();
      } else {
        expect(stopError).toBeNull();
        expect(r.sent.length).toBe(fx.calls.length);
        const chk = plan.verify![0];
        const k = kinds.check(chk.kind);
        const v = await k.check(k.schema.parse(resolveRefs(chk.params, lookup)), 'hv1', ctx);
        expect(v.ok).toBe(true);
        const res = (v as { result: HostedEngineResult }).result;
        expect(res.pool.spUUID).toBe(fx.input.ids!.spUUID);
        expect(res.domain.totalBytes).toBe('33151778816');
        expect(res.vg?.vgUUID).toBe('hDcdS7-MkjM-oXm3-yP8M-KmqM-glYC-c9YoLw');
        expect(res.answerFile).toContain('OVEHOSTED_STORAGE/vgUUID=str:hDcdS7-MkjM-oXm3-yP8M-KmqM-glYC-c9YoLw');
      }
    });
  }

  it('device-new: the 465 on the pool connect is tolerated because the path is already active, with a warning', async () => {
    const fx = load('seed-branch-device-new.json');
    await runPlan(fx, fx.input, []);
    expect(ctxLogs.join('\n')).toMatch(/reported 465 \(iSCSISetupError\) but the host already has an active path/);
  });

  it('review shows the call sequence with both seed branches and passwords as ******', async () => {
    const known = load('seed-branch-device-known.json');
    const fresh = load('seed-branch-device-new.json');
    const md = memoryDouble({ handler: async () => true });
    client = new VdsmClient({ connect: md.connect, incomingHeartbeatMs: 0, outgoingHeartbeatMs: 0 });
    const api = new VdsmApi(client);
    const kinds = kindsOver(api);
    const registry = new PlanRegistry(openDb(':memory:'), kinds);
    const input = { ...fresh.input, loginChap: { user: 'he', password: 'LoginPw-123' }, discoveryChap: { user: 'disc', password: 'DiscPw-456' } };
    const p1 = await planHostedEngineStorage(input, { host: { id: 'hv1', label: 'hv1' }, knownDevices: null });
    const p2 = await planHostedEngineStorage({ ...known.input, loginChap: input.loginChap }, { host: { id: 'hv1', label: 'hv1' }, knownDevices: known.knownDevices });
    const v1 = registry.register(p1);
    const v2 = registry.register(p2);
    const m1 = v1.steps.map((s) => s.command.split(' ')[0]);
    const m2 = v2.steps.map((s) => s.command.split(' ')[0]);
    expect(m1.slice(0, 5)).toEqual(['ISCSIConnection.discoverSendTargets', 'StoragePool.connectStorageServer', 'Host.getDeviceList', 'Host.getStorageRepoStats', 'LVMVolumeGroup.create']);
    expect(m2.slice(0, 2)).toEqual(['Host.getDeviceList', 'LVMVolumeGroup.create']);
    const text = JSON.stringify([v1, v2]);
    expect(text).not.toContain('LoginPw-123');
    expect(text).not.toContain('DiscPw-456');
    expect(text).toContain('******');
    expect(p1.secrets).toEqual(expect.arrayContaining(['LoginPw-123', 'DiscPw-456']));
    expect(p1.warnings?.join(' ')).toMatch(/clear text/);
  });

  it('through the job runner: passwords reach VDSM but not logs, job views, the audit trail or the database', async () => {
    const fx = load('seed-branch-device-known.json');
    const LOGIN = 'LoginPw-Zq9x';
    const DISC = 'DiscPw-Kp3w';
    // A real VDSM echoes CHAP passwords in clear in getDeviceList path info.
    const r = replay(fx, (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v).split('******').join(LOGIN))));
    const clientLogs: string[] = [];
    client = new VdsmClient({ connect: r.md.connect, incomingHeartbeatMs: 0, outgoingHeartbeatMs: 0, log: (l) => clientLogs.push(l) });
    const input = { ...fx.input, loginChap: { user: 'he-user', password: LOGIN }, discoveryChap: { user: 'disc', password: DISC } };
    const known = JSON.parse(JSON.stringify(fx.knownDevices).split('******').join(LOGIN));
    const plan = await planHostedEngineStorage(input, { host: { id: 'hv1', label: 'hv1' }, knownDevices: known });
    const dataDir = mkdtempSync(join(tmpdir(), 'portico-he-contract-'));
    const db = openDb(join(dataDir, 'portico.sqlite'));
    try {
      const kinds = kindsOver(new VdsmApi(client));
      const plans = new PlanRegistry(db, kinds);
      const audit = new AuditLog(db);
      const jobs = new JobRunner({ db, plans, audit, events: new EventBus(), kinds, vault: new SecretStore(db, new PassphraseCipher(db, 'test passphrase')) });
      const view = plans.register(plan);
      const { jobId, done } = await jobs.apply(view.id);
      const job = await done;
      expect(job.error).toBeNull();
      expect(job.state).toBe('succeeded');
      expect(r.sent.map((x) => x.method)).toEqual(fx.calls.map((c) => c.method));
      expect(r.around.slice(0, 2)).toEqual(['StorageDomain.getInfo', 'Host.getConnectedStoragePools']); // the freshness check
      // VDSM got the real password.
      expect(JSON.stringify(r.sent)).toContain(LOGIN);
      const everything = JSON.stringify([view, job, jobs.get(jobId), audit.list(1000), clientLogs]);
      for (const s of [LOGIN, DISC]) expect(everything).not.toContain(s);
      db.close();
      const files = readdirSync(dataDir).map((f) => join(dataDir, f)).filter((f) => statSync(f).isFile());
      for (const f of files) {
        const bytes = readFileSync(f).toString('latin1');
        expect(bytes.includes(LOGIN), f).toBe(false);
        expect(bytes.includes(DISC), f).toBe(false);
      }
    } finally {
      if (db.open) db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
