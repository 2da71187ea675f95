import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FakeServer, fakeKinds } from '../../test-support/recording-kinds';
import { disposeEngines, testEngine } from '../../test-support/engine';
import { OperationRegistry } from './kinds';
import type { Operation, Plan } from './operation';
import { PlanRegistry } from './registry';
import type { Failpoint } from './failpoints';

const SECRET = 'chap-secret-XYZZY-1234';
afterEach(disposeEngines);

function setup(server = new FakeServer(), dir?: string, failpoints: Failpoint[] = []) {
  const k = fakeKinds(server);
  const kinds = new OperationRegistry().add(k.set as never, k.batch as never, k.format as never, k.read as never).addChecks(k.expect as never);
  return { ...testEngine(kinds, { dir, failpoints }), server };
}

/** A four-step job whose 3rd operation never answers: the console "dies" there when the test closes a.db. */
async function hungAtK3() {
  const server = new FakeServer();
  server.faults.set('k3', 'hang');
  const a = setup(server);
  const { jobId } = await a.runner.apply(a.plans.register(fourSteps()).id);
  await new Promise((r) => setTimeout(r, 30));
  return { server, a, jobId };
}

const set = (key: string, value: string | null, pre: string | null, kind = 'fake.set'): Operation => ({ kind, host: 'h1', params: { key, value, pre } });

function fourSteps(extra: Partial<Plan> = {}): Plan {
  return {
    kind: 'test.four',
    title: 'Four steps',
    hostIds: ['h1'],
    lockKeys: ['host:h1'],
    steps: [1, 2, 3, 4].map((n) => ({ title: `Step number ${n}`, ops: [set(`k${n}`, `v${n}-${SECRET}`, null)] })),
    secrets: [SECRET],
    ...extra,
  };
}

