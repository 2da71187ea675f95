// Day-2 actions on targets: the detail view, the plans of the detail page and the list (LUN resize,
// remove, read-only; CHAP add/rotate/remove; sessions; alias/comment; adopt; portals; bulk), the
// record of which plans touched which target (for "jobs that touched this target") and the
// once-only reveal of a CHAP secret main generated.
import { PorticoError } from '../../../shared/contract-kit';
import type { PlanView } from '../../../shared/plan';
import type { ChapRevealView, PortalsView, TargetDetailView } from '../../../shared/features/targets';
import type {
  AdoptSpec, BulkSpec, ChapActionSpec, LunReadonlySpec, LunRemoveSpec, LunResizeSpec, PortalActionSpec, RenameSpec, SessionCloseSpec, TargetRef,
} from '../../../shared/domain/target-actions';
import { migrateFeature, type Db } from '../db';
import type { PlanRegistry } from '../jobs/registry';
import type { JobRunner } from '../jobs/runner';
import type { SecretStore } from '../secrets';
import type { TargetService } from './target-service';

const notYet = (what: string): never => {
  throw new PorticoError('not-implemented', `${what} is not implemented yet.`);
};

export class TargetActions {
  constructor(
    private readonly db: Db,
    private readonly targets: TargetService,
    private readonly plans: PlanRegistry,
    private readonly secrets: SecretStore,
    private readonly jobs: JobRunner,
  ) {
    migrateFeature(db, 'targets', [
      // Which targets a plan touches: the detail page lists the jobs of those plans.
      `CREATE TABLE target_plans (plan_id TEXT NOT NULL, server_id TEXT NOT NULL, iqn TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (plan_id, iqn));
       CREATE INDEX target_plans_by_target ON target_plans (server_id, iqn);`,
    ]);
  }

  /** Registers which targets a plan touches, then hands the plan view on. */
  async track(serverId: string, iqns: readonly string[], p: Promise<PlanView>): Promise<PlanView> {
    const view = await p;
    const ins = this.db.prepare('INSERT OR IGNORE INTO target_plans (plan_id, server_id, iqn, created_at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const iqn of iqns) ins.run(view.id, serverId, iqn, view.createdAt);
    })();
    return view;
  }

  detail(_r: TargetRef): Promise<TargetDetailView> {
    return notYet('targets.detail');
  }
  planLunResize(_i: LunResizeSpec): Promise<PlanView> {
    return notYet('Resizing a LUN');
  }
  planLunRemove(_i: LunRemoveSpec): Promise<PlanView> {
    return notYet('Removing a LUN');
  }
  planLunReadonly(_i: LunReadonlySpec): Promise<PlanView> {
    return notYet('Read-only LUNs');
  }
  planChap(_i: ChapActionSpec): Promise<PlanView> {
    return notYet('CHAP on an existing target');
  }
  chapReveal(_jobId: string): ChapRevealView {
    return notYet('Showing a generated CHAP secret');
  }
  planSessionClose(_i: SessionCloseSpec): Promise<PlanView> {
    return notYet('Closing sessions');
  }
  planRename(_i: RenameSpec): Promise<PlanView> {
    return notYet('Alias and comment');
  }
  planAdopt(_i: AdoptSpec): Promise<PlanView> {
    return notYet('Adopting targets');
  }
  portals(_serverId: string): Promise<PortalsView> {
    return notYet('Portals');
  }
  planPortal(_i: PortalActionSpec): Promise<PlanView> {
    return notYet('Changing portals');
  }
  planBulk(_i: BulkSpec): Promise<PlanView> {
    return notYet('Bulk plans');
  }
}
