// Append-only audit log. Every text is masked with the known secrets before it is written.
import type { AuditEntry } from '../../shared/features/activity';
import type { Db } from './db';
import { maskSecrets } from './mask';

export class AuditLog {
  constructor(private readonly db: Db) {}

  append(e: { actor: string; action: string; jobId?: string | null; detail: string; secrets?: readonly string[] }): void {
    this.db
      .prepare('INSERT INTO audit (at, actor, action, job_id, detail) VALUES (?, ?, ?, ?, ?)')
      .run(new Date().toISOString(), e.actor, e.action, e.jobId ?? null, maskSecrets(e.detail, e.secrets ?? []));
  }

  list(limit = 200): AuditEntry[] {
    return (this.db.prepare('SELECT id, at, actor, action, job_id, detail FROM audit ORDER BY id DESC LIMIT ?').all(limit) as {
      id: number; at: string; actor: string; action: string; job_id: string | null; detail: string;
    }[]).map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, jobId: r.job_id, detail: r.detail }));
  }
}
