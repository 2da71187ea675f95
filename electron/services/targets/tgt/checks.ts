// The tgt stack's check kinds: read-only expectations a plan was built on (checked right before
// apply: `fresh`) and the read-back after apply (`verify`, whose results become the job result).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CheckKind, CheckOutcome } from '../../jobs/operation';
import { renderTargetConf, type ChapAccount, type DesiredTarget } from './conf';
import { compareTarget, computeDrift } from './drift';
import type { TgtHosts } from './ops';
import type { TgtTarget } from './parser';

export const TARGET_STATE = 'tgt.target.state';
export const ACCOUNTS_ABSENT = 'tgt.accounts.absent';
export const PATHS_ABSENT = 'tgt.paths.absent';
export const FILES_UNCHANGED = 'tgt.files.unchanged';
export const RECONCILE_BASE = 'tgt.reconcile.base';
export const TARGET_VERIFY = 'tgt.target.verify';
export const TARGET_GONE = 'tgt.target.gone';
export const RECONCILE_VERIFY = 'tgt.reconcile.verify';

/** Stable fingerprint of a target for stale-plan detection (sessions excluded unless asked). */
export function fingerprint(t: TgtTarget | undefined, withSessions = false): string {
  if (!t) return 'absent';
  return JSON.stringify({
    tid: t.tid, iqn: t.iqn,
    luns: t.luns.map((l) => [l.lun, l.path, l.scsiId, l.scsiSn, l.readonly]),
    a: t.aclAddresses, n: t.aclNames, acc: t.accounts,
    ...(withSessions ? { s: t.sessions.map((s) => s.initiator).sort() } : {}),
  });
}

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const Str = z.string().max(4096);
const ChapSchema = z.object({ user: Str, password: Str }).strict();
export const DesiredTargetSchema = z.object({
  iqn: Str,
  name: Str,
  comment: Str.optional(),
  alias: Str.optional(),
  luns: z.array(z.object({
    lun: z.number().int(), path: Str, scsiId: Str, scsiSn: Str, readonly: z.boolean(),
    vendorId: Str.optional(), productId: Str.optional(),
    kind: z.enum(['sparse', 'full', 'device', 'lvm']).optional(), sizeBytes: z.number().int().optional(),
  }).strict()),
  addresses: z.array(Str),
  names: z.array(Str),
  incoming: z.array(ChapSchema),
  outgoing: ChapSchema.optional(),
}).strict();

const TargetStateSchema = z.object({
  iqn: Str,
  /** "absent", or the target's fingerprint at plan time. */
  expect: z.string(),
  sessions: z.boolean(),
  /** For a new target: this tid must still be free. */
  freeTid: z.number().int().nullable(),
}).strict();
const UsersSchema = z.object({ users: z.array(Str) }).strict();
const PathsSchema = z.object({ paths: z.array(Str) }).strict();
const FilesSchema = z.object({ files: z.array(z.object({ path: Str, sha256: z.string().nullable() }).strict()) }).strict();
const ReconcileBaseSchema = z.object({ iqns: z.array(Str), digest: z.string() }).strict();
const VerifySchema = z.object({ desired: DesiredTargetSchema, confPath: Str, login: z.boolean() }).strict();
const GoneSchema = z.object({ iqn: Str, confPath: Str.nullable(), backingFilesDeleted: z.array(Str) }).strict();
const ReconcileVerifySchema = z.object({ iqns: z.array(Str) }).strict();

export type LoginCheck = (hostId: string, p: { iqn: string; chap?: ChapAccount; mutual?: ChapAccount }) => Promise<unknown>;

/** What the reconcile plan was built on: the chosen targets as they ran and every conf file. */
export function reconcileDigest(fps: string[], confs: { path: string; text: string }[]): string {
  return sha256(JSON.stringify(fps) + JSON.stringify(confs));
}

