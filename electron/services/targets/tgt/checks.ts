// The tgt stack's check kinds: read-only expectations a plan was built on (checked right before
// apply: `fresh`) and the read-back after apply (`verify`, whose results become the job result).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CheckKind, CheckOutcome } from '../../jobs/operation';
import { renderTargetConf, type ChapAccount, type DesiredTarget } from './conf';
import { compareTarget, computeDrift } from './drift';
import type { TgtHosts } from './ops';
import type { TgtTarget } from './parser';
import { tgtShownMB } from './target-op';

export const TARGET_STATE = 'tgt.target.state';
export const ACCOUNTS_ABSENT = 'tgt.accounts.absent';
export const PATHS_ABSENT = 'tgt.paths.absent';
export const FILES_UNCHANGED = 'tgt.files.unchanged';
export const RECONCILE_BASE = 'tgt.reconcile.base';
export const TARGET_VERIFY = 'tgt.target.verify';
export const TARGET_GONE = 'tgt.target.gone';
export const RECONCILE_VERIFY = 'tgt.reconcile.verify';
export const LUN_SIZE = 'tgt.lun.size';
export const SESSIONS_CLOSED = 'tgt.sessions.closed';
export const PORTALS_VERIFY = 'tgt.portals.verify';
export const NOT_IN_USE = 'tgt.unused';

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
const LunSizeSchema = z.object({ iqn: Str, lun: z.number().int(), path: Str, bytes: z.number().int(), device: z.boolean() }).strict();
const SessionsClosedSchema = z.object({ iqn: Str, nexuses: z.array(z.number().int()), timeoutMs: z.number().int().min(0).max(600_000) }).strict();
// file: null where no systemd unit starts tgtd (nothing persisted, only the live portals checked).
const PortalsVerifySchema = z.object({ portals: z.array(Str), file: Str.nullable(), content: Str.nullable() }).strict();

// Asked again just before a delete runs: an OpenNebula image or a hosted-engine domain may have come since the review.
const NotInUseSchema = z.object({ iqn: Str, lun: z.number().int().nullable() }).strict();

/** Who else uses a LUN or target (the UsageRegistry's answer), for the fresh check before a delete. */
export type UsageLookup = (ref: { serverId: string; iqn: string; lun?: number }) => Promise<{ owner: string; description: string; fix: string }[]>;

export type LoginCheck = (hostId: string, p: { iqn: string; chap?: ChapAccount; mutual?: ChapAccount }) => Promise<unknown>;

/** What the reconcile plan was built on: the chosen targets as they ran and every conf file. */
export function reconcileDigest(fps: string[], confs: { path: string; text: string }[]): string {
  return sha256(JSON.stringify(fps) + JSON.stringify(confs));
}

