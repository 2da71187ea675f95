// Drift between what tgtd runs and the conf.d files that rebuild it after a restart.
// The files Portico writes are the intended state; a fix brings the running target to the file
// with plain tgtadm changes (never tgt-admin --update, which skips in-use targets or tears them down).
import type { TargetView } from '../../../../shared/features/targets';
import type { TargetState, ConfFile } from './driver';
import type { LunParams, TargetOp } from './target-op';
import { ConfError, isManagedConf, parseTargetConf, type DesiredTarget } from './conf';
import type { TgtTarget } from './parser';

export type DriftStatus = TargetView['persisted'];

export interface DriftItem {
  message: string;
  /** tgtadm changes that make the running target match the file (empty: nothing automatic). */
  fix: TargetOp[];
  /** Why the fix is not offered automatically, e.g. initiators are connected to a LUN it would drop. */
  blocked?: string;
}

export interface TargetDrift {
  iqn: string;
  tid: number | null;
  file: string | null;
  managed: boolean;
  status: DriftStatus;
  items: DriftItem[];
  /** The file's definition of the target (absent for a target no file defines). */
  desired?: DesiredTarget;
}

export interface DriftReport {
  targets: TargetDrift[];
  /** Files that could not be read as target definitions. */
  fileErrors: { file: string; error: string }[];
}

/** Ops that create `d` as tid `tid` on a daemon that already has `accounts`. */
export function opsForDesired(d: DesiredTarget, tid: number, accounts: readonly string[]): TargetOp[] {
  const ops: TargetOp[] = [{ op: 'target-new', tid, iqn: d.iqn }];
  for (const l of [...d.luns].sort((a, b) => a.lun - b.lun)) ops.push(...lunOps(tid, l));
  for (const a of d.addresses) ops.push({ op: 'bind-address', tid, address: a });
  for (const n of d.names) ops.push({ op: 'bind-name', tid, name: n });
  ops.push(...accountOps(d, tid, accounts));
  return ops;
}

export function lunOps(tid: number, l: DesiredTarget['luns'][number]): TargetOp[] {
  return [
    { op: 'lun-new', tid, lun: l.lun, path: l.path },
    {
      op: 'lun-params', tid, lun: l.lun,
      params: { scsi_id: l.scsiId, scsi_sn: l.scsiSn, readonly: l.readonly ? 1 : 0, ...(l.vendorId ? { vendor_id: l.vendorId } : {}), ...(l.productId ? { product_id: l.productId } : {}) },
      // Set right after the lun-new above: undone by deleting the LUN.
      pre: null,
    },
  ];
}

/** A running LUN's parameters as tgtadm sets them (the pre-state of an update or a delete). */
export function liveLunParams(l: TgtTarget['luns'][number]): LunParams {
  return { scsi_id: l.scsiId, scsi_sn: l.scsiSn, readonly: l.readonly ? 1 : 0 };
}

/** lun-delete carrying what re-creates the LUN as it runs. */
export function lunDelete(tid: number, l: TgtTarget['luns'][number]): TargetOp {
  return { op: 'lun-delete', tid, lun: l.lun, pre: { path: l.path ?? '', params: liveLunParams(l) } };
}

export function accountOps(d: Pick<DesiredTarget, 'incoming' | 'outgoing'>, tid: number, accounts: readonly string[]): TargetOp[] {
  const ops: TargetOp[] = [];
  const all = [...d.incoming.map((a) => ({ ...a, outgoing: false })), ...(d.outgoing ? [{ ...d.outgoing, outgoing: true }] : [])];
  for (const a of all) {
    if (!accounts.includes(a.user)) ops.push({ op: 'account-new', user: a.user, password: a.password });
    ops.push({ op: 'account-bind', tid, user: a.user, outgoing: a.outgoing });
  }
  return ops;
}

/** Running target -> the DesiredTarget shape (no passwords: show never prints them). */
export function desiredFromLive(t: TgtTarget, name: string): DesiredTarget {
  return {
    iqn: t.iqn,
    name,
    luns: t.luns.filter((l) => l.lun > 0).map((l) => ({ lun: l.lun, path: l.path ?? '', scsiId: l.scsiId, scsiSn: l.scsiSn, readonly: l.readonly })),
    addresses: [...t.aclAddresses],
    names: [...t.aclNames],
    incoming: t.accounts.filter((a) => !a.outgoing).map((a) => ({ user: a.user, password: '' })),
    outgoing: t.accounts.filter((a) => a.outgoing).map((a) => ({ user: a.user, password: '' }))[0],
  };
}

