// Plans built by main, kept by id until applied or discarded. The renderer only ever refers to a
// plan by this id; it never sends commands.
import { randomUUID } from 'node:crypto';
import type { PlanView } from '../../../shared/plan';
import { PorticoError } from '../../../shared/contract-kit';
import type { Db } from '../db';
import { maskSecrets } from '../mask';
import type { ExecPlan } from './plan';

export class PlanRegistry {
  private readonly plans = new Map<string, { exec: ExecPlan; view: PlanView }>();

  constructor(private readonly db: Db) {}

  register(exec: ExecPlan): PlanView {
    const id = randomUUID();
    const m = (s: string) => maskSecrets(s, exec.secrets ?? []);
    const view: PlanView = {
      id,
      kind: exec.kind,
      title: m(exec.title),
      hostIds: exec.hostIds,
      createdAt: new Date().toISOString(),
      steps: exec.steps.map((s, index) => ({ index, title: m(s.title), command: m(s.command), undo: s.undoCommand === null ? null : m(s.undoCommand) })),
      warnings: (exec.warnings ?? []).map(m),
      artifacts: (exec.artifacts ?? []).map((a) => ({ name: a.name, content: m(a.content) })),
    };
    this.plans.set(id, { exec, view });
    this.db.prepare('INSERT INTO plans (id, kind, title, view, created_at) VALUES (?, ?, ?, ?, ?)').run(id, view.kind, view.title, JSON.stringify(view), view.createdAt);
    return view;
  }

  view(planId: string): PlanView {
    const p = this.plans.get(planId);
    if (p) return p.view;
    const row = this.db.prepare('SELECT view FROM plans WHERE id = ?').get(planId) as { view: string } | undefined;
    if (row) return JSON.parse(row.view) as PlanView;
    throw new PorticoError('not-found', `No plan with id ${planId}.`, 'planId');
  }

  /** Takes a plan out for applying: a plan runs at most once. */
  take(planId: string): { exec: ExecPlan; view: PlanView } {
    const p = this.plans.get(planId);
    if (!p) {
      const known = this.db.prepare('SELECT 1 FROM plans WHERE id = ?').get(planId);
      throw new PorticoError(
        known ? 'plan-expired' : 'not-found',
        known ? 'This plan was already applied, discarded, or built before the console restarted: build it again.' : `No plan with id ${planId}.`,
        'planId',
      );
    }
    this.plans.delete(planId);
    return p;
  }

  /** Puts a plan back (used when apply is refused before anything ran). */
  restore(planId: string, p: { exec: ExecPlan; view: PlanView }): void {
    this.plans.set(planId, p);
  }

  discard(planId: string): boolean {
    return this.plans.delete(planId);
  }
}