export function tgtCheckKinds(hosts: TgtHosts & { login?: LoginCheck; usage?: UsageLookup }) {
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

  /** After a resize: the backing store has the new size and tgtd serves it (in show's own MB, tgtShownMB). */
  const lunSize: CheckKind<z.infer<typeof LunSizeSchema>> = {
    kind: LUN_SIZE,
    schema: LunSizeSchema,
    describe: (p) => `LUN ${p.lun} of ${p.iqn} is ${p.bytes} bytes on disk and in tgtd`,
    async check(p, host) {
      const drv = d(host);
      const [st, [f]] = await Promise.all([drv.readState(), drv.stat([p.path])]);
      const l = st.targets.find((t) => t.iqn === p.iqn)?.luns.find((x) => x.lun === p.lun);
      if (!l) return { ok: false, reason: `verification: LUN ${p.lun} of ${p.iqn} is not listed on ${drv.label}` };
      const size = f?.exists ? f.size : -1;
      if (p.device ? size < p.bytes : size !== p.bytes) return { ok: false, reason: `verification: ${p.path} is ${size} bytes on ${drv.label}, not ${p.bytes}` };
      const shown = tgtShownMB(size) * 1e6;
      if (l.sizeBytes !== shown) return { ok: false, reason: `verification: tgtd on ${drv.label} still serves LUN ${p.lun} as ${l.sizeBytes / 1e6} MB, not ${shown / 1e6} MB` };
      return ok({ iqn: p.iqn, lun: p.lun, bytes: size, tgtMB: l.sizeBytes / 1e6 });
    },
  };

  /** After closing sessions: none of those I_T nexuses is listed any more (an initiator that logs in again gets a new one). */
  const sessionsClosed: CheckKind<z.infer<typeof SessionsClosedSchema>> = {
    kind: SESSIONS_CLOSED,
    schema: SessionsClosedSchema,
    describe: (p) => `sessions ${p.nexuses.join(', ')} of ${p.iqn} have ended`,
    async check(p, host, ctx) {
      const drv = d(host);
      const deadline = Date.now() + p.timeoutMs;
      for (;;) {
        const t = (await drv.readState(ctx)).targets.find((x) => x.iqn === p.iqn);
        const left = t ? t.sessions.filter((s) => p.nexuses.includes(s.nexus)) : [];
        if (!left.length) return ok({ iqn: p.iqn, closed: p.nexuses, relogged: t ? t.sessions.filter((s) => !p.nexuses.includes(s.nexus)).map((s) => s.initiator) : [] });
        if (Date.now() >= deadline || ctx.signal.aborted) return { ok: false, reason: `verification: tgtd on ${drv.label} still lists ${left.map((s) => `${s.initiator} (session ${s.nexus})`).join(', ')}` };
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };

  /** After a portal change: tgtd listens on exactly these portals and the drop-in holds what the plan wrote. */
  const portalsVerify: CheckKind<z.infer<typeof PortalsVerifySchema>> = {
    kind: PORTALS_VERIFY,
    schema: PortalsVerifySchema,
    describe: (p) => `tgtd listens on ${p.portals.join(', ')}${p.file ? ` and ${p.file} says so` : ''}`,
    async check(p, host) {
      const drv = d(host);
      const [st, files] = await Promise.all([drv.readState(), p.file ? drv.readFileStates([p.file]) : Promise.resolve(new Map<string, { content: string | null }>())]);
      const live = st.portals.map((x) => `${x.address}:${x.port}`).sort();
      const want = [...p.portals].sort();
      if (JSON.stringify(live) !== JSON.stringify(want)) return { ok: false, reason: `verification: tgtd on ${drv.label} listens on ${live.join(', ') || 'no portal'}, not ${want.join(', ')}` };
      if (p.file && (files.get(p.file)?.content ?? null) !== p.content) return { ok: false, reason: `verification: ${p.file} on ${drv.label} does not hold the expected portal list` };
      return ok({ portals: live, file: p.file });
    },
  };

  const notInUse: CheckKind<z.infer<typeof NotInUseSchema>> = {
    kind: NOT_IN_USE,
    schema: NotInUseSchema,
    describe: (p) => `nothing else uses ${p.lun !== null ? `LUN ${p.lun} of ` : ''}${p.iqn} (OpenNebula images, hosted-engine storage)`,
    async check(p, host) {
      if (!hosts.usage) return ok();
      const users = await hosts.usage({ serverId: host, iqn: p.iqn, ...(p.lun !== null ? { lun: p.lun } : {}) });
      if (!users.length) return ok();
      return { ok: false, reason: `${p.lun !== null ? `LUN ${p.lun} of ${p.iqn}` : p.iqn} came into use after the plan was made: ${users.map((u) => `${u.description} (${u.owner}): ${u.fix}`).join('; ')}` };
    },
  };

  const all = [targetState, accountsAbsent, pathsAbsent, filesUnchanged, reconcileBase, targetVerify, targetGone, reconcileVerify, lunSize, sessionsClosed, portalsVerify, notInUse] as unknown as CheckKind<never>[];
  return { targetState, accountsAbsent, pathsAbsent, filesUnchanged, reconcileBase, targetVerify, targetGone, reconcileVerify, lunSize, sessionsClosed, portalsVerify, all };
}
