// Contract: replaying both branches of the seed (fixtures/seed-branch-*.json, translated to
// JSON-RPC names), the planner + VdsmClient send the same methods with the same parameter names
// and values (JSON-RPC ids aside), through the real STOMP bytes, each call also checked against
// vdsm-api.yml. Passwords never show up in logs, job views or the audit trail.
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VdsmClient, maskParams } from '../vdsm/client';
import { VdsmApi, type BlockDeviceInfo } from '../vdsm/api';
import { planHostedEngineStorage, type HostedEngineResult } from './planner';
import { memoryDouble } from '../../../e2e/doubles/vdsm/memory';
import { RpcFault } from '../../../e2e/doubles/vdsm/broker';
import { checkCall, loadCommittedSchema } from '../../../e2e/doubles/vdsm/schema';
import type { IscsiStorageInput } from '../../../shared/domain/hosted-engine';
import type { StepContext } from '../jobs/plan';
import { testServices } from '../../test-support/services';

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

/** A replay double: answers from the transcript in order and records what was sent. */
function replay(fx: Fixture) {
  const sent: { method: string; params: Record<string, unknown> }[] = [];
  let i = 0;
  const md = memoryDouble({
    handler: async (req) => {
      const params = req.params as Record<string, unknown>;
      const chk = checkCall(schema, req.method, params);
      if (!chk.ok) throw new RpcFault(chk.code, chk.message);
      sent.push({ method: req.method, params });
      const c = fx.calls[i++];
      if (!c) throw new RpcFault(TRANSCRIPT_END, 'transcript ended');
      if (c.error) throw new RpcFault(c.error.code, c.error.message);
      return c.result;
    },
  });
  return { md, sent, consumed: () => i };
}

const ctxLogs: string[] = [];
const ctx: StepContext = { signal: new AbortController().signal, log: (l) => ctxLogs.push(l) };

let client: VdsmClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
  ctxLogs.length = 0;
});

async function runPlan(fx: Fixture, input: IscsiStorageInput, clientLogs: string[]) {
  const r = replay(fx);
  client = new VdsmClient({ connect: r.md.connect, label: 'hv1', incomingHeartbeatMs: 0, outgoingHeartbeatMs: 0, log: (l) => clientLogs.push(l) });
  const plan = await planHostedEngineStorage(input, { api: new VdsmApi(client), host: { id: 'hv1', label: 'hv1' }, knownDevices: fx.knownDevices, taskPollMs: 1 });
  let stoppedAt: number | null = null;
  let stopError: unknown = null;
  for (let s = 0; s < plan.steps.length; s++) {
    try {
      await plan.steps[s].run(ctx);
    } catch (err) {
      stoppedAt = s;
      stopError = err;
      break;
    }
  }
  return { plan, r, stoppedAt, stopError };
}

describe('seed contract replay', () => {
  for (const file of ['seed-branch-device-new.json', 'seed-branch-device-known.json']) {
    it(`${file}: same methods, parameter names and values as the transcript`, async () => {
      const fx = load(file);
      const logs: string[] = [];
      const { plan, r, stoppedAt, stopError } = await runPlan(fx, fx.input, logs);
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
        const res = (await plan.verify!(ctx)) as HostedEngineResult;
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
    const input = { ...fresh.input, loginChap: { user: 'he', password: 'LoginPw-123' }, discoveryChap: { user: 'disc', password: 'DiscPw-456' } };
    const p1 = await planHostedEngineStorage(input, { api, host: { id: 'hv1', label: 'hv1' }, knownDevices: null });
    const p2 = await planHostedEngineStorage({ ...known.input, loginChap: input.loginChap }, { api, host: { id: 'hv1', label: 'hv1' }, knownDevices: known.knownDevices });
    const m1 = p1.steps.map((s) => s.command.split(' ')[0]);
    const m2 = p2.steps.map((s) => s.command.split(' ')[0]);
    expect(m1.slice(0, 5)).toEqual(['ISCSIConnection.discoverSendTargets', 'StoragePool.connectStorageServer', 'Host.getDeviceList', 'Host.getStorageRepoStats', 'LVMVolumeGroup.create']);
    expect(m2.slice(0, 2)).toEqual(['Host.getDeviceList', 'LVMVolumeGroup.create']);
    const text = JSON.stringify([p1.steps.map((s) => [s.title, s.command, s.undoCommand]), p1.artifacts, p1.warnings, p2.steps.map((s) => s.command), p2.artifacts]);
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
    const calls = fx.calls.map((c) => c);
    const sent: Record<string, unknown>[] = [];
    let i = 0;
    const md = memoryDouble({
      handler: async (req) => {
        sent.push(req.params as Record<string, unknown>);
        const c = calls[i++];
        if (!c) throw new RpcFault(TRANSCRIPT_END, 'transcript ended');
        // A real VDSM echoes CHAP passwords in clear in getDeviceList path info.
        return JSON.parse(JSON.stringify(c.result).split('******').join(LOGIN));
      },
    });
    const clientLogs: string[] = [];
    client = new VdsmClient({ connect: md.connect, incomingHeartbeatMs: 0, outgoingHeartbeatMs: 0, log: (l) => clientLogs.push(l) });
    const input = { ...fx.input, loginChap: { user: '', password: '' }, discoveryChap: { user: 'disc', password: DISC } };
    input.loginChap = { user: 'he-user', password: LOGIN };
    const known = JSON.parse(JSON.stringify(fx.knownDevices).split('******').join(LOGIN));
    const plan = await planHostedEngineStorage(input, { api: new VdsmApi(client), host: { id: 'hv1', label: 'hv1' }, knownDevices: known, taskPollMs: 1 });
    const svc = testServices();
    try {
      const view = svc.plans.register(plan);
      const { jobId, done } = await svc.jobs.apply(view.id);
      const job = await done;
      expect(job.state).toBe('succeeded');
      // VDSM got the real password.
      expect(JSON.stringify(sent)).toContain(LOGIN);
      const everything = JSON.stringify([view, job, svc.jobs.get(jobId), svc.audit.list(1000), clientLogs]);
      for (const s of [LOGIN, DISC]) expect(everything).not.toContain(s);
      const files = readdirSync(svc.dataDir).map((f) => join(svc.dataDir, f)).filter((f) => statSync(f).isFile());
      for (const f of files) {
        const bytes = readFileSync(f).toString('latin1');
        expect(bytes.includes(LOGIN), f).toBe(false);
        expect(bytes.includes(DISC), f).toBe(false);
      }
    } finally {
      await svc.dispose();
    }
  });
});
