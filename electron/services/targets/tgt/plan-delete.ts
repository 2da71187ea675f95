// Plan: delete a target (refused while initiators are connected unless forced with the list of
// who is), its accounts, its conf file and .prev, and on explicit request its backing files.
import { PorticoError } from '../../../../shared/contract-kit';
import { formatSize } from '../../../../shared/domain/target';
import type { Operation, Plan, PlanStep } from '../../jobs/operation';
import { fingerprint, NOT_IN_USE, TARGET_GONE, TARGET_STATE } from './checks';
import { isManagedConf } from './conf';
import { desiredFromLive, liveLunParams } from './drift';
import { BACKING_REMOVE, SESSION_CLOSE, SESSIONS_GONE, tgtadmOp } from './ops';
import type { TargetOp } from './target-op';
import { confOps, confUnchanged, findConf, lockKeys, prevPathOf, readServer, refuse, refuseIfUsed, secretsOf, type TargetDeleteSpec, type TgtServerContext } from './plan-common';

/** How long a forced delete waits for the closed sessions to end (commands in flight finish first). */
export const SESSIONS_GONE_TIMEOUT_MS = 30_000;

export interface ConnectedInitiator {
  initiator: string;
  addresses: string[];
}

export async function planTargetDelete(ctx: TgtServerContext, a: TargetDeleteSpec): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const { state, confs } = await readServer(d);
  const live = state.targets.find((t) => t.iqn === a.iqn);
  if (!live) refuse([`IQN: ${a.iqn} does not run on ${d.label}`], 'iqn');
  const found = findConf(confs, a.iqn);
  if (found && !isManagedConf(found.file.text)) refuse([`IQN: ${a.iqn} is defined in ${found.file.path}, which Portico did not write; remove it there`], 'iqn');
  await refuseIfUsed(ctx, { serverId: ctx.serverId, iqn: a.iqn }, 'iqn');
  const desired = found?.desired ?? desiredFromLive(live, '');
  // tgt deletes targets (and LUNs) under connected initiators with --force: we check ourselves.
  const connected: ConnectedInitiator[] = live.sessions.map((s) => ({ initiator: s.initiator, addresses: s.connections.map((c) => c.address) }));
  if (connected.length) {
    const seen = [...new Set(connected.map((c) => c.initiator))].sort();
    const confirmed = [...new Set(a.confirmedSessions ?? [])].sort();
    if (!a.force) {
      throw new PorticoError('target-in-use', `${a.iqn} has ${connected.length} connected session(s): ${connected.map((c) => `${c.initiator} from ${c.addresses.join(', ')}`).join('; ')}. Disconnect them, or force the delete after checking who is connected.`, 'force', { connected });
    }
    if (JSON.stringify(seen) !== JSON.stringify(confirmed)) {
      throw new PorticoError('target-in-use', `The connected initiators are now ${seen.join(', ')}; confirm the forced delete again with this list.`, 'confirmedSessions', { connected });
    }
  }
  const tid = live.tid;
  const warnings: string[] = [];
  const fileLuns = desired.luns.filter((l) => l.path.startsWith(d.storageDir + '/'));
  const confPath = found?.file.path ?? null;
  const [stats, files] = await Promise.all([d.stat(fileLuns.map((f) => f.path)), confPath ? d.readFileStates([confPath, prevPathOf(confPath)]) : Promise.resolve(null)]);
  // Forcing lowers protection (their disks vanish under them): a danger the admin confirms, never a mere note.
  const dangers = connected.length ? [`Forced delete: the sessions of ${connected.map((c) => `${c.initiator} (${c.addresses.join(', ')})`).join(', ')} are torn down; their disks vanish and their I/O fails.`] : [];
  // Accounts used only by this target go with it; their secrets come back from the file on undo.
  const own = live.accounts.map((x) => x.user).filter((u) => !state.targets.some((t) => t.tid !== tid && t.accounts.some((q) => q.user === u)));
  const secretOf = (u: string) => [...desired.incoming, ...(desired.outgoing ? [desired.outgoing] : [])].find((x) => x.user === u)?.password;
  const delAccounts = own.filter((u) => secretOf(u));
  // The undo rebuilds the target as it runs now: LUNs with their ids, rules, bound accounts.
  const rebuild = {
    luns: live.luns.filter((l) => l.lun > 0 && l.path).map((l) => ({ lun: l.lun, path: l.path!, params: liveLunParams(l) })),
    addresses: [...live.aclAddresses],
    names: [...live.aclNames],
    accounts: live.accounts.map((x) => ({ user: x.user, outgoing: x.outgoing })),
  };
  // Forcing under I/O: tgtd's own --force deletes LUN after LUN and stops at the first with commands in
  // flight ("this logical unit is still active"), leaving a half-deleted target. So: refuse new
  // logins (an initiator dropped logs in again at once), close every connection of every I_T
  // nexus, wait until tgtd lists none, then delete without --force (tgtd refuses if one is back).
  // The closes come last before the delete: nothing before them can fail after they ran.
  const sessionOps: Operation[] = connected.length
    ? [
        tgtadmOp(host, { op: 'target-state', tid, state: 'offline', pre: live.state === 'offline' ? 'offline' : 'ready' }),
        ...live.sessions.flatMap((s) => s.connections.map((c): Operation => ({
          kind: SESSION_CLOSE, host, params: { op: 'conn-delete', tid, sid: s.nexus, cid: c.cid, initiator: s.initiator, address: c.address || null },
        }))),
        { kind: SESSIONS_GONE, host, params: { tid, iqn: a.iqn, timeoutMs: ctx.sessionsGoneTimeoutMs ?? SESSIONS_GONE_TIMEOUT_MS } },
      ]
    : [];
  const ops: TargetOp[] = [
    { op: 'target-delete', tid, iqn: a.iqn, force: false, rebuild },
    ...delAccounts.map((user): TargetOp => ({ op: 'account-delete', user, password: secretOf(user)! })),
  ];
  const steps: PlanStep[] = [];
  if (connected.length) {
    steps.push({ title: `Refuse new logins to ${a.iqn} and close the ${live.sessions.length} session(s) of ${[...new Set(connected.map((c) => c.initiator))].join(', ')}; wait until tgtd lists none`, ops: sessionOps });
  }
  steps.push({ title: `Delete target ${a.iqn} (tid ${tid})`, ops: ops.map((o) => tgtadmOp(host, o)) });
  if (confPath && files) {
    const hasPrev = files.get(prevPathOf(confPath))?.content != null;
    steps.push({ title: `Remove ${confPath}${hasPrev ? ` and ${prevPathOf(confPath)}` : ''}`, ops: confOps(host, confPath, null, files, { secrets: false, keepPrevious: false }) });
  }
  const removable = stats.filter((s) => s.exists && s.kind === 'file');
  if (a.deleteBackingFiles && removable.length) {
    // Irreversible, so last.
    steps.push({
      title: `Delete ${removable.length} backing file(s), ${formatSize(removable.reduce((n, s) => n + s.allocated, 0))} allocated`,
      ops: removable.map((s) => ({ kind: BACKING_REMOVE, host, params: { path: s.path, data: true } })),
    });
    warnings.push(`Backing files are deleted for good: ${removable.map((s) => `${s.path} (${formatSize(s.size)} apparent, ${formatSize(s.allocated)} allocated)`).join(', ')}.`);
  }
  return {
    kind: 'tgt.target.delete',
    title: `Delete target ${a.iqn} on ${d.label}`,
    hostIds: [host],
    lockKeys: lockKeys(ctx),
    steps,
    warnings,
    dangers,
    artifacts: [],
    secrets: secretsOf(desired),
    fresh: [
      { kind: TARGET_STATE, host, params: { iqn: a.iqn, expect: fingerprint(live, true), sessions: true, freeTid: null } },
      ...(confPath && files ? [confUnchanged(host, confPath, files)] : []),
      ...(ctx.usage ? [{ kind: NOT_IN_USE, host, params: { iqn: a.iqn, lun: null } }] : []),
    ],
    verify: [{ kind: TARGET_GONE, host, params: { iqn: a.iqn, confPath, backingFilesDeleted: a.deleteBackingFiles ? removable.map((s) => s.path) : [] } }],
  };
}

/** Backing files and their sizes, for the delete dialog's separate "also delete files" choice. */
export async function backingFilesOf(ctx: TgtServerContext, iqn: string) {
  const d = ctx.driver;
  const st = await d.readState();
  const t = st.targets.find((x) => x.iqn === iqn);
  if (!t) return [];
  const paths = t.luns.map((l) => l.path).filter((p): p is string => !!p && p.startsWith(d.storageDir + '/'));
  return (await d.stat(paths)).filter((s) => s.exists);
}
