// Audited read-only calls (the iSCSI logins of a path matrix or a survey) repeat on a timer: a
// matrix refreshed every 5 s would write 17,000 audit rows a day. The audit log stays append-only
// and complete in what it says: the first call of a kind is written at once, identical ones
// (same actor, call, masked input and outcome) within the window are counted, and the count is
// written as one row when the window ends, a different outcome comes, or the console closes.
import type { CallAudit } from './router';

export const REPEAT_WINDOW_MS = 10 * 60_000;

export interface Repeats {
  count: number;
  since: string;
  until: string;
}

interface Pending {
  e: CallAudit;
  first: number;
  last: number;
  count: number;
}

export class AuditRepeats {
  private readonly pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly write: (e: CallAudit, repeats?: Repeats) => void,
    private readonly windowMs = REPEAT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.flush(false), Math.min(60_000, windowMs));
    this.timer.unref();
  }

  record(e: CallAudit): void {
    if (!e.repeatable) return this.write(e);
    const key = JSON.stringify([e.actor, e.call, e.input, e.outcome, e.error?.code ?? null, e.error?.message ?? null]);
    const now = this.now();
    const p = this.pending.get(key);
    if (p && now - p.first < this.windowMs) {
      p.count++;
      p.last = now;
      return;
    }
    if (p) this.writeRepeats(p);
    this.write(e);
    this.pending.set(key, { e, first: now, last: now, count: 0 });
  }

  /** Writes the counts of windows that ended (all of them when `all`, as at close). */
  flush(all = true): void {
    const now = this.now();
    for (const [key, p] of this.pending) {
      if (!all && now - p.first < this.windowMs) continue;
      this.writeRepeats(p);
      this.pending.delete(key);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush(true);
  }

  private writeRepeats(p: Pending): void {
    if (p.count > 0) this.write(p.e, { count: p.count, since: new Date(p.first).toISOString(), until: new Date(p.last).toISOString() });
    p.count = 0;
  }
}

/** The audit row's detail for a call, with its repeats when it stands for several. */
export function callAuditDetail(e: CallAudit, r?: Repeats): string {
  const outcome = e.outcome === 'ok' ? 'ok' : `failed (${e.error!.code}): ${e.error!.message}`;
  return `${e.call} ${e.input} → ${outcome}${r ? `; ${r.count} more identical call(s) between ${r.since} and ${r.until}` : ''}`;
}
