// The once-only reveal of a CHAP secret main generated (CHAP add without a typed secret, rotate).
// The secret waits sealed in the SecretStore until its job succeeded and the admin opened it once.
// Secrets that will never be shown are forgotten rather than kept: the plan was never applied
// (it expired, or the console restarted), the job did not leave the secret in use (failed and
// rolled back, cancelled, rolled back later), or nobody opened it within REVEAL_WINDOW_MS of the
// job's end. The server (tgtd, the 0600 conf file) still holds a secret that is in use.
import { PorticoError } from '../../../shared/contract-kit';
import type { ChapRevealView } from '../../../shared/features/targets';
import type { JobState, JobView } from '../../../shared/plan';
import type { Db } from '../db';
import { PLAN_TTL_MS } from '../jobs/registry';
import type { SecretStore } from '../secrets';

export const REVEAL_WINDOW_MS = 24 * 3600_000;

/** Jobs whose CHAP change is not (or no longer) in effect: their secret is never shown. */
const NOT_IN_USE: readonly JobState[] = ['failed', 'cancelled', 'rolled-back'];
/** Jobs that ended with the change possibly in effect: the secret waits REVEAL_WINDOW_MS. */
const ENDED: readonly JobState[] = ['succeeded', 'verification-failed', 'rollback-failed'];

const revealKey = (planId: string) => `targets.chap-reveal:${planId}`;

/** The migration steps of the reveals table (appended to the targets feature's steps, in order). */
export const CHAP_REVEAL_MIGRATIONS = [
  `CREATE TABLE chap_reveals (plan_id TEXT PRIMARY KEY, server_id TEXT NOT NULL, iqn TEXT NOT NULL, user TEXT NOT NULL, mutual INTEGER NOT NULL, created_at TEXT NOT NULL, revealed_at TEXT);`,
  `ALTER TABLE chap_reveals ADD COLUMN forgotten_at TEXT; ALTER TABLE chap_reveals ADD COLUMN forgotten_why TEXT;`,
];

/** A reveal with the state of its plan's job (none: the plan was never applied). */
const ROWS = 'SELECT r.*, j.state AS job_state, j.finished_at AS job_finished_at FROM chap_reveals r LEFT JOIN jobs j ON j.plan_id = r.plan_id';

interface Row {
  plan_id: string;
  iqn: string;
  user: string;
  mutual: number;
  created_at: string;
  revealed_at: string | null;
  forgotten_at: string | null;
  forgotten_why: string | null;
  job_state: JobState | null;
  job_finished_at: string | null;
}

export class ChapReveals {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
    private readonly job: (jobId: string) => JobView,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps a generated secret for its one reveal after the plan's job succeeds. */
  record(planId: string, at: { serverId: string; iqn: string; createdAt: string }, generated: { user: string; secret: string; mutual?: boolean }): void {
    this.secrets.set(revealKey(planId), generated.secret);
    this.db.prepare('INSERT INTO chap_reveals (plan_id, server_id, iqn, user, mutual, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(planId, at.serverId, at.iqn, generated.user, generated.mutual ? 1 : 0, at.createdAt);
  }

  /**
   * The generated secret of a CHAP add/rotate job, exactly once and only after the job succeeded
   * (before that the secret is not in use; after it, it is forgotten here).
   */
  reveal(jobId: string): ChapRevealView {
    const job = this.job(jobId);
    this.sweep();
    const row = this.row(job.planId);
    if (!row) throw new PorticoError('not-found', 'Job: this job did not generate a CHAP secret (only CHAP add without a typed secret, and rotate, do).', 'jobId');
    if (row.revealed_at) throw new PorticoError('already-revealed', `Job: the secret of ${row.user} was shown once already (${row.revealed_at}) and then forgotten by the console; rotate it again to get a new one.`, 'jobId');
    if (row.forgotten_at) throw new PorticoError('not-found', `Job: the secret of ${row.user} was forgotten by the console (${row.forgotten_why}); rotate it again to get a new one.`, 'jobId');
    if (job.state !== 'succeeded') throw new PorticoError('job-not-succeeded', `Job: the job is ${job.state}; the secret is shown only after the job succeeded (until then it is not in use).`, 'jobId');
    const secret = this.secrets.get(revealKey(row.plan_id));
    this.db.prepare('UPDATE chap_reveals SET revealed_at = ? WHERE plan_id = ?').run(new Date(this.now()).toISOString(), row.plan_id);
    this.secrets.delete(revealKey(row.plan_id));
    if (secret === null) throw new PorticoError('not-found', 'Job: the generated secret is no longer stored; rotate it again to get a new one.', 'jobId');
    return { iqn: row.iqn, user: row.user, mutual: !!row.mutual, secret };
  }

  /**
   * Forgets every secret that will never be shown; returns how many. `startup`: no plan survives
   * a restart (plans live in memory), so a secret whose plan has no job is forgotten at any age.
   */
  sweep(o: { startup?: boolean } = {}): number {
    const now = this.now();
    const rows = this.db.prepare(`${ROWS} WHERE r.revealed_at IS NULL AND r.forgotten_at IS NULL`).all() as Row[];
    let n = 0;
    for (const r of rows) {
      const why = this.whyForget(r, now, !!o.startup);
      if (!why) continue;
      this.secrets.delete(revealKey(r.plan_id));
      this.db.prepare('UPDATE chap_reveals SET forgotten_at = ?, forgotten_why = ? WHERE plan_id = ?').run(new Date(now).toISOString(), why, r.plan_id);
      n++;
    }
    return n;
  }

  private whyForget(r: Row, now: number, startup: boolean): string | null {
    if (!r.job_state) {
      if (startup) return 'its plan was not applied before the console restarted';
      return Date.parse(r.created_at) + PLAN_TTL_MS < now ? 'its plan expired without being applied' : null;
    }
    if (NOT_IN_USE.includes(r.job_state)) return `its job ${r.job_state === 'failed' ? 'failed and was rolled back' : r.job_state === 'cancelled' ? 'was cancelled' : 'was rolled back'}, so the secret was never left in use`;
    if (ENDED.includes(r.job_state) && r.job_finished_at && Date.parse(r.job_finished_at) + REVEAL_WINDOW_MS < now) {
      return `nobody opened it within ${REVEAL_WINDOW_MS / 3600_000} h of its job's end`;
    }
    return null;
  }

  private row(planId: string): Row | undefined {
    return this.db.prepare(`${ROWS} WHERE r.plan_id = ?`).get(planId) as Row | undefined;
  }
}
