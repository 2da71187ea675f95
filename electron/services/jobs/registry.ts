// Plans built by main, kept by id until applied, discarded or expired. The renderer only ever
// refers to a plan by this id; it never sends commands. Plans hold secrets in memory, so they
// expire (default 30 minutes) and their secrets go with them.
import { randomUUID } from 'node:crypto';
import type { PlanView } from '../../../shared/plan';
import { PorticoError } from '../../../shared/contract-kit';
import type { Db } from '../db';
import { maskSecrets } from '../mask';
import type { OperationRegistry } from './kinds';
import type { Plan } from './operation';

export const PLAN_TTL_MS = 30 * 60_000;

interface Held {
  plan: Plan;
  view: PlanView;
  expires: number;
}

export class PlanRegistry {
  private readonly plans = new Map<string, Held>();

  constructor(
    private readonly db: Db,
    private readonly kinds: OperationRegistry,
    private readonly ttlMs = PLAN_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The masked view of a plan, as the review page, the audit log and exports show it. */
  render(plan: Plan, id: string, createdAt: Date): PlanView {
    const m = (s: string) => maskSecrets(s, plan.secrets ?? []);
    return {
      id,
      kind: plan.kind,
      title: m(plan.title),
      hostIds: plan.hostIds,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + this.ttlMs).toISOString(),
      steps: plan.steps.map((s, index) => {
        const ops = s.ops.map((o) => ({
          kind: o.kind,
          host: o.host,
          command: m(this.kinds.describe(o)),
          undo: this.kinds.irreversible(o) ? null : (() => { const u = this.kinds.describeInverse(o); return u === null ? null : m(u); })(),
          irreversible: this.kinds.irreversible(o),
        }));
        const undos = ops.map((o) => o.undo).filter((u): u is string => !!u).reverse();
        return { index, title: m(s.title), command: ops.map((o) => o.command).join('\n'), undo: undos.length ? undos.join('\n') : null, ops };
      }),
      warnings: (plan.warnings ?? []).map(m),
      dangers: (plan.dangers ?? []).map(m),
      artifacts: (plan.artifacts ?? []).map((a) => ({ name: a.name, content: m(a.content) })),
      rollbackOf: plan.rollbackOf ?? null,
      resumeOf: plan.resume?.jobId ?? null,
    };
  }

  register(plan: Plan): PlanView {
    this.sweep();
    this.kinds.validate(plan);
    const id = randomUUID();
    const created = new Date(this.now());
    const view = this.render(plan, id, created);
    this.plans.set(id, { plan, view, expires: created.getTime() + this.ttlMs });
    this.db.prepare('INSERT INTO plans (id, kind, title, view, created_at) VALUES (?, ?, ?, ?, ?)').run(id, view.kind, view.title, JSON.stringify(view), view.createdAt);
    return view;
  }

  /** Forgets expired plans (and so their secrets). */
  sweep(): void {
    const t = this.now();
    for (const [id, p] of this.plans) if (p.expires <= t) this.plans.delete(id);
  }

  view(planId: string): PlanView {
    this.sweep();
    const p = this.plans.get(planId);
    if (p) return p.view;
    const row = this.db.prepare('SELECT view FROM plans WHERE id = ?').get(planId) as { view: string } | undefined;
    if (row) return JSON.parse(row.view) as PlanView;
    throw new PorticoError('not-found', `No plan with id ${planId}.`, 'planId');
  }

  /** Takes a plan out for applying: a plan runs at most once. */
  take(planId: string): Held {
    this.sweep();
    const p = this.plans.get(planId);
    if (!p) {
      const known = this.db.prepare('SELECT 1 FROM plans WHERE id = ?').get(planId);
      throw new PorticoError(
        known ? 'plan-expired' : 'not-found',
        known
          ? `This plan was already applied, discarded, expired (plans are kept ${Math.round(this.ttlMs / 60_000)} minutes, then forgotten with their secrets) or built before the console restarted: build it again.`
          : `No plan with id ${planId}.`,
        'planId',
      );
    }
    this.plans.delete(planId);
    return p;
  }

  /** Puts a plan back (used when apply is refused before anything ran). */
  restore(planId: string, p: Held): void {
    this.plans.set(planId, p);
  }

  discard(planId: string): boolean {
    return this.plans.delete(planId);
  }
}
