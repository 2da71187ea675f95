// Fault injection for the fault-matrix tests (a failpoint, as storage engines have): makes
// operation k of a plan of a given kind fail, lose its SSH connection, or take the whole console
// down with SIGKILL while the operation runs. Off unless PORTICO_FAILPOINTS is set, e.g.
//   PORTICO_FAILPOINTS=tgt.target.create#3=kill
// (plan kind, 1-based operation number across the plan's steps, mode). Never set it in production.

/**
 * fail: operation k is refused without running. cut: its host's SSH connection drops after the
 * operation ran on the server and before its answer arrived (the outcome is in doubt).
 * kill: the console is SIGKILLed after operation k ran on the server but before its outcome is
 * journaled. kill-before: SIGKILLed after the intent is journaled, before the operation starts.
 */
export type FailMode = 'fail' | 'cut' | 'kill' | 'kill-before';

export interface Failpoint {
  planKind: string;
  /** 1-based number of the operation in its plan. */
  op: number;
  mode: FailMode;
}

const RE = /^([a-z0-9.-]+)#(\d+)=(fail|cut|kill|kill-before)$/;

export function parseFailpoints(text: string | undefined): Failpoint[] {
  if (!text) return [];
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = RE.exec(s);
    if (!m) throw new Error(`PORTICO_FAILPOINTS: "${s}" is not PLAN_KIND#N=fail|cut|kill|kill-before`);
    return { planKind: m[1], op: Number(m[2]), mode: m[3] as FailMode };
  });
}

export function failpointFor(points: readonly Failpoint[], planKind: string, opIndex: number): Failpoint | null {
  return points.find((p) => p.planKind === planKind && p.op === opIndex + 1) ?? null;
}
