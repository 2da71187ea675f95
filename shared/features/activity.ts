// Contract fragment of the core "activity" calls: the app's identity, plans (review, apply,
// discard), jobs and the audit log. Every feature's plans are applied through these.
import { z } from 'zod';
import { call, event, Id, type CallMap } from '../contract-kit';
import type { JobView, PlanView } from '../plan';

export interface AppInfo {
  mode: 'electron' | 'browser';
  version: string;
  /** How secrets are protected here, in words the UI shows. */
  secretBackend: { kind: string; protected: boolean; note: string };
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  jobId: string | null;
  detail: string;
}

const byPlan = z.object({ planId: Id }).strict();
const byJob = z.object({ jobId: Id }).strict();
const limit = (max: number, dflt: number) => z.object({ limit: z.number().int().min(1).max(max).default(dflt) }).strict();

export const activityCalls = {
  'app.info': call(z.object({}).strict()).returns<AppInfo>(),

  'plans.get': call(byPlan).returns<PlanView>(),
  // confirmDangers: the admin ticked "I understand" for a plan that lowers protection.
  'plans.apply': call(z.object({ planId: Id, confirmDangers: z.boolean().optional() }).strict(), { mutates: true }).returns<{ jobId: string }>(),
  'plans.discard': call(byPlan, { mutates: true }).returns<{ discarded: boolean }>(),

  'jobs.list': call(limit(500, 100)).returns<JobView[]>(),
  'jobs.get': call(byJob).returns<JobView>(),
  'jobs.cancel': call(byJob, { mutates: true }).returns<{ cancelled: boolean }>(),
  // Recovery of interrupted (or half rolled back, or unverified) jobs: each builds an ordinary plan
  // for review; nothing changes until that plan is applied.
  'jobs.rollback': call(byJob).returns<PlanView>(),
  'jobs.resume': call(byJob).returns<PlanView>(),
  'audit.list': call(limit(1000, 200)).returns<AuditEntry[]>(),
} satisfies CallMap;

export const activityEvents = {
  'job.updated': event<JobView>(),
  'job.log': event<{ jobId: string; stepIndex: number; line: string }>(),
};
