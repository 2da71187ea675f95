// The write-ahead job journal. Before an operation touches a server its intent is committed (WAL,
// synchronous=FULL: on disk before the remote command starts); after it, the outcome. Undo
// operations are journaled the same way. After a crash the journal alone says what may have
// happened: intents without an outcome are "in doubt".
import type { Db } from '../db';
import type { Operation } from './operation';

export type OpPhase = 'apply' | 'undo';
/** intent = written before running; in-doubt = interrupted (timeout, cancel, lost connection, crash). */
export type OpState = 'intent' | 'done' | 'failed' | 'in-doubt' | 'not-run' | 'skipped';

export interface JournalEntry {
  seq: number;
  phase: OpPhase;
  step: number;
  /** The operation's number in its plan (0-based, across steps). */
  idx: number;
  /** Sealed operation (secrets as SecretStore refs). */
  op: Operation;
  state: OpState;
  output: unknown;
  error: string | null;
}

interface Row {
  seq: number;
  phase: OpPhase;
  step: number;
  idx: number;
  op: string;
  state: OpState;
  output: string | null;
  error: string | null;
}

export class Journal {
  constructor(private readonly db: Db) {}

  /** Records intents in one durable transaction; returns their sequence numbers. */
  intents(jobId: string, phase: OpPhase, entries: { step: number; idx: number; op: Operation }[]): number[] {
    const next = this.db.prepare('SELECT COALESCE(MAX(seq), -1) + 1 AS n FROM job_ops WHERE job_id = ?');
    const ins = this.db.prepare("INSERT INTO job_ops (job_id, seq, phase, step, idx, op, state, started_at) VALUES (?, ?, ?, ?, ?, ?, 'intent', ?)");
    const now = new Date().toISOString();
    // fsync this commit: the intent must survive a crash of the console or the machine.
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(() => {
        let seq = (next.get(jobId) as { n: number }).n;
        return entries.map((e) => {
          ins.run(jobId, seq, phase, e.step, e.idx, JSON.stringify(e.op), now);
          return seq++;
        });
      })();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** Records outcomes in one transaction. */
  outcomes(jobId: string, list: { seq: number; state: OpState; output?: unknown; error?: string | null }[]): void {
    const up = this.db.prepare('UPDATE job_ops SET state = ?, output = ?, error = ?, finished_at = ? WHERE job_id = ? AND seq = ?');
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const o of list) up.run(o.state, o.output === undefined ? null : JSON.stringify(o.output), o.error ?? null, now, jobId, o.seq);
    })();
  }

  entries(jobId: string): JournalEntry[] {
    const rows = this.db.prepare('SELECT seq, phase, step, idx, op, state, output, error FROM job_ops WHERE job_id = ? ORDER BY seq').all(jobId) as Row[];
    return rows.map((r) => ({ seq: r.seq, phase: r.phase, step: r.step, idx: r.idx, op: JSON.parse(r.op) as Operation, state: r.state, output: r.output === null ? undefined : JSON.parse(r.output), error: r.error }));
  }

  /** At start: every intent without an outcome was interrupted by the crash. */
  markInDoubt(jobId: string): number {
    return this.db.prepare("UPDATE job_ops SET state = 'in-doubt', error = COALESCE(error, 'the console stopped while this operation ran') WHERE job_id = ? AND state = 'intent'").run(jobId).changes;
  }
}
