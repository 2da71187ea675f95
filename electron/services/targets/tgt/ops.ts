// The tgt stack's operation kinds: tgtadm changes (batched: consecutive ones run in one remote
// round trip), backing files (sparse, fully allocated, removed), logical volumes. Conf files go
// through the shared file.put kind (remote/files.ts). Every kind's inverse is computed from its
// params, which carry the pre-state captured at plan time, and is idempotent; verify reads the
// live server.
import { z } from 'zod';
import { formatSize } from '../../../../shared/domain/target';
import type { BatchOutcome, OperationKind, OpContext, Operation, VerifyOutcome } from '../../jobs/operation';
import type { TargetDriver } from './driver';
import { classifyTgtError, partialPathOf } from './driver';
import { ConnDeleteSchema, connectionListed, inverseOps, lastTouching, opApplied, TargetOpSchema, visibleProblem, type TargetOp, type TargetOpOf } from './target-op';

/** How the kinds reach a storage server: its TgtDriver, by Portico host id. */
export interface TgtHosts {
  driver(hostId: string): TargetDriver;
}

export const TGTADM = 'tgt.tgtadm';
export const SPARSE = 'tgt.backing.sparse';
export const FULL = 'tgt.backing.full';
export const BACKING_REMOVE = 'tgt.backing.remove';
export const LV_CREATE = 'tgt.lv.create';
export const LV_REMOVE = 'tgt.lv.remove';
export const SESSION_CLOSE = 'tgt.session.close';
export const SESSIONS_GONE = 'tgt.sessions.gone';
export const BACKING_SIZE = 'tgt.backing.size';
export const LV_EXTEND = 'tgt.lv.extend';
export const SYSTEMD_RELOAD = 'tgt.systemd.reload';

const AbsPath = z.string().min(2).max(4096).regex(/^\/[^\0\n]*$/, 'an absolute path');
const Bytes = z.number().int().min(1).max(2 ** 53 - 1);
const LvmName = z.string().min(1).max(128).regex(/^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/);

export const BackingCreateSchema = z.object({ path: AbsPath, bytes: Bytes }).strict();
/** data: true = deletes data for good (the admin asked for it: irreversible); false = removes a file this job created (an undo). */
export const BackingRemoveSchema = z.object({ path: AbsPath, data: z.boolean() }).strict();
export const LvCreateSchema = z.object({ vg: LvmName, lv: LvmName, bytes: Bytes }).strict();
export const LvRemoveSchema = z.object({ vg: LvmName, lv: LvmName, data: z.boolean() }).strict();

type BackingCreate = z.infer<typeof BackingCreateSchema>;
type BackingRemove = z.infer<typeof BackingRemoveSchema>;
type LvCreate = z.infer<typeof LvCreateSchema>;
type LvRemove = z.infer<typeof LvRemoveSchema>;

/**
 * A backing file's size from `from` to `to` (a LUN resize grows it; its undo shrinks it back,
 * then re-reads the LUN so tgtd serves the old size again). lun: the LUN that reads the file.
 */
export const BackingSizeSchema = z.object({
  path: AbsPath, from: Bytes, to: Bytes, allocate: z.boolean(),
  lun: z.object({ tid: z.number().int().min(1), lun: z.number().int().min(1).max(16383) }).strict().nullable(),
}).strict();
type BackingSize = z.infer<typeof BackingSizeSchema>;
export const LvExtendSchema = z.object({ vg: LvmName, lv: LvmName, from: Bytes, to: Bytes }).strict();
type LvExtend = z.infer<typeof LvExtendSchema>;
// `on: 'undo'` is the marker placed before the drop-in is written: nothing on apply, a reload on
// rollback, which runs it after the drop-in's own undo has put the old file back.
const ReloadSchema = z.object({ unit: z.literal('tgt'), on: z.enum(['apply', 'undo']).optional() }).strict();

/** Waits until tgtd lists no session on the target (the closed ones have ended, none came back). */
export const SessionsGoneSchema = z.object({ tid: z.number().int().min(1), iqn: z.string().min(1).max(255), timeoutMs: z.number().int().min(100).max(600_000) }).strict();
type SessionsGone = z.infer<typeof SessionsGoneSchema>;

/** An operation of the tgtadm kind. */
export const tgtadmOp = (host: string, op: TargetOp): Operation => ({ kind: TGTADM, host, params: op });

