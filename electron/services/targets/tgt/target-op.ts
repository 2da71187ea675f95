// The TargetOp vocabulary: one change to a target daemon, as data (a zod schema), with the pre-state
// an undo needs captured at plan time (a deleted target carries what rebuilds it, a deleted account
// its secret, a LUN update its previous parameters). The same vocabulary would drive an LIO driver.
import { z } from 'zod';
import type { TargetState } from './driver';

const Tid = z.number().int().min(1).max(2 ** 31);
const LunNo = z.number().int().min(0).max(16383);
/** Values that go into one tgtadm argv word each (never a shell): no NUL, no newline. */
const Word = z.string().min(1).max(4096).regex(/^[^\0\n]*$/, 'no NUL or newline');

export const LunParamsSchema = z.object({
  scsi_id: z.string().max(64).optional(),
  scsi_sn: z.string().max(64).optional(),
  readonly: z.union([z.literal(0), z.literal(1)]).optional(),
  vendor_id: z.string().max(16).optional(),
  product_id: z.string().max(32).optional(),
}).strict();
export type LunParams = z.infer<typeof LunParamsSchema>;

/** What rebuilds a deleted target exactly as it ran: LUNs with their ids, rules and bound accounts. */
export const RebuildSchema = z.object({
  luns: z.array(z.object({ lun: LunNo, path: Word, params: LunParamsSchema }).strict()),
  addresses: z.array(Word),
  names: z.array(Word),
  accounts: z.array(z.object({ user: Word, outgoing: z.boolean() }).strict()),
}).strict();
export type Rebuild = z.infer<typeof RebuildSchema>;

/** Closes one connection of an I_T nexus (tgt's session id = the nexus number of `show`). The initiator must log in again: no undo. */
export const ConnDeleteSchema = z.object({
  op: z.literal('conn-delete'), tid: Tid, sid: z.number().int().min(0).max(2 ** 53 - 1), cid: z.number().int().min(0).max(2 ** 32 - 1),
  initiator: Word, address: Word.nullable(),
}).strict();

/** A portal as tgtd's --param portal= takes it: IPv4:PORT or [IPv6]:PORT. */
const PortalWord = z.string().min(3).max(64).regex(/^(?:\[[0-9A-Fa-f:.]+\]|[0-9.]+):\d{1,5}$/, 'ADDRESS:PORT');

export const TargetOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('target-new'), tid: Tid, iqn: Word }).strict(),
  /** rebuild: null only for the undo of a target-new (undo operations are never undone). */
  z.object({ op: z.literal('target-delete'), tid: Tid, iqn: Word, force: z.boolean(), rebuild: RebuildSchema.nullable() }).strict(),
  z.object({ op: z.literal('lun-new'), tid: Tid, lun: LunNo, path: Word }).strict(),
  /** pre: the LUN as it ran (for the undo); null only for the undo of a lun-new. */
  z.object({ op: z.literal('lun-delete'), tid: Tid, lun: LunNo, pre: z.object({ path: Word, params: LunParamsSchema }).strict().nullable() }).strict(),
  /** pre: the parameters before; null = set right after this plan's lun-new (undone by its lun-delete). */
  z.object({ op: z.literal('lun-params'), tid: Tid, lun: LunNo, params: LunParamsSchema, pre: LunParamsSchema.nullable() }).strict(),
  z.object({ op: z.enum(['bind-address', 'unbind-address']), tid: Tid, address: Word }).strict(),
  z.object({ op: z.enum(['bind-name', 'unbind-name']), tid: Tid, name: Word }).strict(),
  z.object({ op: z.literal('account-new'), user: Word, password: Word }).strict(),
  /** password: the secret from the conf file, so the undo re-creates the account; null only for the undo of an account-new. */
  z.object({ op: z.literal('account-delete'), user: Word, password: Word.nullable() }).strict(),
  z.object({ op: z.enum(['account-bind', 'account-unbind']), tid: Tid, user: Word, outgoing: z.boolean() }).strict(),
  /** The target's state: offline refuses new logins (an initiator dropped by a forced delete logs in again at once); pre = the state to restore. */
  z.object({ op: z.literal('target-state'), tid: Tid, state: z.enum(['offline', 'ready']), pre: z.enum(['offline', 'ready']).nullable() }).strict(),
  ConnDeleteSchema,
  /**
   * Makes tgtd re-read a LUN's size after its backing store grew: tgt keeps the size it read when
   * the LUN was added; `--params online=0,path=P` takes the LUN offline (a flag only: tgtd's disk
   * LUNs keep serving I/O while offline, only removable media stop), closes and re-opens the
   * backing store at the same path (tgt_device_path_update, usr/target.c) and brings it online
   * again. bytes: the size show must report after it (the backing store's size).
   */
  z.object({ op: z.literal('lun-reread'), tid: Tid, lun: LunNo, path: Word, bytes: z.number().int().min(0).max(2 ** 53 - 1) }).strict(),
  /** tgtd's listening portals (global to the daemon: every target is reachable on each). */
  z.object({ op: z.enum(['portal-new', 'portal-delete']), portal: PortalWord }).strict(),
]);
export type TargetOp = z.infer<typeof TargetOpSchema>;
export type TargetOpOf<K extends TargetOp['op']> = Extract<TargetOp, { op: K }>;