describe('JobRunner with the journal', () => {
  it('applies every operation and reports the verification result', async () => {
    const t = setup();
    const view = t.plans.register(fourSteps({ verify: [{ kind: 'fake.expect', host: 'h1', params: { key: 'k4', value: `v4-${SECRET}` } }] }));
    expect(view.steps[0].command).toBe('set k1=v1-******');
    expect(view.steps[0].undo).toBe('set k1=(none)');
    const job = await (await t.runner.apply(view.id)).done;
    expect(job.state).toBe('succeeded');
    expect(job.verification).toEqual({ ok: true, reason: null });
    expect(job.result).toEqual({ k4: 'v4-******' });
    expect(t.server.snapshot()).toEqual({ k1: `v1-${SECRET}`, k2: `v2-${SECRET}`, k3: `v3-${SECRET}`, k4: `v4-${SECRET}` });
    const rows = t.db.prepare('SELECT idx, state FROM job_ops WHERE job_id = ? ORDER BY seq').all(job.id);
    expect(rows).toEqual([0, 1, 2, 3].map((idx) => ({ idx, state: 'done' })));
  });

  it('journals each intent durably before the operation touches the server', async () => {
    const t = setup();
    const seen: string[] = [];
    t.server.onApply = (key) => {
      // A second connection reads the file: the intent is committed, not just in this connection's transaction.
      const other = new Database(join(t.dir, 'portico.sqlite'), { readonly: true });
      const r = other.prepare("SELECT state, op FROM job_ops WHERE op LIKE ? ORDER BY seq DESC LIMIT 1").get(`%"${key}"%`) as { state: string } | undefined;
      other.close();
      seen.push(`${key}:${r?.state}`);
    };
    const view = t.plans.register(fourSteps());
    await (await t.runner.apply(view.id)).done;
    expect(seen).toEqual(['k1:intent', 'k2:intent', 'k3:intent', 'k4:intent']);
  });

  it('a refused 3rd operation undoes 2 and 1 in reverse, leaving the server as before', async () => {
    const t = setup();
    t.server.data.set('k2', 'old');
    t.server.faults.set('k3', 'fail');
    const plan = fourSteps();
    plan.steps[1].ops = [set('k2', 'new', 'old')];
    const view = t.plans.register(plan);
    const job = await (await t.runner.apply(view.id)).done;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/Step 3 .*server refused k3.*undone/);
    expect(t.server.snapshot()).toEqual({ k2: 'old' });
    expect(t.server.calls.filter((c) => c.startsWith('undo'))).toEqual(['undo k2=old', 'undo k1=(none)']);
    expect(job.steps.map((s) => s.state)).toEqual(['undone', 'undone', 'undone', 'skipped']);
    const undo = t.db.prepare("SELECT state FROM job_ops WHERE job_id = ? AND phase = 'undo'").all(job.id);
    expect(undo).toHaveLength(2);
  });

  it('an operation interrupted after it took effect (connection lost) is verified and undone', async () => {
    const t = setup();
    t.server.faults.set('k2', 'lose');
    const job = await (await t.runner.apply(t.plans.register(fourSteps()).id)).done;
    expect(job.state).toBe('failed');
    expect(job.steps[1].state).toBe('undone');
    expect(t.server.calls).toContain('verify k2');
    expect(t.server.snapshot()).toEqual({});
  });

  it('an in-doubt operation that never took effect is not undone', async () => {
    const t = setup();
    t.server.faults.set('k2', 'hang');
    const { jobId, done } = await t.runner.apply(t.plans.register(fourSteps()).id);
    await new Promise((r) => setTimeout(r, 30));
    expect(t.runner.cancel(jobId)).toBe(true);
    const job = await done;
    expect(job.state).toBe('cancelled');
    expect(t.server.calls.filter((c) => c.startsWith('undo'))).toEqual(['undo k1=(none)']);
    expect(t.server.snapshot()).toEqual({});
  });

  it('batches consecutive operations of a batchable kind into one call and rolls back per operation', async () => {
    const t = setup();
    t.server.faults.set('b3', 'fail');
    const plan: Plan = { kind: 'test.batch', title: 'Batch', hostIds: ['h1'], lockKeys: ['h1'], steps: [{ title: 'Three in one', ops: ['b1', 'b2', 'b3', 'b4'].map((k) => set(k, 'x', null, 'fake.batch')) }] };
    const job = await (await t.runner.apply(t.plans.register(plan).id)).done;
    expect(t.server.calls[0]).toBe('batch b1,b2,b3,b4');
    expect(job.state).toBe('failed');
    expect(t.server.snapshot()).toEqual({});
    const states = (t.db.prepare("SELECT state FROM job_ops WHERE job_id = ? AND phase = 'apply' ORDER BY seq").all(job.id) as { state: string }[]).map((r) => r.state);
    expect(states).toEqual(['done', 'done', 'failed', 'not-run']);
  });

  it('a console that died mid-job: the job is interrupted at the next start, nothing runs, and its rollback plan restores the server', async () => {
    const server = new FakeServer();
    server.data.set('k2', 'old');
    server.faults.set('k3', 'hang');
    const a = setup(server);
    const plan = fourSteps();
    plan.steps[1].ops = [set('k2', `new-${SECRET}`, 'old')];
    const { jobId } = await a.runner.apply(a.plans.register(plan).id);
    await new Promise((r) => setTimeout(r, 30));
    a.db.close(); // the process "dies": no outcome is ever written
    const callsBefore = server.calls.length;
    server.faults.delete('k3');
    const b = setup(server, a.dir);
    expect(server.calls.length).toBe(callsBefore); // nothing changes a server at start
    const view = b.runner.get(jobId);
    expect(view.state).toBe('interrupted');
    expect(view.recoverable).toBe(true);
    expect(view.steps.map((s) => s.state)).toEqual(['done', 'done', 'in-doubt', 'pending']);
    const rb = await b.runner.planRollback(jobId);
    expect(rb.rollbackOf).toBe(jobId);
    expect(rb.steps.map((s) => s.title)).toEqual(['Undo step 2: Step number 2', 'Undo step 1: Step number 1']);
    expect(rb.warnings.join(' ')).toMatch(/operation 3 .* had not taken effect/);
    expect(JSON.stringify(rb)).not.toContain(SECRET);
    const rj = await (await b.runner.apply(rb.id)).done;
    expect(rj.state).toBe('succeeded');
    expect(server.snapshot()).toEqual({ k2: 'old' });
    expect(b.runner.get(jobId).state).toBe('rolled-back');
    // Applying the same rollback again changes nothing (idempotent inverses).
    await expect(b.runner.planRollback(jobId)).rejects.toThrow(/nothing to recover/);
  });

  it('resumes an interrupted job under its own id when the server is still where the journal left it', async () => {
    const { server, a, jobId } = await hungAtK3();
    a.db.close();
    server.faults.delete('k3');
    const b = setup(server, a.dir);
    const rp = await b.runner.planResume(jobId);
    expect(rp.resumeOf).toBe(jobId);
    expect(rp.steps.map((s) => s.title)).toEqual(['Step number 3', 'Step number 4']);
    const { jobId: same, done } = await b.runner.apply(rp.id);
    expect(same).toBe(jobId);
    const job = await done;
    expect(job.state).toBe('succeeded');
    expect(job.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(Object.keys(server.snapshot())).toEqual(['k1', 'k2', 'k3', 'k4']);
  });

  it('refuses to resume when a done operation is no longer in effect', async () => {
    const { server, a, jobId } = await hungAtK3();
    a.db.close();
    server.data.delete('k1'); // someone changed the server meanwhile
    const b = setup(server, a.dir);
    await expect(b.runner.planResume(jobId)).rejects.toThrow(/operation 1 .* no longer in effect/);
  });

  it('never writes a secret value to the database files; secrets of finished jobs leave the store', async () => {
    const t = setup();
    const job = await (await t.runner.apply(t.plans.register(fourSteps()).id)).done;
    t.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of readdirSync(t.dir)) expect(readFileSync(join(t.dir, f)).includes(SECRET), f).toBe(false);
    const left = t.db.prepare("SELECT COUNT(*) AS n FROM secrets WHERE name LIKE ?").get(`job:${job.id}:%`) as { n: number };
    expect(left.n).toBe(0);
  });

  it('keeps secrets sealed in the journal while a job is recoverable', async () => {
    const { a, jobId } = await hungAtK3();
    const ops = (a.db.prepare('SELECT op FROM job_ops WHERE job_id = ?').all(jobId) as { op: string }[]).map((r) => r.op).join('\n');
    expect(ops).not.toContain(SECRET);
    expect(ops).toContain('$sealed');
    a.db.close();
  });

  it('a plan that lowers protection needs an explicit confirmation', async () => {
    const t = setup();
    const view = t.plans.register(fourSteps({ dangers: ['CHAP is removed: any initiator on the network can log in.'] }));
    expect(view.dangers).toHaveLength(1);
    await expect(t.runner.apply(view.id)).rejects.toMatchObject({ code: 'confirmation-required', field: 'confirmDangers' });
    const job = await (await t.runner.apply(view.id, { confirmDangers: true })).done;
    expect(job.state).toBe('succeeded');
    expect(t.audit.list(50).some((e) => e.action === 'job.start' && /protection lowered, confirmed/.test(e.detail))).toBe(true);
  });

  it('a stale plan is refused before anything runs', async () => {
    const t = setup();
    const view = t.plans.register(fourSteps({ fresh: [{ kind: 'fake.expect', host: 'h1', params: { key: 'k1', value: null } }] }));
    t.server.data.set('k1', 'someone else');
    await expect(t.runner.apply(view.id)).rejects.toMatchObject({ code: 'plan-stale' });
    expect(t.server.calls.filter((c) => c.startsWith('set'))).toEqual([]);
  });

  it('a read-back that disagrees is verification-failed, not succeeded, and can be rolled back', async () => {
    const t = setup();
    const view = t.plans.register(fourSteps({ verify: [{ kind: 'fake.expect', host: 'h1', params: { key: 'k1', value: 'something else' } }] }));
    const job = await (await t.runner.apply(view.id)).done;
    expect(job.state).toBe('verification-failed');
    expect(job.verification).toMatchObject({ ok: false });
    expect(job.error).toMatch(/read-back disagrees: k1 is v1-\*\*\*\*\*\*/);
    expect(job.recoverable).toBe(true);
    const rb = await t.runner.planRollback(job.id);
    await (await t.runner.apply(rb.id)).done;
    expect(t.server.snapshot()).toEqual({});
  });

  it('an undo that fails leaves the job rollback-failed with what is left, and a rollback plan finishes it', async () => {
    const t = setup();
    t.server.faults.set('k3', 'fail');
    t.server.faults.set('k1', 'fail-undo');
    const job = await (await t.runner.apply(t.plans.register(fourSteps()).id)).done;
    expect(job.state).toBe('rollback-failed');
    expect(job.leftover.join(' ')).toMatch(/on h1: set k1=\(none\) — .*undo of k1 refused/);
    expect(t.server.snapshot()).toEqual({ k1: `v1-${SECRET}` });
    t.server.faults.delete('k1');
    const rb = await t.runner.planRollback(job.id);
    await (await t.runner.apply(rb.id)).done;
    expect(t.server.snapshot()).toEqual({});
  });

  it('irreversible operations are flagged in the review; an operation with neither inverse nor flag is a planner bug', () => {
    const t = setup();
    const view = t.plans.register({ kind: 'test.irr', title: 'Format', hostIds: ['h1'], lockKeys: [], steps: [{ title: 'Format it', ops: [{ kind: 'fake.format', host: 'h1', params: { key: 'd' } }] }] });
    expect(view.steps[0].ops[0]).toMatchObject({ irreversible: true, undo: null });
    expect(() => t.plans.register({ kind: 'x', title: 'x', hostIds: [], lockKeys: [], steps: [{ title: 'x', ops: [{ kind: 'nope', host: 'h1', params: {} }] }] })).toThrow(/unknown operation kind/);
  });

  it('passes outputs of earlier operations to later ones through $out references', async () => {
    const t = setup();
    const plan: Plan = {
      kind: 'test.refs', title: 'Refs', hostIds: ['h1'], lockKeys: [],
      steps: [{ title: 'Batch then use it', ops: [{ ...set('b1', 'x', null, 'fake.batch'), out: 'first' }, { kind: 'fake.set', host: 'h1', params: { key: 'k9', value: { $out: 'first', path: 'wrote' }, pre: null } }] }],
    };
    const view = t.plans.register(plan);
    expect(view.steps[0].ops[1].command).toBe('set k9=<first.wrote>');
    const job = await (await t.runner.apply(view.id)).done;
    expect(job.state).toBe('succeeded');
    expect(t.server.data.get('k9')).toBe('b1');
  });

  it('failpoint "fail" makes operation k fail without running it', async () => {
    const t = setup(new FakeServer(), undefined, [{ planKind: 'test.four', op: 2, mode: 'fail' }]);
    const job = await (await t.runner.apply(t.plans.register(fourSteps()).id)).done;
    expect(job.state).toBe('failed');
    expect(t.server.calls.filter((c) => c.startsWith('set'))).toEqual(['set k1=v1-chap-secret-XYZZY-1234']);
    expect(t.server.snapshot()).toEqual({});
  });

  it('plans expire and their secrets go with them', () => {
    const server = new FakeServer();
    const t = setup(server);
    let now = 1_000_000;
    const plans = new PlanRegistry(t.db, new OperationRegistry().add(fakeKinds(server).set as never), 60_000, () => now);
    const view = plans.register(fourSteps());
    expect(Date.parse(view.expiresAt) - Date.parse(view.createdAt)).toBe(60_000);
    now += 61_000;
    expect(() => plans.take(view.id)).toThrow(/expired/);
  });
});