/** What a refused op was about, for the sentence. */
function subjectText(op: TargetOp | undefined): string {
  if (!op) return 'the change';
  switch (op.op) {
    case 'target-new': case 'target-delete': return `target ${op.iqn} (tid ${op.tid})`;
    case 'lun-new': case 'lun-delete': case 'lun-params': return `LUN ${op.lun} of tid ${op.tid}`;
    case 'account-new': case 'account-delete': return `CHAP account ${op.user}`;
    case 'conn-delete': return `the session of ${op.initiator} (tid ${op.tid}, session ${op.sid}, connection ${op.cid})`;
    case 'lun-reread': return `LUN ${op.lun} of tid ${op.tid}`;
    case 'portal-new': case 'portal-delete': return `portal ${op.portal}`;
    default: return `tid ${op.tid}`;
  }
}

/**
 * Why tgtd refused, in words, with what to do; tgtadm's own text only when it is not one we know.
 * tgtadm exits 22 for every refusal, so the text is all there is to go on.
 */
export function refusal(out: string, rc: number, op?: TargetOp, label = 'the server'): string {
  const text = out.trim() || `exit ${rc}`;
  const what = subjectText(op);
  if (/can't find the session|can't find the connection/.test(text)) return `${what} had already ended.`;
  switch (classifyTgtError(text)) {
    case 'daemon-down': return `tgtd is not running on ${label}: start it (systemctl start tgt) and apply the plan again.`;
    case 'target-exists': return `a target with this tid or IQN already exists on ${label}: someone created one since the plan was built; build the plan again.`;
    case 'target-not-found': return `${what} no longer exists on ${label}: someone changed it since the plan was built; reload the Targets page and build the plan again.`;
    case 'lun-exists': return `${what} already exists: someone changed the target since the plan was built; build the plan again.`;
    case 'lun-not-found': return `${what} no longer exists: someone changed the target since the plan was built; build the plan again.`;
    case 'acl-exists': case 'acl-not-found': return `the access rules of ${what} changed since the plan was built; build the plan again.`;
    case 'account-exists': return `${what} already exists on ${label}; choose another CHAP user name.`;
    case 'account-not-found': return `${what} no longer exists on ${label}; build the plan again.`;
    case 'outgoing-exists': return `${what} already has a mutual CHAP (outgoing) account; remove it first.`;
    case 'target-active': return `initiators are still connected to ${what}: log them out on their hosts, or plan a forced delete (it closes their sessions first and waits until tgtd reports none).`;
    case 'lun-active': return `a LUN of ${what} still had I/O in flight from a connected initiator, so tgtd refused to remove it: close the initiators' sessions first (a forced delete does that and waits until tgtd reports none), then apply again.`;
    case 'invalid-request': return `tgtd refused ${what} as an invalid request (for a new LUN: its backing store is missing or unusable); check the server and build the plan again.`;
    default: return `tgtd said: ${text}`;
  }
}

