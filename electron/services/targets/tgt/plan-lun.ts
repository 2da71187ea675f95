// Plans on one LUN of an existing target: grow it (the backing store, then tgtd re-reads the size),
// remove it (refused while in use unless forced after seeing who is connected; the backing store
// only on request), and toggle read-only. Each persists the target's conf file like the others.
import { PorticoError } from '../../../../shared/contract-kit';
import { formatSize } from '../../../../shared/domain/target';
import type { LunReadonlySpec, LunRemoveSpec, LunResizeSpec } from '../../../../shared/domain/target-actions';
import type { Check, Operation, Plan, PlanStep } from '../../jobs/operation';
import { fingerprint, LUN_SIZE, NOT_IN_USE, TARGET_STATE } from './checks';
import { type DesiredLun, type DesiredTarget } from './conf';
import { lunDelete } from './drift';
import { BACKING_REMOVE, BACKING_SIZE, LV_EXTEND, LV_REMOVE, tgtadmOp } from './ops';
import { persistStep, existingTargetPlanBase } from './plan-existing';
import { confUnchanged, loadExisting, refuse, refuseIfUsed, verifyCheck, type Existing, type TgtServerContext } from './plan-common';
import type { TgtLun, TgtTarget } from './parser';
import { tgtShownMB } from './target-op';

/** What initiators must do after a LUN grows: tgtd raises no "capacity changed" unit attention. */
export const RESCAN_NOTE = 'Initiators see the new size only after a rescan: tgtd does not announce it. On Linux hosts: iscsiadm -m session --rescan (then grow the PV or filesystem); oVirt: Storage > Domains > Manage Domain > Refresh LUN size; VMware: rescan the adapter.';

function theLun(ex: Existing, lun: number): { live: TgtLun; conf: DesiredLun } {
  const live = ex.live.luns.find((l) => l.lun === lun);
  const conf = ex.desired.luns.find((l) => l.lun === lun);
  if (!live || !conf) refuse([`LUN: ${ex.live.iqn} has no LUN ${lun}${ex.live.luns.length > 1 ? ` (it has ${ex.live.luns.filter((l) => l.lun > 0).map((l) => l.lun).join(', ')})` : ''}`], 'lun');
  return { live, conf };
}

const withLun = (d: DesiredTarget, l: DesiredLun): DesiredTarget => ({ ...d, luns: d.luns.map((x) => (x.lun === l.lun ? l : x)) });

/** "iqn.x from 192.0.2.21, 192.0.2.22" for every session of a target. */
export function sessionList(t: TgtTarget): string {
  return t.sessions.map((s) => `${s.initiator}${s.connections.length ? ` from ${s.connections.map((c) => c.address).join(', ')}` : ''}`).join('; ');
}

/**
 * Refused while initiators are connected unless forced, and forced only with the exact set of
 * initiators the admin saw (a different set: confirm again).
 */
export function checkForced(live: TgtTarget, what: string, force: boolean, confirmed: readonly string[] | undefined): void {
  if (!live.sessions.length) return;
  const connected = live.sessions.map((s) => ({ initiator: s.initiator, addresses: s.connections.map((c) => c.address) }));
  if (!force) throw new PorticoError('target-in-use', `Force: ${live.iqn} has ${live.sessions.length} connected session(s): ${sessionList(live)}. ${what} removes a disk under them; log them out first, or force it after checking who is connected.`, 'force', { connected });
  const seen = [...new Set(connected.map((c) => c.initiator))].sort();
  const conf = [...new Set(confirmed ?? [])].sort();
  if (JSON.stringify(seen) !== JSON.stringify(conf)) throw new PorticoError('target-in-use', `Confirmed sessions: the connected initiators are now ${seen.join(', ')}; confirm the forced removal again with this list.`, 'confirmedSessions', { connected });
}

