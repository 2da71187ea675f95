// Plan: close chosen sessions of a target (before maintenance), each step naming the initiator.
// tgt closes a session by its connections (tgtadm --mode conn --op delete); initiators usually log
// in again at once, so the review says how to keep one away (remove it from the access rules).
import type { SessionCloseSpec } from '../../../../shared/domain/target-actions';
import type { Operation, Plan, PlanStep } from '../../jobs/operation';
import { SESSIONS_CLOSED } from './checks';
import { SESSION_CLOSE } from './ops';
import { lockKeys, readServer, refuse, type TgtServerContext } from './plan-common';

/** How long the read-back waits for the closed sessions to end. */
export const SESSIONS_CLOSED_TIMEOUT_MS = 15_000;

export async function planSessionClose(ctx: TgtServerContext, a: SessionCloseSpec): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const { state } = await readServer(d);
  const live = state.targets.find((t) => t.iqn === a.iqn);
  if (!live) refuse([`IQN: ${a.iqn} does not run on ${d.label}`], 'iqn');
  const wanted = [...new Set(a.sessions)];
  const missing = wanted.filter((n) => !live.sessions.some((s) => s.nexus === n));
  if (missing.length) {
    refuse([`Sessions: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a session of ${a.iqn} now${live.sessions.length ? ` (its sessions: ${live.sessions.map((s) => `${s.nexus} ${s.initiator}`).join(', ')})` : ' (it has none)'}; reload the detail view`], 'sessions');
  }
  const chosen = live.sessions.filter((s) => wanted.includes(s.nexus));
  const steps: PlanStep[] = chosen.map((s) => ({
    title: `Close session ${s.nexus} of ${s.initiator}${s.connections.length ? ` (from ${s.connections.map((c) => c.address).join(', ')})` : ''} on ${a.iqn}`,
    ops: s.connections.map((c): Operation => ({ kind: SESSION_CLOSE, host, params: { op: 'conn-delete', tid: live.tid, sid: s.nexus, cid: c.cid, initiator: s.initiator, address: c.address || null } })),
  })).filter((s) => s.ops.length);
  if (!steps.length) refuse([`Sessions: the chosen sessions have no connection left to close; they are ending already`], 'sessions');
  const who = [...new Set(chosen.map((s) => s.initiator))];
  return {
    kind: 'tgt.session.close',
    title: `Close ${chosen.length} session(s) of ${who.join(', ')} on ${a.iqn} (${d.label})`,
    hostIds: [host],
    lockKeys: lockKeys(ctx),
    steps,
    warnings: [
      `The sessions of ${who.join(', ')} are cut: their disks on ${a.iqn} stop answering until they log in again.`,
      `Each initiator's I/O to ${a.iqn} fails until it logs in again. open-iscsi and most initiators log in again at once while the access rules admit them: to keep one away during maintenance, remove it from the access rules (or log it out on its host) first.`,
    ],
    dangers: [],
    artifacts: [],
    secrets: [],
    fresh: [],
    verify: [{ kind: SESSIONS_CLOSED, host, params: { iqn: a.iqn, nexuses: chosen.map((s) => s.nexus), timeoutMs: SESSIONS_CLOSED_TIMEOUT_MS } }],
  };
}