export function tgtOperationKinds(hosts: TgtHosts) {
  const d = (host: string) => hosts.driver(host);

  const tgtadm: OperationKind<TargetOp> = {
    kind: TGTADM,
    schema: TargetOpSchema,
    sensitive: ['password'],
    describe: (p, host) => d(host).describe(p),
    async apply(p, host, ctx) {
      const [o] = await tgtadm.applyBatch!([p], host, ctx);
      if (!o.ok) throw new Error(o.ok === false ? o.error : 'not run');
    },
    /** One round trip; stops at the first refusal; every op claiming success must be visible in tgtd's show. No compensation here: the runner undoes. */
    async applyBatch(ps, host, ctx): Promise<BatchOutcome[]> {
      const drv = d(host);
      const { results, state } = await drv.runOps(ps, 'strict', ctx);
      const last = lastTouching(ps);
      const outcomes: BatchOutcome[] = results.map((r, i): BatchOutcome => {
        if (r.rc === null) return { ok: null };
        if (r.rc !== 0) return { ok: false, error: `tgtd on ${drv.label} refused: ${refusal(r.out, r.rc, ps[i], drv.label)}` };
        const bad = last.has(i) ? visibleProblem(ps[i], state) : null;
        return bad ? { ok: false, error: `tgtadm reported success but tgtd's show says: ${bad}` } : { ok: true };
      });
      const n = outcomes.filter((o) => o.ok === true).length;
      ctx.log(`tgtd on ${drv.label} confirms ${n} of ${ps.length} change(s)`);
      return outcomes;
    },
    inverse: (p, host) => inverseOps(p)?.map((x) => tgtadmOp(host, x)) ?? null,
    async verify(p, host): Promise<VerifyOutcome> {
      return opApplied(p, await d(host).readState());
    },
    /** Idempotent: every op runs (tgt's "already exists" / "can't find" for an effect already there is fine), then show must say what each op means. */
    async ensure(ps, host, ctx) {
      const drv = d(host);
      const { state } = await drv.runOps(ps, 'loose', ctx);
      const last = lastTouching(ps);
      const bad = ps.map((p, i) => (last.has(i) ? visibleProblem(p, state) : null)).filter((x): x is string => x !== null);
      if (bad.length) throw new Error(`tgtd on ${drv.label}: ${bad.join('; ')}`);
    },
  };

  /**
   * Closes connections of I_T nexuses (tgtadm --mode conn --op delete). Irreversible in the sense that
   * the initiator must log in again (nothing to undo on the server). Every close runs (one round trip);
   * a session that ended meanwhile is fine: it is closed either way.
   */
  const sessionClose: OperationKind<TargetOpOf<'conn-delete'>> = {
    kind: SESSION_CLOSE,
    schema: ConnDeleteSchema,
    irreversible: true,
    describe: (p, host) => `${d(host).describe(p)}   # drops ${p.initiator}${p.address ? ` from ${p.address}` : ''}: its I/O fails until it logs in again`,
    async apply(p, host, ctx) {
      const [o] = await sessionClose.applyBatch!([p], host, ctx);
      if (!o.ok) throw new Error(o.ok === false ? o.error : 'not run');
    },
    async applyBatch(ps, host, ctx): Promise<BatchOutcome[]> {
      const drv = d(host);
      const { results } = await drv.runOps(ps, 'loose', ctx);
      const outcomes = results.map((r, i): BatchOutcome => {
        if (r.rc === 0 || /can't find the (session|connection)/.test(r.out)) return { ok: true };
        return { ok: false, error: `tgtd on ${drv.label} did not close ${ps[i].initiator}'s session: ${refusal(r.out, r.rc ?? -1, ps[i], drv.label)}` };
      });
      ctx.log(`tgtd on ${drv.label}: ${outcomes.filter((o) => o.ok).length} of ${ps.length} session connection(s) closed`);
      return outcomes;
    },
    inverse: () => [],
    async verify(p, host): Promise<VerifyOutcome> {
      return connectionListed(p, await d(host).readState()) ? { applied: false } : { applied: true };
    },
  };

  /** A bounded wait: tgtd must list no session on the target (an initiator with commands in flight ends its session when they are done). */
  const sessionsGone: OperationKind<SessionsGone> = {
    kind: SESSIONS_GONE,
    schema: SessionsGoneSchema,
    readOnly: true,
    describe: (p) => `wait until tgtd lists no session on ${p.iqn} (tid ${p.tid}), at most ${Math.round(p.timeoutMs / 1000)} s`,
    async apply(p, host, ctx) {
      const drv = d(host);
      const deadline = Date.now() + p.timeoutMs;
      for (let n = 0; ; n++) {
        const t = (await drv.readState(ctx)).targets.find((x) => x.tid === p.tid && x.iqn === p.iqn);
        if (!t) throw new Error(`${p.iqn} (tid ${p.tid}) is no longer listed on ${drv.label}: someone changed the server meanwhile; nothing was deleted by this step.`);
        if (!t.sessions.length) {
          ctx.log(`tgtd on ${drv.label} lists no session on ${p.iqn}`);
          return;
        }
        if (Date.now() >= deadline || ctx.signal.aborted) {
          const who = t.sessions.map((s) => `${s.initiator} (session ${s.nexus}${s.connections.length ? ` from ${s.connections.map((c) => c.address).join(', ')}` : ''})`).join(', ');
          throw new Error(`After ${Math.round(p.timeoutMs / 1000)} s tgtd on ${drv.label} still lists ${t.sessions.length} session(s) on ${p.iqn}: ${who}. The target was not deleted; everything is put back as it was. Log these initiators out on their hosts (or stop their I/O), then plan the delete again.`);
        }
        if (n % 10 === 0) ctx.log(`waiting for ${t.sessions.length} session(s) on ${p.iqn} to end`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    inverse: () => [],
    async verify(p, host): Promise<VerifyOutcome> {
      const t = (await d(host).readState()).targets.find((x) => x.tid === p.tid && x.iqn === p.iqn);
      return t && t.sessions.length ? { applied: false } : { applied: true };
    },
  };

  const exists = async (host: string, path: string): Promise<boolean> => (await d(host).stat([path]))[0]?.exists ?? false;
  const removeInverse = (p: BackingCreate, host: string): Operation[] => [{ kind: BACKING_REMOVE, host, params: { path: p.path, data: false } }];

  const sparse: OperationKind<BackingCreate> = {
    kind: SPARSE,
    schema: BackingCreateSchema,
    describe: (p) => `truncate -s ${p.bytes} ${p.path}   # ${formatSize(p.bytes)}, sparse`,
    async apply(p, host, ctx) {
      const [o] = await sparse.applyBatch!([p], host, ctx);
      if (!o.ok) throw new Error(o.ok === false ? o.error : 'not run');
    },
    async applyBatch(ps, host, ctx) {
      const r = await d(host).createSparse(ps, ctx);
      return r.map((x): BatchOutcome => (x === null ? { ok: null } : x.ok ? { ok: true } : { ok: false, error: x.error }));
    },
    inverse: removeInverse,
    // The plan's fresh check saw the path free: a file there now is this operation's.
    verify: async (p, host) => ((await exists(host, p.path)) ? { applied: true } : { applied: false }),
  };

  // Fully allocated: grows under a partial name (partialPathOf) and is renamed when complete. The
  // inverse removes both names; verify calls a partial file (or one of the wrong size) "took
  // effect in part": rollback then removes it, resume refuses to take it as done.
  const full: OperationKind<BackingCreate> = {
    kind: FULL,
    schema: BackingCreateSchema,
    describe: (p) => `fallocate -l ${p.bytes} ${p.path}   # ${formatSize(p.bytes)}, fully allocated; zeros with dd where the filesystem has no fallocate`,
    async apply(p, host, ctx) {
      return d(host).createFull(p.path, p.bytes, ctx);
    },
    inverse: (p, host) => [
      { kind: BACKING_REMOVE, host, params: { path: partialPathOf(p.path), data: false } },
      ...removeInverse(p, host),
    ],
    async verify(p, host): Promise<VerifyOutcome> {
      const [done, partial] = await d(host).stat([p.path, partialPathOf(p.path)]);
      if (partial?.exists) return { applied: 'unknown', reason: `took effect in part: ${partial.path} holds ${partial.allocated} of ${p.bytes} bytes` };
      if (!done?.exists) return { applied: false };
      if (done.size !== p.bytes) return { applied: 'unknown', reason: `took effect in part: ${p.path} is ${done.size} of ${p.bytes} bytes` };
      return { applied: true };
    },
  };

  const backingRemove: OperationKind<BackingRemove> = {
    kind: BACKING_REMOVE,
    schema: BackingRemoveSchema,
    describe: (p) => `rm -f ${p.path}${p.data ? '   # deletes its data for good' : ''}`,
    irreversible: (p) => p.data,
    async apply(p, host, ctx) {
      await d(host).removeFiles([p.path], ctx);
    },
    async applyBatch(ps, host, ctx) {
      await d(host).removeFiles(ps.map((p) => p.path), ctx);
      return ps.map(() => ({ ok: true as const }));
    },
    // Removing data for good cannot be undone; removing a file the job created is itself an undo.
    inverse: () => null,
    verify: async (p, host) => ((await exists(host, p.path)) ? { applied: false } : { applied: true }),
    ensure: async (ps, host, ctx) => d(host).removeFiles(ps.map((p) => p.path), ctx),
  };

  const lvCreate: OperationKind<LvCreate> = {
    kind: LV_CREATE,
    schema: LvCreateSchema,
    describe: (p) => `lvcreate -L ${p.bytes}b -n ${p.lv} ${p.vg}   # ${formatSize(p.bytes)}`,
    async apply(p, host, ctx) {
      return { path: await d(host).lvCreate(p.vg, p.lv, p.bytes, ctx) };
    },
    inverse: (p, host) => [{ kind: LV_REMOVE, host, params: { vg: p.vg, lv: p.lv, data: false } }],
    verify: async (p, host) => ((await d(host).lvExists(p.vg, p.lv)) ? { applied: true } : { applied: false }),
  };

  const lvRemove: OperationKind<LvRemove> = {
    kind: LV_REMOVE,
    schema: LvRemoveSchema,
    describe: (p) => `lvremove -f ${p.vg}/${p.lv}${p.data ? '   # deletes its data for good' : ''}`,
    irreversible: (p) => p.data,
    async apply(p, host, ctx: OpContext) {
      await d(host).lvRemove(p.vg, p.lv, ctx);
    },
    inverse: () => null,
    verify: async (p, host) => ((await d(host).lvExists(p.vg, p.lv)) ? { applied: false } : { applied: true }),
  };

  const backingSize: OperationKind<BackingSize> = {
    kind: BACKING_SIZE,
    schema: BackingSizeSchema,
    describe: (p) => p.to > p.from
      ? `${p.allocate ? `fallocate -o ${p.from} -l ${p.to - p.from}` : `truncate -s ${p.to}`} ${p.path}   # grows ${formatSize(p.from)} -> ${formatSize(p.to)}${p.allocate ? ', the new part allocated' : ', sparse'}`
      : `truncate -s ${p.to} ${p.path}   # back to ${formatSize(p.to)} (undo of a growth)`,
    async apply(p, host, ctx) {
      await d(host).resizeFile(p.path, p.from, p.to, p.allocate, ctx);
    },
    // Back to the old size, then tgtd re-reads it (a LUN shown bigger than its file would fail I/O past the end).
    inverse: (p, host) => [
      { kind: BACKING_SIZE, host, params: { ...p, from: p.to, to: p.from, allocate: false } },
      ...(p.lun ? [tgtadmOp(host, { op: 'lun-reread', tid: p.lun.tid, lun: p.lun.lun, path: p.path, bytes: p.from })] : []),
    ],
    async verify(p, host): Promise<VerifyOutcome> {
      const [st] = await d(host).stat([p.path]);
      if (!st?.exists) return { applied: 'unknown', reason: `${p.path} is gone` };
      return st.size === p.to ? { applied: true } : st.size === p.from ? { applied: false } : { applied: 'unknown', reason: `${p.path} is ${st.size} bytes, neither ${p.from} nor ${p.to}` };
    },
  };

  // Shrinking a logical volume back risks the filesystem an initiator may already have grown: not undone.
  const lvExtend: OperationKind<LvExtend> = {
    kind: LV_EXTEND,
    schema: LvExtendSchema,
    irreversible: true,
    describe: (p) => `lvextend -L ${p.to}b ${p.vg}/${p.lv}   # grows ${formatSize(p.from)} -> ${formatSize(p.to)}; not undone (shrinking an LV can cut off data)`,
    async apply(p, host, ctx) {
      await d(host).lvExtend(p.vg, p.lv, p.to, ctx);
    },
    inverse: () => null,
    async verify(p, host): Promise<VerifyOutcome> {
      const [st] = await d(host).stat([`/dev/${p.vg}/${p.lv}`]);
      return st?.exists && st.size >= p.to ? { applied: true } : { applied: false };
    },
  };

  /**
   * systemctl daemon-reload, so that the next start of tgt reads the portal drop-in as it is on disk:
   * after writing it (`on: 'apply'`), and after a rollback restored it (`on: 'undo'`, see ReloadSchema).
   */
  const systemdReload: OperationKind<z.infer<typeof ReloadSchema>> = {
    kind: SYSTEMD_RELOAD,
    schema: ReloadSchema,
    describe: (p) => p.on === 'undo'
      ? 'true   # nothing now; on undo: systemctl daemon-reload, after the drop-in is put back'
      : 'systemctl daemon-reload   # the next start of tgt reads the new portal list',
    async apply(p, host, ctx) {
      if (p.on === 'undo') return;
      return d(host).systemdReload(ctx);
    },
    inverse: (p, host) => (p.on === 'undo' ? [{ kind: SYSTEMD_RELOAD, host, params: { unit: 'tgt' } }] : []),
    // The marker has nothing to be in effect; a reload leaves no state to read back, and running it
    // again is harmless, so an undo (which skips what is "already in effect") always runs it.
    verify: async (p) => ({ applied: p.on === 'undo' }),
  };

  const all = [tgtadm, sessionClose, sessionsGone, sparse, full, backingRemove, lvCreate, lvRemove, backingSize, lvExtend, systemdReload] as unknown as OperationKind<never>[];
  return { tgtadm, sessionClose, sessionsGone, sparse, full, backingRemove, lvCreate, lvRemove, backingSize, lvExtend, systemdReload, all };
}
