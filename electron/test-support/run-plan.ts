// Test helper standing in for the JobRunner: fresh check, steps in order, undo done steps in
// reverse on failure, then verify. Collects the masked log so tests can check no secret leaks.
import type { ExecPlan, StepContext } from '../services/jobs/plan';
import { maskText } from '../services/targets/tgt/planner';

export interface PlanRun {
  ok: boolean;
  error?: string;
  stale?: string;
  failedStep?: number;
  undone: number[];
  undoErrors: string[];
  result?: unknown;
  log: string[];
}

export async function runPlan(plan: ExecPlan): Promise<PlanRun> {
  const log: string[] = [];
  const ac = new AbortController();
  const ctx = (i: number): StepContext => ({ signal: ac.signal, log: (l) => log.push(`[${i}] ${maskText(l, plan.secrets ?? [])}`) });
  const stale = plan.checkFresh ? await plan.checkFresh(ac.signal) : null;
  if (stale) return { ok: false, stale, undone: [], undoErrors: [], log };
  const done: number[] = [];
  for (let i = 0; i < plan.steps.length; i++) {
    try {
      await plan.steps[i].run(ctx(i));
      done.push(i);
    } catch (e) {
      const undone: number[] = [];
      const undoErrors: string[] = [];
      for (const j of [...done].reverse()) {
        try {
          await plan.steps[j].undo?.(ctx(j));
          undone.push(j);
        } catch (u) {
          undoErrors.push(`step ${j}: ${(u as Error).message}`);
        }
      }
      return { ok: false, error: maskText((e as Error).message, plan.secrets ?? []), failedStep: i, undone, undoErrors, log };
    }
  }
  const result = plan.verify ? await plan.verify(ctx(plan.steps.length)) : undefined;
  return { ok: true, undone: [], undoErrors: [], result, log };
}