export function tgtCheckKinds(hosts: TgtHosts & { login?: LoginCheck }) {
  const d = (host: string) => hosts.driver(host);
  const ok = (result?: unknown): CheckOutcome => ({ ok: true, ...(result !== undefined ? { result } : {}) });

  const targetState: CheckKind<z.infer<typeof TargetStateSchema>> = {
    kind: TARGET_STATE,
    schema: TargetStateSchema,
    describe: (p) => (p.expect === 'absent' ? `${p.iqn} does not exist${p.freeTid !== null ? ` and tid ${p.freeTid} is free` : ''}` : `${p.iqn} is as it was when planned${p.sessions ? ' (sessions included)' : ''}`),
    async check(p, host) {
      const drv = d(host);
      const st = await drv.readState();
      const t = st.targets.find((x) => x.iqn === p.iqn);
      if (p.expect === 'absent') {
        if (t) return { ok: false, reason: `${p.iqn} now exists` };
        if (p.freeTid !== null && st.targets.some((x) => x.tid === p.freeTid)) return { ok: false, reason: `tid ${p.freeTid} is now taken` };
        return ok();
      }
      return fingerprint(t, p.sessions) === p.expect ? ok() : { ok: false, reason: `${p.iqn} changed on ${drv.label}${p.sessions ? ' (LUNs, rules, accounts or connected initiators)' : ''}`, found: t ? fingerprint(t, p.sessions) : 'absent' };
    },
  };

  const accountsAbsent: CheckKind<z.infer<typeof UsersSchema>> = {
    kind: ACCOUNTS_ABSENT,
    schema: UsersSchema,
    describe: (p) => `no CHAP account ${p.users.join(', ')} exists`,
    async check(p, host) {
      const st = await d(host).readState();
      const u = p.users.find((x) => st.accounts.includes(x));
      return u ? { ok: false, reason: `CHAP account ${u} now exists` } : ok();
    },
  };

  const pathsAbsent: CheckKind<z.infer<typeof PathsSchema>> = {
    kind: PATHS_ABSENT,
    schema: PathsSchema,
    describe: (p) => `${p.paths.join(', ')} absent`,
    async check(p, host) {
      const f = (await d(host).stat(p.paths)).find((s) => s.exists);
      return f ? { ok: false, reason: `${f.path} now exists` } : ok();
    },
  };

  const filesUnchanged: CheckKind<z.infer<typeof FilesSchema>> = {
    kind: FILES_UNCHANGED,
    schema: FilesSchema,
    describe: (p) => `${p.files.map((f) => f.path).join(', ')} unchanged`,
    async check(p, host) {
      const drv = d(host);
      const now = await drv.digests(p.files.map((f) => f.path));
      for (const f of p.files) {
        const cur = now.get(f.path) ?? null;
        if (cur === f.sha256) continue;
        return { ok: false, reason: f.sha256 === null ? `${f.path} now exists` : cur === null ? `${f.path} was removed on ${drv.label}` : `${f.path} changed on ${drv.label}` };
      }
      return ok();
    },
  };

  const reconcileBase: CheckKind<z.infer<typeof ReconcileBaseSchema>> = {
    kind: RECONCILE_BASE,
    schema: ReconcileBaseSchema,
    describe: (p) => `${p.iqns.length ? p.iqns.join(', ') : 'no target'} and the conf files are as they were when planned`,
    async check(p, host) {
      const drv = d(host);
      const [st, confs] = await Promise.all([drv.readState(), drv.readConfFiles()]);
      const now = reconcileDigest(p.iqns.map((iqn) => fingerprint(st.targets.find((x) => x.iqn === iqn))), confs);
      return now === p.digest ? ok() : { ok: false, reason: `targets or conf files changed on ${drv.label}` };
    },
  };

  /** After apply: the running target must match the file exactly, the file must be on disk (0600 when it holds secrets), then the optional login. */
  const targetVerify: CheckKind<z.infer<typeof VerifySchema>> = {
    kind: TARGET_VERIFY,
    schema: VerifySchema,
    describe: (p) => `${p.desired.iqn} runs as ${p.confPath} says${p.login ? '; log in from the workstation and list its LUNs' : ''}`,
    async check(p, host, ctx) {
      const drv = d(host);
      const desired = p.desired as DesiredTarget;
      const [state, files, stats] = await Promise.all([drv.readState(), drv.readFileStates([p.confPath]), drv.stat(desired.luns.map((l) => l.path))]);
      const live = state.targets.find((t) => t.iqn === desired.iqn);
      if (!live) return { ok: false, reason: `verification: ${desired.iqn} is not running on ${drv.label}` };
      const drift = compareTarget(desired, live, state.accounts).map((i) => i.message);
      const file = files.get(p.confPath);
      if (!file || file.content !== renderTargetConf(desired)) drift.push(`${p.confPath} does not hold the expected content`);
      else if ((desired.incoming.length || desired.outgoing) && file.mode !== '600') drift.push(`${p.confPath} holds CHAP secrets but has mode ${file.mode}, not 0600`);
      if (drift.length) return { ok: false, reason: `verification on ${drv.label}: ${drift.join('; ')}`, found: drift };
      ctx.log(`tgtd and ${p.confPath} agree: tid ${live.tid}, ${live.luns.length - 1} LUN(s)`);
      const login = p.login && hosts.login ? await hosts.login(host, { iqn: desired.iqn, chap: desired.incoming[0], mutual: desired.outgoing }) : undefined;
      return ok({
        tid: live.tid,
        iqn: live.iqn,
        luns: live.luns.filter((l) => l.lun > 0).map((l) => {
          const s = stats.find((x) => x.path === l.path);
          return { lun: l.lun, path: l.path, sizeBytes: s?.size ?? null, allocatedBytes: s?.allocated ?? null, readonly: l.readonly };
        }),
        ...(login !== undefined ? { login } : {}),
      });
    },
  };

  const targetGone: CheckKind<z.infer<typeof GoneSchema>> = {
    kind: TARGET_GONE,
    schema: GoneSchema,
    describe: (p) => `${p.iqn} no longer runs${p.confPath ? ` and ${p.confPath} is gone` : ''}`,
    async check(p, host) {
      const drv = d(host);
      const st = await drv.readState();
      if (st.targets.some((t) => t.iqn === p.iqn)) return { ok: false, reason: `verification: ${p.iqn} still runs on ${drv.label}` };
      if (p.confPath && (await drv.digests([p.confPath])).get(p.confPath)) return { ok: false, reason: `verification: ${p.confPath} is still on ${drv.label}` };
      return ok({ deleted: p.iqn, backingFilesDeleted: p.backingFilesDeleted });
    },
  };

  const reconcileVerify: CheckKind<z.infer<typeof ReconcileVerifySchema>> = {
    kind: RECONCILE_VERIFY,
    schema: ReconcileVerifySchema,
    describe: (p) => `drift of ${p.iqns.join(', ') || 'no target'} read again`,
    async check(p, host) {
      const drv = d(host);
      const [st, confs] = await Promise.all([drv.readState(), drv.readConfFiles()]);
      const after = computeDrift(st, confs).targets.filter((t) => p.iqns.includes(t.iqn));
      return ok({ remaining: after.filter((t) => t.status !== 'in-sync').map((t) => ({ iqn: t.iqn, status: t.status, items: t.items.map((i) => i.message) })) });
    },
  };

  const all = [targetState, accountsAbsent, pathsAbsent, filesUnchanged, reconcileBase, targetVerify, targetGone, reconcileVerify] as unknown as CheckKind<never>[];
  return { targetState, accountsAbsent, pathsAbsent, filesUnchanged, reconcileBase, targetVerify, targetGone, reconcileVerify, all };
}
