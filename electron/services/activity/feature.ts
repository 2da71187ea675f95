// The core "activity" calls: app identity, plans (review, apply, discard), jobs and the audit log.
import type { activityCalls } from '../../../shared/features/activity';
import type { CoreDeps, Feature } from '../feature';

export function activityFeature({ app, secrets, plans, jobs, audit }: CoreDeps): Feature<typeof activityCalls> {
  return {
    handlers: {
      'app.info': () => ({ mode: app.mode, version: app.version, secretBackend: secrets.backend }),
      'plans.get': ({ planId }) => plans.view(planId),
      'plans.apply': async ({ planId, confirmDangers }) => ({ jobId: (await jobs.apply(planId, { confirmDangers })).jobId }),
      'plans.discard': ({ planId }) => ({ discarded: plans.discard(planId) }),
      'jobs.list': ({ limit }) => jobs.list(limit),
      'jobs.get': ({ jobId }) => jobs.get(jobId),
      'jobs.cancel': ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
      'jobs.rollback': ({ jobId }) => jobs.planRollback(jobId),
      'jobs.resume': ({ jobId }) => jobs.planResume(jobId),
      'audit.list': ({ limit }) => audit.list(limit),
    },
  };
}
