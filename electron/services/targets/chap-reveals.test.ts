// ChapReveals on the real job engine (SQLite, SecretStore, JobRunner over recording kinds): a
// generated secret is shown once after its job succeeded, and forgotten (gone from the SecretStore)
// when it never will be: plan not applied, job failed or cancelled, or not opened in time.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeServer, fakeKinds } from '../../test-support/recording-kinds';
import { disposeEngines, testEngine } from '../../test-support/engine';
import { migrateFeature } from '../db';
import { OperationRegistry } from '../jobs/kinds';
import { PLAN_TTL_MS } from '../jobs/registry';
import type { Plan } from '../jobs/operation';
import { CHAP_REVEAL_MIGRATIONS, ChapReveals, REVEAL_WINDOW_MS } from './chap-reveals';

afterEach(disposeEngines);

const SECRET = 'GeneratedSecret-0123456789';

function setup() {
  const server = new FakeServer();
  const k = fakeKinds(server);
  const kinds = new OperationRegistry().add(k.set as never);
  const e = testEngine(kinds);
  migrateFeature(e.db, 'test-reveals', CHAP_REVEAL_MIGRATIONS);
  let now = Date.now();
  const clock = { advance: (ms: number) => (now += ms) };
  const reveals = new ChapReveals(e.db, e.vault, (id) => e.runner.get(id), () => now);
  const plan = (): Plan => ({
    kind: 'test.chap', title: 'Rotate CHAP', hostIds: ['h1'], lockKeys: ['host:h1'],
    steps: [{ title: 'Set the secret', ops: [{ kind: 'fake.set', host: 'h1', params: { key: 'chap', value: 'x', pre: null } }] }],
  });
  /** A registered plan whose generated secret waits for its reveal. */
  const planned = () => {
    const view = e.plans.register(plan());
    reveals.record(view.id, { serverId: 'stor1', iqn: 'iqn.2026-12.test:t', createdAt: new Date(now).toISOString() }, { user: 'u1', secret: SECRET });
    return view;
  };
  const stored = (planId: string) => e.vault.get(`targets.chap-reveal:${planId}`);
  return { e, server, reveals, clock, planned, stored };
}

describe('CHAP reveals', () => {
  it('shows the secret once, only after the job succeeded, then forgets it', async () => {
    const t = setup();
    const view = t.planned();
    const { jobId, done } = await t.e.runner.apply(view.id);
    expect((await done).state).toBe('succeeded');
    expect(t.reveals.reveal(jobId)).toMatchObject({ user: 'u1', secret: SECRET });
    expect(t.stored(view.id)).toBeNull();
    expect(() => t.reveals.reveal(jobId)).toThrow(/shown once already/);
  });

  it('a failed job (rolled back): the secret is forgotten at once and the reveal says why', async () => {
    const t = setup();
    t.server.faults.set('chap', 'fail');
    const view = t.planned();
    const { jobId, done } = await t.e.runner.apply(view.id);
    expect((await done).state).toBe('failed');
    expect(t.reveals.sweep()).toBe(1);
    expect(t.stored(view.id)).toBeNull();
    expect(() => t.reveals.reveal(jobId)).toThrow(/forgotten by the console \(its job failed and was rolled back/);
  });

  it('a plan never applied: kept while the plan can still be applied, forgotten once it expired, or at a restart', () => {
    const t = setup();
    const a = t.planned();
    expect(t.reveals.sweep()).toBe(0);
    expect(t.stored(a.id)).toBe(SECRET);
    t.clock.advance(PLAN_TTL_MS + 1000);
    expect(t.reveals.sweep()).toBe(1);
    expect(t.stored(a.id)).toBeNull();

    const b = t.planned();
    expect(t.reveals.sweep({ startup: true })).toBe(1);
    expect(t.stored(b.id)).toBeNull();
  });

  it('a succeeded job nobody opened: kept for the reveal window, then forgotten', async () => {
    const t = setup();
    const view = t.planned();
    const { jobId, done } = await t.e.runner.apply(view.id);
    expect((await done).state).toBe('succeeded');
    t.clock.advance(REVEAL_WINDOW_MS - 60_000);
    expect(t.reveals.sweep({ startup: true })).toBe(0);
    expect(t.stored(view.id)).toBe(SECRET);
    t.clock.advance(120_000);
    expect(t.reveals.sweep()).toBe(1);
    expect(t.stored(view.id)).toBeNull();
    expect(() => t.reveals.reveal(jobId)).toThrow(/nobody opened it within 24 h/);
  });
});
