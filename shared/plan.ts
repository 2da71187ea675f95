// What the renderer sees of plans and jobs. Main builds plans; the renderer only shows them and
// asks main to apply one by id. Commands here are already masked (secrets as ******).
import { z } from 'zod';

export const MASK = '******';

/** One operation as the review shows it: the exact command or RPC and its undo, masked. */
export const PlanOpViewSchema = z.object({
  kind: z.string(),
  host: z.string(),
  command: z.string(),
  undo: z.string().nullable(),
  /** Cannot be undone: the review warns, and the plan orders it as late as it can. */
  irreversible: z.boolean(),
});
export type PlanOpView = z.infer<typeof PlanOpViewSchema>;

export const PlanStepViewSchema = z.object({
  index: z.number().int(),
  title: z.string(),
  /** The step's commands, one per line (the ops' commands joined). */
  command: z.string(),
  undo: z.string().nullable(),
  ops: z.array(PlanOpViewSchema),
});
export type PlanStepView = z.infer<typeof PlanStepViewSchema>;

export const PlanViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  hostIds: z.array(z.string()),
  createdAt: z.string(),
  steps: z.array(PlanStepViewSchema),
  warnings: z.array(z.string()),
  /** The plan lowers protection (removes CHAP, widens access, forces a delete): applying needs confirmDangers. */
  dangers: z.array(z.string()),
  /** Extra outputs a plan produces (conf file text, answer file), masked. */
  artifacts: z.array(z.object({ name: z.string(), content: z.string() })),
  /** Plans (and the secrets they hold) are forgotten after this time: build the plan again. */
  expiresAt: z.string(),
  /** Set on plans that roll back or resume an earlier job. */
  rollbackOf: z.string().nullable(),
  resumeOf: z.string().nullable(),
});
export type PlanView = z.infer<typeof PlanViewSchema>;

export const StepStateSchema = z.enum(['pending', 'running', 'done', 'failed', 'in-doubt', 'undoing', 'undone', 'undo-failed', 'skipped']);
export type StepState = z.infer<typeof StepStateSchema>;

/**
 * succeeded; verification-failed (applied, but the read-back disagrees); failed / cancelled (rolled
 * back); rollback-failed (something is left on a server: see leftover, and build a rollback plan);
 * interrupted (the console stopped while it ran: review its rollback or resume); rolled-back /
 * resumed (an interrupted job that a later rollback or resume finished).
 */
export const JobStateSchema = z.enum(['running', 'succeeded', 'verification-failed', 'failed', 'cancelled', 'rollback-failed', 'interrupted', 'rolled-back', 'resumed']);
export type JobState = z.infer<typeof JobStateSchema>;

export const JobStepViewSchema = z.object({
  index: z.number().int(),
  title: z.string(),
  command: z.string(),
  state: StepStateSchema,
  message: z.string().nullable(),
});
export type JobStepView = z.infer<typeof JobStepViewSchema>;

export const JobViewSchema = z.object({
  id: z.string(),
  planId: z.string(),
  kind: z.string(),
  title: z.string(),
  state: JobStateSchema,
  /** Plain-language reason for failed/cancelled jobs. */
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  steps: z.array(JobStepViewSchema),
  /** Result summary a wizard shows after success (verification results, ids). */
  result: z.unknown().optional(),
  /** The read-back after apply: null until it ran. */
  verification: z.object({ ok: z.boolean(), reason: z.string().nullable(), found: z.unknown().optional() }).nullable(),
  /** What a failed rollback left behind, per server, in words. */
  leftover: z.array(z.string()),
  /** A rollback job points at the job it rolled back. */
  parentJobId: z.string().nullable(),
  /** Whether a rollback or resume plan can be built (interrupted, rollback-failed, verification-failed). */
  recoverable: z.boolean(),
});
export type JobView = z.infer<typeof JobViewSchema>;
