// Day-2 actions on targets: the detail view, the plans of the detail page and the list (LUN resize,
// remove, read-only; CHAP add/rotate/remove; sessions; alias/comment; adopt; portals; bulk), the
// record of which plans touched which target (for "jobs that touched this target") and, through
// ChapReveals, the once-only reveal of a CHAP secret main generated.
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
import type { Plan } from '../jobs/operation';
import { readTargetDetail } from './tgt/detail';
import { readPortalsView } from './tgt/portals';
import { planAdopt, planBulk, planChap, planLunReadonly, planLunRemove, planLunResize, planPortal, planRename, planSessionClose } from './tgt/planner';
import { CHAP_REVEAL_MIGRATIONS, ChapReveals } from './chap-reveals';

/** How often secrets that will never be shown are looked for while the console runs. */
const REVEAL_SWEEP_MS = 10 * 60_000;

export class TargetActions {
  private readonly reveals: ChapReveals;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly targets: TargetService,
    private readonly plans: PlanRegistry,
    secrets: SecretStore,
    jobs: JobRunner,
  ) {
    migrateFeature(db, 'targets', [
      // Which targets a plan touches: the detail page lists the jobs of those plans.
      `CREATE TABLE target_plans (plan_id TEXT NOT NULL, server_id TEXT NOT NULL, iqn TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (plan_id, iqn));
       CREATE INDEX target_plans_by_target ON target_plans (server_id, iqn);`,
      // A CHAP secret main generated, shown once after its job succeeded: the secret itself is in the SecretStore.
      ...CHAP_REVEAL_MIGRATIONS,
    ]);
    this.reveals = new ChapReveals(db, secrets, (id) => jobs.get(id));
    this.reveals.sweep({ startup: true });
    this.sweeper = setInterval(() => this.reveals.sweep(), REVEAL_SWEEP_MS);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
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

  private register(serverId: string, iqns: readonly string[], plan: Promise<Plan>): Promise<PlanView> {
    return this.track(serverId, iqns, plan.then((p) => this.plans.register(p)));
  }

  async detail(r: TargetRef): Promise<TargetDetailView> {
    const base = await readTargetDetail(this.targets.driver(r.serverId), r.serverId, r.iqn);
    const jobs = this.db.prepare(
      `SELECT j.id, j.title, j.state, j.started_at AS startedAt, j.finished_at AS finishedAt FROM target_plans p JOIN jobs j ON j.plan_id = p.plan_id
       WHERE p.server_id = ? AND p.iqn = ? ORDER BY j.started_at DESC LIMIT 50`,
    ).all(r.serverId, r.iqn) as TargetDetailView['jobs'];
    return { ...base, jobs };
  }

  planLunResize(i: LunResizeSpec): Promise<PlanView> {
    return this.register(i.serverId, [i.iqn], planLunResize(this.targets.ctx(i.serverId), i));
  }
  planLunRemove(i: LunRemoveSpec): Promise<PlanView> {
    return this.register(i.serverId, [i.iqn], planLunRemove(this.targets.ctx(i.serverId), i));
  }
  planLunReadonly(i: LunReadonlySpec): Promise<PlanView> {
    return this.register(i.serverId, [i.iqn], planLunReadonly(this.targets.ctx(i.serverId), i));
  }

  async planChap(i: ChapActionSpec): Promise<PlanView> {
    const { plan, generated } = await planChap(this.targets.ctx(i.serverId), i);
    const view = await this.track(i.serverId, [i.iqn], Promise.resolve(this.plans.register(plan)));
    if (generated) this.reveals.record(view.id, { serverId: i.serverId, iqn: i.iqn, createdAt: view.createdAt }, generated);
    return view;
  }

  /** The generated secret of a CHAP add/rotate job, exactly once and only after the job succeeded. */
  chapReveal(jobId: string): ChapRevealView {
    return this.reveals.reveal(jobId);
  }

  planSessionClose(i: SessionCloseSpec): Promise<PlanView> {
    return this.register(i.serverId, [i.iqn], planSessionClose(this.targets.ctx(i.serverId), i));
  }
  planRename(i: RenameSpec): Promise<PlanView> {
    return this.register(i.serverId, [i.iqn], planRename(this.targets.ctx(i.serverId), i));
  }
  planAdopt(i: AdoptSpec): Promise<PlanView> {
    return this.register(i.serverId, i.iqns, planAdopt(this.targets.ctx(i.serverId), i));
  }
  portals(serverId: string): Promise<PortalsView> {
    return readPortalsView(this.targets.driver(serverId));
  }
  planPortal(i: PortalActionSpec): Promise<PlanView> {
    return this.register(i.serverId, [], planPortal(this.targets.ctx(i.serverId), i));
  }
  planBulk(i: BulkSpec): Promise<PlanView> {
    return this.register(i.serverId, i.iqns, planBulk(this.targets.ctx(i.serverId), i));
  }
}