/** Differences of one running target against its file, with fixes. */
export function compareTarget(d: DesiredTarget, t: TgtTarget, accounts: readonly string[]): DriftItem[] {
  const items: DriftItem[] = [];
  const tid = t.tid;
  const inUse = t.sessions.length ? `initiators are connected (${t.sessions.map((s) => s.initiator).join(', ')}); removing or replacing a LUN under them loses their I/O` : undefined;
  for (const l of d.luns) {
    const live = t.luns.find((x) => x.lun === l.lun);
    if (!live) {
      items.push({ message: `LUN ${l.lun} (${l.path}) is in the file but not running`, fix: lunOps(tid, l) });
      continue;
    }
    if (live.path !== l.path) {
      items.push({ message: `LUN ${l.lun} runs from ${live.path} but the file says ${l.path}`, fix: [lunDelete(tid, live), ...lunOps(tid, l)], blocked: inUse });
      continue;
    }
    const params: LunParams = {};
    const pre: LunParams = {};
    if (live.scsiId !== l.scsiId) { params.scsi_id = l.scsiId; pre.scsi_id = live.scsiId; }
    if (live.scsiSn !== l.scsiSn) { params.scsi_sn = l.scsiSn; pre.scsi_sn = live.scsiSn; }
    if (live.readonly !== l.readonly) { params.readonly = l.readonly ? 1 : 0; pre.readonly = live.readonly ? 1 : 0; }
    if (Object.keys(params).length) {
      items.push({
        message: `LUN ${l.lun} differs: ${Object.entries(params).map(([k, v]) => `${k} should be ${v}`).join(', ')}`,
        fix: [{ op: 'lun-params', tid, lun: l.lun, params, pre }],
      });
    }
  }
  for (const live of t.luns) {
    if (live.lun > 0 && !d.luns.some((l) => l.lun === live.lun)) {
      items.push({ message: `LUN ${live.lun} (${live.path}) is running but not in the file`, fix: [lunDelete(tid, live)], blocked: inUse });
    }
  }
  const setDiff = (want: string[], have: string[]) => ({ missing: want.filter((x) => !have.includes(x)), extra: have.filter((x) => !want.includes(x)) });
  const a = setDiff(d.addresses, t.aclAddresses);
  for (const x of a.missing) items.push({ message: `address rule ${x} is in the file but not running`, fix: [{ op: 'bind-address', tid, address: x }] });
  for (const x of a.extra) items.push({ message: `address rule ${x} is running but not in the file${x === 'ALL' ? ' (the target is open to every initiator)' : ''}`, fix: [{ op: 'unbind-address', tid, address: x }] });
  const n = setDiff(d.names, t.aclNames);
  for (const x of n.missing) items.push({ message: `initiator rule ${x} is in the file but not running`, fix: [{ op: 'bind-name', tid, name: x }] });
  for (const x of n.extra) items.push({ message: `initiator rule ${x} is running but not in the file`, fix: [{ op: 'unbind-name', tid, name: x }] });
  const want = [...d.incoming.map((x) => ({ ...x, outgoing: false })), ...(d.outgoing ? [{ ...d.outgoing, outgoing: true }] : [])];
  for (const w of want) {
    if (!t.accounts.some((x) => x.user === w.user && x.outgoing === w.outgoing)) {
      const fix: TargetOp[] = [];
      if (!accounts.includes(w.user)) fix.push({ op: 'account-new', user: w.user, password: w.password });
      fix.push({ op: 'account-bind', tid, user: w.user, outgoing: w.outgoing });
      items.push({ message: `CHAP ${w.outgoing ? 'mutual ' : ''}account ${w.user} is in the file but not bound`, fix });
    }
  }
  for (const h of t.accounts) {
    if (!want.some((w) => w.user === h.user && w.outgoing === h.outgoing)) {
      items.push({ message: `CHAP ${h.outgoing ? 'mutual ' : ''}account ${h.user} is bound but not in the file`, fix: [{ op: 'account-unbind', tid, user: h.user, outgoing: h.outgoing }] });
    }
  }
  return items;
}

/** Parses all conf files and compares them with the running state. */
export function computeDrift(state: TargetState, files: readonly ConfFile[]): DriftReport {
  const report: DriftReport = { targets: [], fileErrors: [] };
  const seen = new Set<string>();
  const liveByIqn = new Map(state.targets.map((t) => [t.iqn, t]));
  const nextTid = () => Math.max(0, ...state.targets.map((t) => t.tid), ...report.targets.map((t) => t.tid ?? 0)) + 1;
  for (const f of files) {
    let defs: DesiredTarget[];
    try {
      defs = parseTargetConf(f.text, f.path);
    } catch (e) {
      report.fileErrors.push({ file: f.path, error: e instanceof ConfError ? e.message : String(e) });
      continue;
    }
    const managed = isManagedConf(f.text);
    for (const d of defs) {
      seen.add(d.iqn);
      const live = liveByIqn.get(d.iqn);
      if (!live) {
        const tid = nextTid();
        report.targets.push({
          iqn: d.iqn, tid, file: f.path, managed, status: 'not-running', desired: d,
          items: [{ message: `target ${d.iqn} is in ${f.path} but not running (tgtd restarted, or it was deleted by hand)`, fix: opsForDesired(d, tid, state.accounts) }],
        });
        continue;
      }
      const items = compareTarget(d, live, state.accounts);
      report.targets.push({ iqn: d.iqn, tid: live.tid, file: f.path, managed, status: items.length ? 'drift' : 'in-sync', items, desired: d });
    }
  }
  for (const t of state.targets) {
    if (seen.has(t.iqn)) continue;
    report.targets.push({
      iqn: t.iqn, tid: t.tid, file: null, managed: false, status: 'not-persisted',
      items: [{ message: `target ${t.iqn} runs but no conf file defines it: it disappears when tgtd restarts`, fix: [], blocked: 'Portico does not know its CHAP secrets or intent; recreate it with the wizard or write a conf file' }],
    });
  }
  return report;
}
