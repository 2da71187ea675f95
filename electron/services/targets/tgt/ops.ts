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
import { inverseOps, lastTouching, opApplied, TargetOpSchema, visibleProblem, type TargetOp } from './target-op';

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

/** An operation of the tgtadm kind. */
export const tgtadmOp = (host: string, op: TargetOp): Operation => ({ kind: TGTADM, host, params: op });

/** Why tgtd refused, in words, with tgtadm's own text after it. */
function refusal(out: string, rc: number): string {
  const text = out.trim() || `exit ${rc}`;
  const k = classifyTgtError(text);
  const why: Partial<Record<ReturnType<typeof classifyTgtError>, string>> = {
    'daemon-down': 'tgtd is not running',
    'target-exists': 'a target with this tid or name exists',
    'account-exists': 'the CHAP account exists',
    'target-active': 'initiators are connected to the target',
    'lun-active': 'the LUN is in use',
  };
  return why[k] ? `${why[k]} (tgtadm: ${text})` : text;
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
        if (r.rc !== 0) return { ok: false, error: `tgtd on ${drv.label} refused: ${refusal(r.out, r.rc)}` };
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

  return { tgtadm, sparse, full, backingRemove, lvCreate, lvRemove, all: [tgtadm, sparse, full, backingRemove, lvCreate, lvRemove] as unknown as OperationKind<never>[] };
}
