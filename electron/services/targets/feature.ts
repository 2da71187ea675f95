// The Targets feature: live view and detail, settings, and the plans of every target action (tgt today).
import type { targetsCalls } from '../../../shared/features/targets';
import type { CoreDeps, Feature } from '../feature';
import { TargetService } from './target-service';
import { TargetActions } from './target-actions';

export function targetsFeature({ db, hostRepo, pool, plans, kinds, usage, secrets, jobs }: CoreDeps): Feature<typeof targetsCalls> {
  const targets = new TargetService(db, hostRepo, pool, plans, usage);
  targets.registerKinds(kinds);
  const actions = new TargetActions(db, targets, plans, secrets, jobs);
  return {
    handlers: {
      'targets.view': ({ serverId }) => targets.view(serverId),
      'targets.settings': ({ serverId, storageDir, baseIqn }) => targets.setSettings(serverId, { storageDir, baseIqn }),
      'targets.planCreate': (i) => actions.track(i.serverId, [i.iqn], targets.planCreate(i)),
      'targets.planLunAdd': (i) => actions.track(i.serverId, [i.iqn], targets.planLunAdd(i)),
      'targets.planAccess': (i) => actions.track(i.serverId, [i.iqn], targets.planAccessEdit(i)),
      'targets.planDelete': (i) => actions.track(i.serverId, [i.iqn], targets.planDelete(i)),
      'targets.planReconcile': (i) => targets.planReconcile(i),
      'targets.detail': (i) => actions.detail(i),
      'targets.planLunResize': (i) => actions.planLunResize(i),
      'targets.planLunRemove': (i) => actions.planLunRemove(i),
      'targets.planLunReadonly': (i) => actions.planLunReadonly(i),
      'targets.planChap': (i) => actions.planChap(i),
      'targets.chapReveal': (i) => actions.chapReveal(i.jobId),
      'targets.planSessionClose': (i) => actions.planSessionClose(i),
      'targets.planRename': (i) => actions.planRename(i),
      'targets.planAdopt': (i) => actions.planAdopt(i),
      'targets.portals': (i) => actions.portals(i.serverId),
      'targets.planPortal': (i) => actions.planPortal(i),
      'targets.planBulk': (i) => actions.planBulk(i),
    },
    close: async () => actions.close(),
  };
}