export async function planLunResize(ctx: TgtServerContext, a: LunResizeSpec): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const ex = await loadExisting(ctx, a.iqn, false);
  const { live, conf } = theLun(ex, a.lun);
  const path = conf.path;
  const [st] = await d.stat([path]);
  if (!st?.exists) refuse([`LUN: the backing store ${path} of LUN ${a.lun} is missing on ${d.label}`], 'lun');
  const lv = conf.kind === 'lvm' ? /^\/dev\/([^/]+)\/([^/]+)$/.exec(path) : null;
  // A block device keeps its own size: grown on the server, tgtd only needs to re-read it (size = the device's size now).
  if (st.kind === 'block' && !lv && a.size !== st.size) refuse([`Size: LUN ${a.lun} is the block device ${path}, which is ${formatSize(st.size)} now; Portico does not grow devices. Grow it on ${d.label}, then resize the LUN to exactly the device's new size so that tgtd re-reads it.`], 'size');
  if (st.kind !== 'file' && st.kind !== 'block' && !lv) refuse([`Size: ${path} is not a regular file or logical volume; Portico cannot grow it`], 'size');
  if (a.size < st.size) refuse([`Size: ${formatSize(a.size)} is smaller than LUN ${a.lun}'s ${formatSize(st.size)}. LUNs are never shrunk: the initiators' data at the end would be cut off. Create a smaller LUN and copy the data instead.`], 'size');
  if (a.size === st.size && live.sizeBytes === tgtShownMB(st.size) * 1e6) refuse([`Size: LUN ${a.lun} is already ${formatSize(st.size)}; give a larger size`], 'size');
  const grow = a.size - st.size;
  const allocate = conf.kind === 'full' || (conf.kind === undefined && st.allocated >= st.size);
  const warnings = [RESCAN_NOTE];
  if (grow > 0) {
    const space = await d.space(path.slice(0, path.lastIndexOf('/')) || '/');
    if (!lv && allocate && grow > space.availBytes) refuse([`Size: growing by ${formatSize(grow)} needs that much free space but ${space.filesystem.mount} has ${formatSize(space.availBytes)} free on ${d.label}`], 'size');
    if (!lv && !allocate && grow > space.availBytes) warnings.push(`The sparse file may grow by ${formatSize(grow)} but ${space.filesystem.mount} has only ${formatSize(space.availBytes)} free: writes fail when it fills up.`);
  }
  if (ex.live.sessions.length) warnings.push(`tgtd re-opens ${path} to read the new size while ${sessionList(ex.live)} ${ex.live.sessions.length === 1 ? 'is' : 'are'} connected; their sessions stay up.`);
  const tid = ex.live.tid;
  const ops: Operation[] = [];
  if (grow > 0) {
    ops.push(lv
      ? { kind: LV_EXTEND, host, params: { vg: lv[1], lv: lv[2], from: st.size, to: a.size } }
      : { kind: BACKING_SIZE, host, params: { path, from: st.size, to: a.size, allocate, lun: { tid, lun: a.lun } } });
  }
  ops.push(tgtadmOp(host, { op: 'lun-reread', tid, lun: a.lun, path, bytes: a.size }));
  const desired = withLun(ex.desired, { ...conf, sizeBytes: a.size });
  const steps: PlanStep[] = [
    { title: `Grow LUN ${a.lun} of ${a.iqn} from ${formatSize(st.size)} to ${formatSize(a.size)} and make tgtd re-read its size`, ops },
    persistStep(ctx, ex, desired),
  ];
  return {
    ...existingTargetPlanBase(ctx, ex, desired),
    kind: 'tgt.lun.resize',
    title: `Grow LUN ${a.lun} of ${a.iqn} to ${formatSize(a.size)} on ${d.label}`,
    steps,
    warnings,
    dangers: [],
    verify: [verifyCheck(ctx, desired, ex.confPath), { kind: LUN_SIZE, host, params: { iqn: a.iqn, lun: a.lun, path, bytes: a.size, device: st.kind === 'block' } }],
  };
}

