// Per-server warning thresholds (overcommit %, minimum free %), editable from the dashboard.
import { DEFAULT_THRESHOLDS, type DashboardThresholds } from '../../../shared/features/dashboard';
import { migrateFeature, type Db } from '../db';

export const DASHBOARD_MIGRATIONS = [
  `CREATE TABLE dashboard_thresholds (server_id TEXT PRIMARY KEY, overcommit_pct INTEGER NOT NULL, min_free_pct INTEGER NOT NULL);`,
  `CREATE TABLE setup_progress (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL, updated_at TEXT NOT NULL);`,
];

export class ThresholdStore {
  constructor(private readonly db: Db) {
    migrateFeature(db, 'dashboard', DASHBOARD_MIGRATIONS);
  }

  get(serverId: string): DashboardThresholds {
    const r = this.db.prepare('SELECT overcommit_pct, min_free_pct FROM dashboard_thresholds WHERE server_id = ?').get(serverId) as { overcommit_pct: number; min_free_pct: number } | undefined;
    return r ? { overcommitPct: r.overcommit_pct, minFreePct: r.min_free_pct } : { ...DEFAULT_THRESHOLDS };
  }

  set(serverId: string, t: DashboardThresholds): DashboardThresholds {
    this.db
      .prepare('INSERT INTO dashboard_thresholds (server_id, overcommit_pct, min_free_pct) VALUES (?, ?, ?) ON CONFLICT(server_id) DO UPDATE SET overcommit_pct = excluded.overcommit_pct, min_free_pct = excluded.min_free_pct')
      .run(serverId, t.overcommitPct, t.minFreePct);
    return this.get(serverId);
  }
}
