// What the renderer sees of plans and jobs. Main builds plans; the renderer only shows them and
// asks main to apply one by id. Commands here are already masked (secrets as ******).
import { z } from 'zod';

export const MASK = '******';

export const PlanStepViewSchema = z.object({
  index: z.number().int(),
  title: z.string(),
  command: z.string(),
  undo: z.string().nullable(),
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
  /** Extra outputs a plan produces (conf file text, answer file), masked. */
  artifacts: z.array(z.object({ name: z.string(), content: z.string() })),
});
export type PlanView = z.infer<typeof PlanViewSchema>;

export const StepStateSchema = z.enum(['pending', 'running', 'done', 'failed', 'undoing', 'undone', 'undo-failed', 'skipped']);
export type StepState = z.infer<typeof StepStateSchema>;

export const JobStateSchema = z.enum(['running', 'succeeded', 'failed', 'cancelled']);
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
});
export type JobView = z.infer<typeof JobViewSchema>;