/** tgtadm argv for one op, after the common prefix (tgtadm [-C port] --lld iscsi). */
export function opArgs(op: TargetOp): string[] {
  const t = (tid: number) => ['--tid', String(tid)];
  switch (op.op) {
    case 'target-new': return ['--mode', 'target', '--op', 'new', ...t(op.tid), '--targetname', op.iqn];
    case 'target-delete': return ['--mode', 'target', '--op', 'delete', ...(op.force ? ['--force'] : []), ...t(op.tid)];
    case 'lun-new': return ['--mode', 'logicalunit', '--op', 'new', ...t(op.tid), '--lun', String(op.lun), '--backing-store', op.path, '--bstype', 'rdwr', '--blocksize', '512'];
    case 'lun-delete': return ['--mode', 'logicalunit', '--op', 'delete', ...t(op.tid), '--lun', String(op.lun)];
    case 'lun-params': {
      const kv = Object.entries(op.params).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
      return ['--mode', 'logicalunit', '--op', 'update', ...t(op.tid), '--lun', String(op.lun), '--params', kv.join(',')];
    }
    case 'bind-address': case 'unbind-address':
      return ['--mode', 'target', '--op', op.op === 'bind-address' ? 'bind' : 'unbind', ...t(op.tid), '--initiator-address', op.address];
    case 'bind-name': case 'unbind-name':
      return ['--mode', 'target', '--op', op.op === 'bind-name' ? 'bind' : 'unbind', ...t(op.tid), '--initiator-name', op.name];
    case 'account-new': return ['--mode', 'account', '--op', 'new', '--user', op.user, '--password', op.password];
    case 'account-delete': return ['--mode', 'account', '--op', 'delete', '--user', op.user];
    case 'account-bind': case 'account-unbind':
      return ['--mode', 'account', '--op', op.op === 'account-bind' ? 'bind' : 'unbind', ...t(op.tid), '--user', op.user, ...(op.outgoing ? ['--outgoing'] : [])];
    case 'target-state': return ['--mode', 'target', '--op', 'update', ...t(op.tid), '--name', 'state', '--value', op.state];
    case 'conn-delete': return ['--mode', 'conn', '--op', 'delete', ...t(op.tid), '--sid', String(op.sid), '--cid', String(op.cid)];
    case 'lun-reread': return ['--mode', 'logicalunit', '--op', 'update', ...t(op.tid), '--lun', String(op.lun), '--params', `online=0,path=${op.path}`];
    case 'portal-new': case 'portal-delete':
      return ['--mode', 'portal', '--op', op.op === 'portal-new' ? 'new' : 'delete', '--param', `portal=${op.portal}`];
  }
}

