// The setup assistant's progress: one row, the whole state as JSON (ids, IQNs and words only), so the
// assistant resumes at the step it was on after the console restarts. Its table is migrated with the
// dashboard's (thresholds.ts).
import { emptySetupProgress, SetupProgressSchema, type SetupProgress } from '../../../shared/features/setup';
import { migrateFeature, type Db } from '../db';
import { DASHBOARD_MIGRATIONS } from './thresholds';

export class SetupStore {
  constructor(private readonly db: Db) {
    migrateFeature(db, 'dashboard', DASHBOARD_MIGRATIONS);
  }

  get(): SetupProgress {
    const r = this.db.prepare('SELECT state FROM setup_progress WHERE id = 1').get() as { state: string } | undefined;
    if (!r) return emptySetupProgress();
    // A row written by an older version that no longer parses starts the assistant over rather than failing.
    const parsed = SetupProgressSchema.safeParse(JSON.parse(r.state));
    return parsed.success ? parsed.data : emptySetupProgress();
  }

  save(p: SetupProgress): SetupProgress {
    this.db
      .prepare('INSERT INTO setup_progress (id, state, updated_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at')
      .run(JSON.stringify(p), new Date().toISOString());
    return this.get();
  }

  reset(): SetupProgress {
    this.db.prepare('DELETE FROM setup_progress WHERE id = 1').run();
    return this.get();
  }
}
