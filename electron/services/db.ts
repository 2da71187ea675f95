// SQLite state with numbered migrations. The servers stay the source of truth for what they hold;
// this file keeps the inventory, plans (as shown for review), jobs, steps and the audit log.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
  // 1: inventory, plans, jobs, audit
  `
  CREATE TABLE groups (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT 'datacenter');
  CREATE TABLE networks (id TEXT PRIMARY KEY, group_id TEXT REFERENCES groups(id) ON DELETE CASCADE, name TEXT NOT NULL, cidr TEXT);
  CREATE TABLE hosts (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, address TEXT NOT NULL, port INTEGER NOT NULL,
    user TEXT NOT NULL, auth_kind TEXT NOT NULL, key_path TEXT, sudo INTEGER NOT NULL DEFAULT 0,
    roles TEXT NOT NULL DEFAULT '[]', group_id TEXT REFERENCES groups(id) ON DELETE SET NULL,
    hostkey_type TEXT, hostkey_fingerprint TEXT, hostkey_blob TEXT, blocked INTEGER NOT NULL DEFAULT 0,
    capabilities TEXT, created_at TEXT NOT NULL
  );
  CREATE TABLE plans (id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, view TEXT NOT NULL, created_at TEXT NOT NULL);
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, state TEXT NOT NULL,
    error TEXT, result TEXT, started_at TEXT NOT NULL, finished_at TEXT
  );
  CREATE TABLE job_steps (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, idx INTEGER NOT NULL, title TEXT NOT NULL,
    command TEXT NOT NULL, state TEXT NOT NULL, message TEXT, log TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, idx)
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    job_id TEXT, detail TEXT NOT NULL
  );
  -- The audit log is append-only: refuse edits and deletes at the database level.
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
  CREATE TABLE secrets (name TEXT PRIMARY KEY, blob TEXT NOT NULL);
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: the write-ahead job journal (operations as data, their intents and outcomes)
  `
  CREATE TABLE job_ops (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, seq INTEGER NOT NULL, phase TEXT NOT NULL,
    step INTEGER NOT NULL, idx INTEGER NOT NULL, op TEXT NOT NULL, state TEXT NOT NULL, output TEXT, error TEXT,
    started_at TEXT NOT NULL, finished_at TEXT,
    PRIMARY KEY (job_id, seq)
  );
  ALTER TABLE jobs ADD COLUMN plan TEXT;
  ALTER TABLE jobs ADD COLUMN parent_job_id TEXT;
  ALTER TABLE jobs ADD COLUMN verification TEXT;
  ALTER TABLE jobs ADD COLUMN leftover TEXT;
  ALTER TABLE job_steps ADD COLUMN ops TEXT;
  `,
];

export function openDb(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL: WAL commits are durable at the next checkpoint; the journal's intents switch to FULL
  // (fsync at commit) so they are on disk before a remote command starts (jobs/journal.ts).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * A feature's own tables, migrated by the feature itself (its feature.ts calls this once): each
 * feature keeps its own numbered list, so features never renumber each other's migrations.
 */
export function migrateFeature(db: Db, feature: string, steps: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS feature_schema (feature TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM feature_schema WHERE feature = ?').get(feature) as { version: number } | undefined;
  for (let v = row?.version ?? 0; v < steps.length; v++) {
    db.transaction(() => {
      db.exec(steps[v]);
      db.prepare('INSERT INTO feature_schema (feature, version) VALUES (?, ?) ON CONFLICT(feature) DO UPDATE SET version = excluded.version').run(feature, v + 1);
    })();
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}
