// The Dashboard feature: the dashboard (the storage estate at a glance, warnings computed in main) and the first-time setup assistant's progress.
import type { dashboardCalls } from '../../../shared/features/dashboard';
import type { CoreDeps, Feature } from '../feature';
import { TargetService } from '../targets/target-service';
import { readOverview } from './overview';
import { SetupStore } from './setup-store';
import { ThresholdStore } from './thresholds';

export function dashboardFeature({ db, hostRepo, pool, plans, paths, jobs }: CoreDeps): Feature<typeof dashboardCalls> {
  const thresholds = new ThresholdStore(db);
  const setup = new SetupStore(db);
  // Read-only use of the targets' service (view, settings, driver); its kinds are registered by the targets feature.
  const targets = new TargetService(db, hostRepo, pool, plans);
  const deps = { hostRepo, pool, targets, paths, jobs, thresholds };
  return {
    handlers: {
      'dashboard.overview': () => readOverview(deps),
      'dashboard.warnings': async () => (await readOverview(deps)).warnings,
      'dashboard.thresholds': ({ serverId }) => (hostRepo.get(serverId), thresholds.get(serverId)),
      'dashboard.setThresholds': ({ serverId, overcommitPct, minFreePct }) => (hostRepo.get(serverId), thresholds.set(serverId, { overcommitPct, minFreePct })),
      'setup.storageSpace': async ({ serverId, storageDir }) => {
        const s = await targets.driver(serverId).space(storageDir);
        return { exists: s.exists, measuredAt: s.measuredAt, filesystem: s.filesystem, availBytes: s.availBytes, sizeBytes: s.sizeBytes };
      },
      'setup.get': () => setup.get(),
      'setup.save': (p) => setup.save(p),
      'setup.reset': () => setup.reset(),
    },
  };
}