export async function planLunRemove(ctx: TgtServerContext, a: LunRemoveSpec): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const ex = await loadExisting(ctx, a.iqn, false);
  const { live, conf } = theLun(ex, a.lun);
  await refuseIfUsed(ctx, { serverId: ctx.serverId, iqn: a.iqn, lun: a.lun }, 'lun');
  checkForced(ex.live, `Removing LUN ${a.lun}`, a.force, a.confirmedSessions);
  const dangers: string[] = [];
  const warnings: string[] = [];
  if (ex.live.sessions.length) dangers.push(`Forced: LUN ${a.lun} disappears under the connected initiators ${sessionList(ex.live)}; their I/O to it fails.`);
  const [st] = await d.stat([conf.path]);
  const lv = conf.kind === 'lvm' ? /^\/dev\/([^/]+)\/([^/]+)$/.exec(conf.path) : null;
  const removeOps: Operation[] = [];
  if (a.deleteBacking) {
    if (lv) removeOps.push({ kind: LV_REMOVE, host, params: { vg: lv[1], lv: lv[2], data: true } });
    else if (st?.kind === 'file' && conf.path.startsWith(d.storageDir + '/')) removeOps.push({ kind: BACKING_REMOVE, host, params: { path: conf.path, data: true } });
    else if (st?.exists) refuse([`Delete backing: ${conf.path} is ${st.kind === 'block' ? 'a block device' : 'outside the storage folder'}; Portico deletes only files in ${d.storageDir} and logical volumes it created. Remove the LUN and keep the backing store.`], 'deleteBacking');
    if (removeOps.length) dangers.push(`The backing store ${conf.path} (${formatSize(st?.size ?? 0)} apparent, ${formatSize(st?.allocated ?? 0)} allocated) is deleted for good: its data cannot be recovered.`);
  } else if (st?.exists) warnings.push(`The backing store ${conf.path} is kept; delete it later on the server if it is no longer needed.`);
  const desired: DesiredTarget = { ...ex.desired, luns: ex.desired.luns.filter((l) => l.lun !== a.lun) };
  const steps: PlanStep[] = [
    { title: `Remove LUN ${a.lun} (${conf.path}) from ${a.iqn} (tid ${ex.live.tid})`, ops: [tgtadmOp(host, lunDelete(ex.live.tid, live))] },
    persistStep(ctx, ex, desired),
  ];
  // Irreversible, so last.
  if (removeOps.length) steps.push({ title: `Delete ${conf.path} for good`, ops: removeOps });
  const fresh: Check[] = [
    { kind: TARGET_STATE, host, params: { iqn: a.iqn, expect: fingerprint(ex.live, true), sessions: true, freeTid: null } },
    confUnchanged(host, ex.confPath, ex.files),
    ...(ctx.usage ? [{ kind: NOT_IN_USE, host, params: { iqn: a.iqn, lun: a.lun } }] : []),
  ];
  return {
    ...existingTargetPlanBase(ctx, ex, desired),
    kind: 'tgt.lun.remove',
    title: `Remove LUN ${a.lun} from ${a.iqn} on ${d.label}`,
    steps,
    warnings,
    dangers,
    fresh,
  };
}

export async function planLunReadonly(ctx: TgtServerContext, a: LunReadonlySpec): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const ex = await loadExisting(ctx, a.iqn, false);
  const { live, conf } = theLun(ex, a.lun);
  if (live.readonly === a.readonly && conf.readonly === a.readonly) refuse([`Read-only: LUN ${a.lun} is already ${a.readonly ? 'read-only' : 'writable'}`], 'readonly');
  const desired = withLun(ex.desired, { ...conf, readonly: a.readonly });
  const warnings: string[] = [];
  if (ex.live.sessions.length) {
    warnings.push(a.readonly
      ? `Connected initiators (${sessionList(ex.live)}) get write errors on LUN ${a.lun} from now on; they learn it is read-only at their next rescan or login.`
      : `Connected initiators (${sessionList(ex.live)}) may keep treating LUN ${a.lun} as read-only until they rescan or log in again.`);
  }
  return {
    ...existingTargetPlanBase(ctx, ex, desired),
    kind: 'tgt.lun.readonly',
    title: `Make LUN ${a.lun} of ${a.iqn} ${a.readonly ? 'read-only' : 'writable'} on ${d.label}`,
    steps: [
      { title: `Set LUN ${a.lun} of ${a.iqn} (tid ${ex.live.tid}) ${a.readonly ? 'read-only' : 'writable'}`, ops: [tgtadmOp(host, { op: 'lun-params', tid: ex.live.tid, lun: a.lun, params: { readonly: a.readonly ? 1 : 0 }, pre: { readonly: live.readonly ? 1 : 0 } })] },
      persistStep(ctx, ex, desired),
    ],
    warnings,
    dangers: [],
  };
}
