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
import type { Plan } from '../jobs/operation';
import { readTargetDetail } from './tgt/detail';
import { readPortalsView } from './tgt/portals';
import { planAdopt, planBulk, planChap, planLunReadonly, planLunRemove, planLunResize, planPortal, planRename, planSessionClose } from './tgt/planner';

const revealKey = (planId: string) => `targets.chap-reveal:${planId}`;

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
      // A CHAP secret main generated, shown once after its job succeeded: the secret itself is in the SecretStore.
      `CREATE TABLE chap_reveals (plan_id TEXT PRIMARY KEY, server_id TEXT NOT NULL, iqn TEXT NOT NULL, user TEXT NOT NULL, mutual INTEGER NOT NULL, created_at TEXT NOT NULL, revealed_at TEXT);`,
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
    if (generated) {
      this.secrets.set(revealKey(view.id), generated.secret);
      this.db.prepare('INSERT INTO chap_reveals (plan_id, server_id, iqn, user, mutual, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(view.id, i.serverId, i.iqn, generated.user, generated.mutual ? 1 : 0, view.createdAt);
    }
    return view;
  }

  /**
   * The generated secret of a CHAP add/rotate job, exactly once and only after the job succeeded
   * (before that the secret is not in use; after it, it is forgotten here: tgtd and the 0600 conf
   * file on the server hold it).
   */
  chapReveal(jobId: string): ChapRevealView {
    const job = this.jobs.get(jobId);
    const row = this.db.prepare('SELECT plan_id, iqn, user, mutual, revealed_at FROM chap_reveals WHERE plan_id = ?').get(job.planId) as
      { plan_id: string; iqn: string; user: string; mutual: number; revealed_at: string | null } | undefined;
    if (!row) throw new PorticoError('not-found', 'Job: this job did not generate a CHAP secret (only CHAP add without a typed secret, and rotate, do).', 'jobId');
    if (row.revealed_at) throw new PorticoError('already-revealed', `Job: the secret of ${row.user} was shown once already (${row.revealed_at}) and then forgotten by the console; rotate it again to get a new one.`, 'jobId');
    if (job.state !== 'succeeded') throw new PorticoError('job-not-succeeded', `Job: the job is ${job.state}; the secret is shown only after the job succeeded (until then it is not in use).`, 'jobId');
    const secret = this.secrets.get(revealKey(row.plan_id));
    this.db.prepare('UPDATE chap_reveals SET revealed_at = ? WHERE plan_id = ?').run(new Date().toISOString(), row.plan_id);
    this.secrets.delete(revealKey(row.plan_id));
    if (secret === null) throw new PorticoError('not-found', 'Job: the generated secret is no longer stored; rotate it again to get a new one.', 'jobId');
    return { iqn: row.iqn, user: row.user, mutual: !!row.mutual, secret };
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
