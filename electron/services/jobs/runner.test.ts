import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testServices } from '../testing/services';
import type { ExecPlan, ExecStep } from './plan';

const SECRET = 'chap-secret-XYZZY-1234';

type Svc = ReturnType<typeof testServices>;
let svc: Svc;
afterEach(async () => svc?.dispose());

/** A 4-step plan over a fake "server" (an array of applied effects) so undo order is visible. */
function fourStepPlan(server: string[], opts: { failAt?: number; blockAt?: number } = {}): { plan: ExecPlan; unblock: () => void; reached: Promise<void> } {
  let unblock!: () => void;
  let reachedResolve!: () => void;
  const gate = new Promise<void>((r) => (unblock = r));
  const reached = new Promise<void>((r) => (reachedResolve = r));
  const steps: ExecStep[] = [1, 2, 3, 4].map((n) => ({
    title: `Step number ${n}`,
    command: `do ${n} --secret ${SECRET}`,
    undoCommand: `undo ${n}`,
    async run(ctx) {
      ctx.log(`running ${n} with ${SECRET}`);
      if (opts.blockAt === n) {
        reachedResolve();
        await new Promise<void>((resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
          void gate.then(resolve);
        });
      }
      if (opts.failAt === n) throw new Error(`disk full while doing ${n} (${SECRET})`);
      server.push(`do${n}`);
    },
    async undo() {
      server.push(`undo${n}`);
    },
  }));
  return { plan: { kind: 'test', title: 'Four steps', hostIds: ['h1'], lockKeys: ['host:h1'], steps, secrets: [SECRET] }, unblock, reached };
}

describe('JobRunner', () => {
  it('runs every step and succeeds', async () => {
    svc = testServices();
    const server: string[] = [];
    const view = svc.plans.register(fourStepPlan(server).plan);
    expect(view.steps[0].command).toBe('do 1 --secret ******');
    const { done } = await svc.jobs.apply(view.id);
    const job = await done;
    expect(job.state).toBe('succeeded');
    expect(server).toEqual(['do1', 'do2', 'do3', 'do4']);
  });

  it('a failing 3rd step undoes steps 2 and 1 in reverse, marks the job failed, audits all', async () => {
    svc = testServices();
    const server: string[] = [];
    const events: string[] = [];
    svc.events.subscribe((e, p) => e === 'job.updated' && events.push((p as { state: string }).state));
    const view = svc.plans.register(fourStepPlan(server, { failAt: 3 }).plan);
    const { jobId, done } = await svc.jobs.apply(view.id);
    const job = await done;
    expect(server).toEqual(['do1', 'do2', 'undo2', 'undo1']);
    expect(job.state).toBe('failed');
    expect(job.error).toContain('Step 3 (Step number 3) failed: disk full while doing 3');
    expect(job.error).not.toContain(SECRET);
    expect(job.steps.map((s) => s.state)).toEqual(['undone', 'undone', 'failed', 'skipped']);
    // The database tells the same story after the fact.
    expect(svc.jobs.get(jobId).steps.map((s) => s.state)).toEqual(['undone', 'undone', 'failed', 'skipped']);
    const audit = svc.audit.list(100).reverse().filter((a) => a.jobId === jobId).map((a) => a.action);
    expect(audit).toEqual(['job.start', 'step.start', 'step.done', 'step.start', 'step.done', 'step.start', 'step.failed', 'step.undone', 'step.undone', 'job.failed']);
    expect(events.at(-1)).toBe('failed');
  });

  it('cancel mid-run undoes the done steps in reverse and marks the job cancelled', async () => {
    svc = testServices();
    const server: string[] = [];
    const p = fourStepPlan(server, { blockAt: 3 });
    const view = svc.plans.register(p.plan);
    const { jobId, done } = await svc.jobs.apply(view.id);
    await p.reached;
    expect(svc.jobs.cancel(jobId)).toBe(true);
    const job = await done;
    expect(job.state).toBe('cancelled');
    expect(server).toEqual(['do1', 'do2', 'undo2', 'undo1']);
    expect(job.steps.map((s) => s.state)).toEqual(['undone', 'undone', 'failed', 'skipped']);
    const audit = svc.audit.list(100).filter((a) => a.jobId === jobId).map((a) => a.action);
    expect(audit).toContain('job.cancel');
    expect(audit).toContain('job.cancelled');
  });

  it('serialises plans on the same host', async () => {
    svc = testServices();
    const server: string[] = [];
    const a = fourStepPlan(server, { blockAt: 2 });
    const b = fourStepPlan(server);
    const va = svc.plans.register(a.plan);
    const vb = svc.plans.register(b.plan);
    const ja = await svc.jobs.apply(va.id);
    await a.reached;
    const jb = await svc.jobs.apply(vb.id);
    await new Promise((r) => setTimeout(r, 30));
    expect(server).toEqual(['do1']); // b waits for a's lock
    a.unblock();
    await Promise.all([ja.done, jb.done]);
    expect(server).toEqual(['do1', 'do2', 'do3', 'do4', 'do1', 'do2', 'do3', 'do4']);
  });

  it('refuses a stale plan at apply time and keeps it for re-planning', async () => {
    svc = testServices();
    const plan = fourStepPlan([]).plan;
    plan.checkFresh = async () => 'target iqn.2026-01.test:a now has 2 LUNs, the plan saw 1';
    const view = svc.plans.register(plan);
    await expect(svc.jobs.apply(view.id)).rejects.toMatchObject({ code: 'plan-stale' });
    expect(svc.plans.view(view.id).id).toBe(view.id);
  });

  it('a plan runs once', async () => {
    svc = testServices();
    const view = svc.plans.register(fourStepPlan([]).plan);
    await (await svc.jobs.apply(view.id)).done;
    await expect(svc.jobs.apply(view.id)).rejects.toMatchObject({ code: 'plan-expired' });
  });

  it('never writes a secret in plaintext to the SQLite file', async () => {
    svc = testServices();
    svc.secrets.set('host:h1:password', SECRET);
    const view = svc.plans.register(fourStepPlan([], { failAt: 2 }).plan);
    await (await svc.jobs.apply(view.id)).done;
    expect(svc.secrets.get('host:h1:password')).toBe(SECRET);
    svc.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(join(svc.dataDir, 'portico.sqlite'));
    expect(file.includes(Buffer.from('undo 1'))).toBe(true); // the file has the job in it...
    expect(file.includes(Buffer.from(SECRET))).toBe(false); // ...but not the secret
    expect(file.includes(Buffer.from('XYZZY'))).toBe(false);
  });

  it('the audit log is append-only', () => {
    svc = testServices();
    svc.audit.append({ actor: 't', action: 'x', detail: 'y' });
    expect(() => svc.db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(() => svc.db.prepare("UPDATE audit SET detail = 'z'").run()).toThrow(/append-only/);
  });
});