/** The ops that undo `op`, computed from the op and the pre-state it carries; null = cannot be undone (no pre-state). */
export function inverseOps(op: TargetOp): TargetOp[] | null {
  switch (op.op) {
    case 'target-new': return [{ op: 'target-delete', tid: op.tid, iqn: op.iqn, force: true, rebuild: null }];
    case 'target-delete': {
      const r = op.rebuild;
      if (!r) return null;
      const tid = op.tid;
      return [
        { op: 'target-new', tid, iqn: op.iqn },
        ...[...r.luns].sort((a, b) => a.lun - b.lun).flatMap((l): TargetOp[] => [{ op: 'lun-new', tid, lun: l.lun, path: l.path }, { op: 'lun-params', tid, lun: l.lun, params: l.params, pre: null }]),
        ...r.addresses.map((address): TargetOp => ({ op: 'bind-address', tid, address })),
        ...r.names.map((name): TargetOp => ({ op: 'bind-name', tid, name })),
        ...r.accounts.map((a): TargetOp => ({ op: 'account-bind', tid, user: a.user, outgoing: a.outgoing })),
      ];
    }
    case 'lun-new': return [{ op: 'lun-delete', tid: op.tid, lun: op.lun, pre: null }];
    case 'lun-delete':
      if (!op.pre) return null;
      return [{ op: 'lun-new', tid: op.tid, lun: op.lun, path: op.pre.path }, { op: 'lun-params', tid: op.tid, lun: op.lun, params: op.pre.params, pre: null }];
    case 'lun-params': return op.pre ? [{ op: 'lun-params', tid: op.tid, lun: op.lun, params: op.pre, pre: op.params }] : [];
    case 'bind-address': return [{ op: 'unbind-address', tid: op.tid, address: op.address }];
    case 'unbind-address': return [{ op: 'bind-address', tid: op.tid, address: op.address }];
    case 'bind-name': return [{ op: 'unbind-name', tid: op.tid, name: op.name }];
    case 'unbind-name': return [{ op: 'bind-name', tid: op.tid, name: op.name }];
    case 'account-new': return [{ op: 'account-delete', user: op.user, password: op.password }];
    case 'account-delete': return op.password ? [{ op: 'account-new', user: op.user, password: op.password }] : null;
    case 'account-bind': return [{ op: 'account-unbind', tid: op.tid, user: op.user, outgoing: op.outgoing }];
    case 'account-unbind': return [{ op: 'account-bind', tid: op.tid, user: op.user, outgoing: op.outgoing }];
    case 'target-state': return op.pre && op.pre !== op.state ? [{ op: 'target-state', tid: op.tid, state: op.pre, pre: op.state }] : [];
    // Nothing to restore: the initiator logs in again by itself once the target admits it.
    case 'conn-delete': return [];
    // Re-reading is undone by the backing store's own undo, which re-reads again after restoring the size.
    case 'lun-reread': return [];
    case 'portal-new': return [{ op: 'portal-delete', portal: op.portal }];
    case 'portal-delete': return [{ op: 'portal-new', portal: op.portal }];
  }
}

/** What `show` must say after `op`; null when it does. */
export function visibleProblem(op: TargetOp, s: TargetState): string | null {
  const tgt = 'tid' in op ? s.targets.find((t) => t.tid === op.tid) : undefined;
  switch (op.op) {
    case 'target-new': return tgt?.iqn === op.iqn ? null : `target ${op.iqn} (tid ${op.tid}) is not listed`;
    case 'target-delete': return tgt ? `target tid ${op.tid} is still listed` : null;
    case 'lun-new': {
      const l = tgt?.luns.find((x) => x.lun === op.lun);
      return l && l.path === op.path ? null : `LUN ${op.lun} with ${op.path} is not listed on tid ${op.tid}`;
    }
    case 'lun-delete': return tgt?.luns.some((x) => x.lun === op.lun) ? `LUN ${op.lun} is still listed on tid ${op.tid}` : null;
    case 'lun-params': {
      const l = tgt?.luns.find((x) => x.lun === op.lun);
      if (!l) return `LUN ${op.lun} is not listed on tid ${op.tid}`;
      if (op.params.scsi_id !== undefined && l.scsiId !== op.params.scsi_id) return `LUN ${op.lun} has SCSI ID ${l.scsiId}, not ${op.params.scsi_id}`;
      if (op.params.scsi_sn !== undefined && l.scsiSn !== op.params.scsi_sn) return `LUN ${op.lun} has SCSI SN ${l.scsiSn}, not ${op.params.scsi_sn}`;
      if (op.params.readonly !== undefined && l.readonly !== (op.params.readonly === 1)) return `LUN ${op.lun} readonly is ${l.readonly}`;
      return null;
    }
    case 'bind-address': return tgt?.aclAddresses.includes(op.address) ? null : `address rule ${op.address} is not listed on tid ${op.tid}`;
    case 'unbind-address': return tgt?.aclAddresses.includes(op.address) ? `address rule ${op.address} is still listed` : null;
    case 'bind-name': return tgt?.aclNames.includes(op.name) ? null : `initiator rule ${op.name} is not listed on tid ${op.tid}`;
    case 'unbind-name': return tgt?.aclNames.includes(op.name) ? `initiator rule ${op.name} is still listed` : null;
    case 'account-new': return s.accounts.includes(op.user) ? null : `account ${op.user} is not listed`;
    case 'account-delete': return s.accounts.includes(op.user) ? `account ${op.user} is still listed` : null;
    case 'account-bind': return tgt?.accounts.some((a) => a.user === op.user && a.outgoing === op.outgoing) ? null : `account ${op.user} is not bound to tid ${op.tid}`;
    case 'account-unbind': return tgt?.accounts.some((a) => a.user === op.user && a.outgoing === op.outgoing) ? `account ${op.user} is still bound to tid ${op.tid}` : null;
    case 'target-state': return !tgt ? `target tid ${op.tid} is not listed` : tgt.state === op.state ? null : `target tid ${op.tid} is ${tgt.state || 'in an unknown state'}, not ${op.state}`;
    // tgtd ends a session once its commands in flight are done: the sessions.gone wait checks that.
    case 'conn-delete': return null;
    case 'lun-reread': {
      const l = tgt?.luns.find((x) => x.lun === op.lun);
      if (!l) return `LUN ${op.lun} is not listed on tid ${op.tid}`;
      const shown = tgtShownMB(op.bytes) * 1e6;
      return l.sizeBytes === shown ? null : `LUN ${op.lun} of tid ${op.tid} is ${l.sizeBytes / 1e6} MB in tgtd, not ${shown / 1e6} MB`;
    }
    case 'portal-new': return s.portals.some((p) => portalText(p) === op.portal) ? null : `portal ${op.portal} is not listed`;
    case 'portal-delete': return s.portals.some((p) => portalText(p) === op.portal) ? `portal ${op.portal} is still listed` : null;
  }
}

