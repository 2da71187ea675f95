// The Targets feature: live view, settings and the plans of every target wizard (tgt today).
import type { targetsCalls } from '../../../shared/features/targets';
import type { CoreDeps, Feature } from '../feature';
import { TargetService } from './target-service';

export function targetsFeature({ db, hostRepo, pool, plans, kinds }: CoreDeps): Feature<typeof targetsCalls> {
  const targets = new TargetService(db, hostRepo, pool, plans);
  targets.registerKinds(kinds);
  return {
    handlers: {
      'targets.view': ({ serverId }) => targets.view(serverId),
      'targets.settings': ({ serverId, storageDir, baseIqn }) => targets.setSettings(serverId, { storageDir, baseIqn }),
      'targets.planCreate': (i) => targets.planCreate(i),
      'targets.planLunAdd': (i) => targets.planLunAdd(i),
      'targets.planAccess': (i) => targets.planAccessEdit(i),
      'targets.planDelete': (i) => targets.planDelete(i),
      'targets.planReconcile': (i) => targets.planReconcile(i),
    },
  };
}
