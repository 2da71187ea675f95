// The latest result of every iSCSI path check, whoever ran it (the portal check, a bond's path
// matrix), kept so the dashboard can summarise path health without re-running the checks.
import type { Db } from './db';
import { migrateFeature } from './db';

export type PathState = 'ok' | 'failed';

export interface PathCell {
  /** Host id the check ran from, or null for the workstation itself. */
  fromHostId: string | null;
  /** "ip:port" of the portal. */
  portal: string;
  /** Target IQN, when the check logged in to one. */
  iqn: string | null;
  /** Logical network name (bond matrices), or null. */
  network: string | null;
  state: PathState;
  /** Why it failed, or what was seen, in words. */
  message: string;
}

export interface PathCheckRecord {
  /** Who ran it: "portal-check" or "bond:<bondId>". */
  source: string;
  at: string;
  cells: PathCell[];
}

const MIGRATIONS = [
  `CREATE TABLE path_checks (source TEXT PRIMARY KEY, at TEXT NOT NULL, cells TEXT NOT NULL);`,
];

export class PathHealthStore {
  constructor(private readonly db: Db) {
    migrateFeature(db, 'path-health', MIGRATIONS);
  }

  /** Replaces the source's previous result with this one. */
  record(source: string, cells: PathCell[], at = new Date().toISOString()): void {
    this.db
      .prepare('INSERT INTO path_checks (source, at, cells) VALUES (?, ?, ?) ON CONFLICT(source) DO UPDATE SET at = excluded.at, cells = excluded.cells')
      .run(source, at, JSON.stringify(cells));
  }

  forget(source: string): void {
    this.db.prepare('DELETE FROM path_checks WHERE source = ?').run(source);
  }

  latest(): PathCheckRecord[] {
    const rows = this.db.prepare('SELECT source, at, cells FROM path_checks ORDER BY at DESC').all() as { source: string; at: string; cells: string }[];
    return rows.map((r) => ({ source: r.source, at: r.at, cells: JSON.parse(r.cells) as PathCell[] }));
  }
}