/** Is this connection of the target still listed? */
export function connectionListed(op: { tid: number; sid: number; cid: number }, s: TargetState): boolean {
  return !!s.targets.find((t) => t.tid === op.tid)?.sessions.some((x) => x.nexus === op.sid && x.connections.some((c) => c.cid === op.cid));
}

/**
 * Read-back of one op against the live state. Deletes that a later op of the same plan may undo
 * again (a LUN replaced, an account re-created with a new secret) say "unknown" rather than
 * "not applied" when the subject is listed, so that rollback runs their idempotent undo anyway.
 */
export function opApplied(op: TargetOp, s: TargetState): { applied: true } | { applied: false } | { applied: 'unknown'; reason: string } {
  if (op.op === 'conn-delete') return connectionListed(op, s) ? { applied: false } : { applied: true };
  const bad = visibleProblem(op, s);
  if (bad === null) return { applied: true };
  if (op.op === 'lun-delete' && op.pre) {
    const l = s.targets.find((t) => t.tid === op.tid)?.luns.find((x) => x.lun === op.lun);
    return l && l.path !== op.pre.path ? { applied: true } : { applied: false };
  }
  if (op.op === 'account-delete') return { applied: 'unknown', reason: `account ${op.user} is listed (deleted and re-created, or never deleted)` };
  return { applied: false };
}

/** Ops that act on the same thing (a later one decides what show must say). */
export function subjectOf(x: TargetOp): string {
  switch (x.op) {
    case 'target-new': case 'target-delete': return `t${x.tid}`;
    case 'lun-new': case 'lun-delete': return `l${x.tid}/${x.lun}`;
    case 'lun-params': return `p${x.tid}/${x.lun}`;
    case 'bind-address': case 'unbind-address': return `a${x.tid}/${x.address}`;
    case 'bind-name': case 'unbind-name': return `n${x.tid}/${x.name}`;
    case 'account-new': case 'account-delete': return `u${x.user}`;
    case 'account-bind': case 'account-unbind': return `b${x.tid}/${x.user}/${x.outgoing}`;
    case 'target-state': return `s${x.tid}`;
    case 'conn-delete': return `c${x.tid}/${x.sid}/${x.cid}`;
    case 'lun-reread': return `r${x.tid}/${x.lun}`;
    case 'portal-new': case 'portal-delete': return `P${x.portal}`;
  }
}

/**
 * The size tgtd's show prints for a LUN of `bytes`, in its "MB": print_disksize (usr/target.c) is
 * ((b - (b/625 - 974)) / 1950) with b = bytes/512, integer arithmetic (32 MiB shows as 34 MB).
 */
export function tgtShownMB(bytes: number): number {
  const b = Math.floor(bytes / 512);
  return Math.floor((b - (Math.floor(b / 625) - 974)) / 1950);
}

/** A portal as tgtd's show prints it and --param portal= takes it (IPv6 in brackets). */
export function portalText(p: { address: string; port: number }): string {
  return `${p.address}:${p.port}`;
}

/** Indexes of the ops that are the last in `ops` to touch their subject (their effect is what show must say). */
export function lastTouching(ops: readonly TargetOp[]): Set<number> {
  const last = new Map<string, number>();
  ops.forEach((o, i) => last.set(subjectOf(o), i));
  return new Set(last.values());
}
