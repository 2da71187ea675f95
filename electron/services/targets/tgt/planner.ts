// Plan builders for tgt targets: validated wizard input + live server state -> ExecPlan.
// Each step undoes itself if it fails half-way; the JobRunner undoes completed steps in reverse.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { PorticoError } from '../../../../shared/contract-kit';
import {
  formatSize, NETWORKS_NOTE, SIZE_UNIT_NOTE,
  type AccessEditInputSchema, type AccessSpec, type LunAddInputSchema, type LunSpec, type TargetDeleteInputSchema, type TargetSpec,
} from '../../../../shared/domain/target';
import { MASK } from '../../../../shared/plan';
import type { ExecPlan, ExecStep, StepContext } from '../../jobs/plan';
import { checkSpace, lvcreateArgv, planBackings, type PlannedBacking } from './backing';
import { NO_ADDRESS_PLACEHOLDER, isManagedConf, parseTargetConf, renderTargetConf, maskConf, type ChapAccount, type DesiredLun, type DesiredTarget } from './conf';
import { compareTarget, computeDrift, desiredFromLive, lunOps, opsForDesired } from './drift';
import type { ConfFile, TargetDriver, TargetOp, TargetState } from './driver';
import type { TgtTarget } from './parser';

export interface TgtServerContext {
  serverId: string;
  driver: TargetDriver;
  /** Optional check through the native initiator after apply (login, list LUNs and sizes). */
  verifyLogin?: (p: { iqn: string; chap?: ChapAccount; mutual?: ChapAccount }) => Promise<unknown>;
}

/** The planners take their call's parsed input (the schema's output: sizes in bytes, defaults set). */
export type LunAddSpec = z.output<typeof LunAddInputSchema>;
export type AccessEditSpec = z.output<typeof AccessEditInputSchema>;
export type TargetDeleteSpec = z.output<typeof TargetDeleteInputSchema>;

const lockKeys = (ctx: TgtServerContext) => [`host:${ctx.serverId}`];

function refuse(messages: string[], field?: string): never {
  throw new PorticoError('invalid-input', messages.join('\n'), field, { messages });
}

export function confPathFor(driver: TargetDriver, name: string): string {
  return `${driver.confDir}/${name}.conf`;
}

/** Stable identifiers chosen once per LUN and kept in the conf file. */
function newScsiIds(): { scsiId: string; scsiSn: string } {
  const sn = randomBytes(8).toString('hex');
  return { scsiId: `portico-${sn}`, scsiSn: sn };
}

function addressesFor(access: AccessSpec): string[] {
  return access.networks.length ? [...access.networks] : [NO_ADDRESS_PLACEHOLDER];
}

/** Stable fingerprint of a target for stale-plan detection (sessions excluded unless asked). */
function fingerprint(t: TgtTarget | undefined, withSessions = false): string {
  if (!t) return 'absent';
  return JSON.stringify({
    tid: t.tid, iqn: t.iqn,
    luns: t.luns.map((l) => [l.lun, l.path, l.scsiId, l.scsiSn, l.readonly]),
    a: t.aclAddresses, n: t.aclNames, acc: t.accounts,
    ...(withSessions ? { s: t.sessions.map((s) => s.initiator).sort() } : {}),
  });
}

interface Snapshot {
  state: TargetState;
  confs: ConfFile[];
}

async function readServer(d: TargetDriver): Promise<Snapshot> {
  const [state, confs] = await Promise.all([d.readState(), d.readConfFiles()]);
  return { state, confs };
}

/** The managed conf file defining `iqn`, parsed. */
function findConf(confs: ConfFile[], iqn: string): { file: ConfFile; desired: DesiredTarget } | null {
  for (const f of confs) {
    try {
      for (const d of parseTargetConf(f.text, f.path)) if (d.iqn === iqn) return { file: f, desired: d };
    } catch {
      // Unreadable files are reported by drift; here they just do not define the target.
    }
  }
  return null;
}

function opsText(d: TargetDriver, ops: readonly TargetOp[]): string {
  return ops.map((o) => d.describe(o)).join('\n');
}

/** A step that applies tgtadm ops in one round trip; its undo applies `undoOps` best-effort. */
function tgtStep(d: TargetDriver, title: string, ops: TargetOp[], undoOps: TargetOp[]): ExecStep {
  return {
    title,
    command: opsText(d, ops),
    undoCommand: undoOps.length ? opsText(d, undoOps) : null,
    run: async (c: StepContext) => {
      await d.apply(ops, { log: c.log, signal: c.signal });
    },
    undo: undoOps.length
      ? async (c: StepContext) => {
          await looseApply(d, undoOps, c);
        }
      : undefined,
  };
}

async function looseApply(d: TargetDriver, ops: TargetOp[], c: StepContext): Promise<void> {
  await d.applyLoose(ops, { log: c.log });
}

/** Writes the conf file atomically; undo puts back the file and its .prev exactly. */
function confStep(d: TargetDriver, path: string, content: string | null, title: string): ExecStep {
  let before: Map<string, Buffer | null> | null = null;
  return {
    title,
    command: content === null ? `mv ${path} ${path}.prev` : `write ${path} (temp file + rename; previous version kept as ${path}.prev)`,
    undoCommand: `restore ${path} and ${path}.prev as they were`,
    run: async (c) => {
      before = await d.readFiles([path, `${path}.prev`]);
      if (content === null) {
        const cur = before.get(path);
        if (cur) await d.restoreFiles(new Map([[`${path}.prev`, cur], [path, null]]), { log: c.log });
      } else {
        await d.writeFileAtomic(path, content, { log: c.log, signal: c.signal });
      }
    },
    undo: async (c) => {
      if (before) await d.restoreFiles(before, { log: c.log });
    },
  };
}

function backingSteps(d: TargetDriver, backings: PlannedBacking[]): ExecStep[] {
  const steps: ExecStep[] = [];
  const sparse = backings.filter((b) => b.kind === 'sparse');
  if (sparse.length) {
    const files = sparse.map((b) => ({ path: b.path, bytes: b.bytes! }));
    steps.push({
      title: `Create ${sparse.length} sparse backing file${sparse.length > 1 ? 's' : ''} on ${d.label}`,
      command: files.map((f) => `truncate -s ${f.bytes} ${f.path}   # ${formatSize(f.bytes)}, sparse`).join('\n'),
      undoCommand: `rm -f ${files.map((f) => f.path).join(' ')}`,
      run: (c) => d.createSparse(files, { log: c.log, signal: c.signal }),
      undo: (c) => d.removeFiles(files.map((f) => f.path), { log: c.log }),
    });
  }
  for (const b of backings.filter((x) => x.kind === 'full')) {
    steps.push({
      title: `Allocate ${formatSize(b.bytes!)} for ${b.path} (fully, zero-filled)`,
      command: `dd if=/dev/zero of=${b.path} bs=1M count=${Math.ceil(b.bytes! / 1048576)} conv=fsync   # ${b.bytes} bytes`,
      undoCommand: `rm -f ${b.path}`,
      run: (c) => d.createFull(b.path, b.bytes!, { log: c.log, signal: c.signal }),
      undo: (c) => d.removeFiles([b.path], { log: c.log }),
    });
  }
  for (const b of backings.filter((x) => x.kind === 'lvm')) {
    steps.push({
      title: `Create logical volume ${b.vg}/${b.lv} (${formatSize(b.bytes!)})`,
      command: lvcreateArgv(b.vg!, b.lv!, b.bytes!).join(' '),
      undoCommand: `lvremove -f ${b.vg}/${b.lv}`,
      run: async (c) => { await d.lvCreate(b.vg!, b.lv!, b.bytes!, { log: c.log, signal: c.signal }); },
      undo: (c) => d.lvRemove(b.vg!, b.lv!, { log: c.log }),
    });
  }
  return steps;
}

/** Checks shared by create and add-LUN: paths free, devices real, LVM present, space. */
async function checkBackings(d: TargetDriver, st: TargetState, backings: PlannedBacking[], errors: string[], warnings: string[]): Promise<void> {
  const usedByLuns = new Map<string, string>();
  for (const t of st.targets) for (const l of t.luns) if (l.path) usedByLuns.set(l.path, `${t.iqn} LUN ${l.lun}`);
  const [stats, storage, space, lvm] = await Promise.all([
    d.stat(backings.map((b) => b.path)),
    d.listStorage(),
    d.space(d.storageDir),
    backings.some((b) => b.kind === 'lvm') ? d.hasLvm() : Promise.resolve(true),
  ]);
  backings.forEach((b, i) => {
    const s = stats[i];
    const field = `LUN ${b.lun} backing`;
    const user = usedByLuns.get(b.path);
    if (user) errors.push(`${field}: ${b.path} is already exported as ${user}`);
    else if (b.kind === 'device') {
      if (s.kind !== 'block') errors.push(`${field}: ${b.path} is not a block device on ${d.label}`);
    } else if (s.exists) errors.push(`${field}: ${b.path} already exists on ${d.label}; choose another file name`);
  });
  if (!lvm) errors.push(`LUN backing: ${d.label} has no LVM (lvcreate or device-mapper missing); use a file or an existing device`);
  const v = checkSpace(backings, space, storage);
  if (v.error) errors.push(`LUN size: ${v.error}`);
  if (v.warning) warnings.push(v.warning);
}

function lunFromBacking(b: PlannedBacking, l: LunSpec): DesiredLun {
  const ids = { scsiId: l.scsiId ?? '', scsiSn: l.serial ?? '' };
  const gen = newScsiIds();
  return {
    lun: b.lun,
    path: b.path,
    scsiId: ids.scsiId || gen.scsiId,
    scsiSn: ids.scsiSn || gen.scsiSn,
    readonly: l.readonly,
    ...(l.vendorId ? { vendorId: l.vendorId } : {}),
    ...(l.productId ? { productId: l.productId } : {}),
    kind: b.kind,
    ...(b.bytes !== null ? { sizeBytes: b.bytes } : {}),
  };
}

function chapAccounts(access: AccessSpec): { incoming: ChapAccount[]; outgoing?: ChapAccount } {
  if (!access.chap) return { incoming: [] };
  return {
    incoming: [{ user: access.chap.user, password: access.chap.secret }],
    ...(access.chap.mutual ? { outgoing: { user: access.chap.mutual.user, password: access.chap.mutual.secret } } : {}),
  };
}

function secretsOf(d: DesiredTarget): string[] {
  return [...d.incoming.map((a) => a.password), ...(d.outgoing ? [d.outgoing.password] : [])].filter(Boolean);
}

/** After apply: the running target must match the file exactly, and the file must be on disk. */
async function verifyTarget(ctx: TgtServerContext, desired: DesiredTarget, c: StepContext) {
  const d = ctx.driver;
  const confPath = confPathFor(d, desired.name);
  const [{ state, confs }, stats] = await Promise.all([readServer(d), d.stat(desired.luns.map((l) => l.path))]);
  const live = state.targets.find((t) => t.iqn === desired.iqn);
  if (!live) throw new Error(`verification: ${desired.iqn} is not running on ${d.label}`);
  const drift = compareTarget(desired, live, state.accounts).map((i) => i.message);
  const file = confs.find((f) => f.path === confPath);
  if (!file || file.text !== renderTargetConf(desired)) drift.push(`${confPath} does not hold the expected content`);
  if (drift.length) throw new Error(`verification on ${d.label}: ${drift.join('; ')}`);
  c.log(`tgtd and ${confPath} agree: tid ${live.tid}, ${live.luns.length - 1} LUN(s)`);
  const login = ctx.verifyLogin ? await ctx.verifyLogin({ iqn: desired.iqn, chap: desired.incoming[0], mutual: desired.outgoing }) : undefined;
  return {
    tid: live.tid,
    iqn: live.iqn,
    luns: live.luns.filter((l) => l.lun > 0).map((l) => {
      const s = stats.find((x) => x.path === l.path);
      return { lun: l.lun, path: l.path, sizeBytes: s?.size ?? null, allocatedBytes: s?.allocated ?? null, readonly: l.readonly };
    }),
    ...(login !== undefined ? { login } : {}),
  };
}

function versionWarning(version: string): string | null {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return `tgt version "${version}" is unknown; address and initiator rules may combine differently`;
  const n = Number(m[1]) * 1e6 + Number(m[2]) * 1e3 + Number(m[3]);
  return n < 1000083 ? `tgt ${version} requires BOTH an address and an initiator-name rule to match (tgt >= 1.0.83 allows either)` : null;
}

// ---------------------------------------------------------------- create

/** `t` is the schema's parsed output (sizes in bytes): the router validated it with TargetInputSchema. */
export async function planTargetCreate(ctx: TgtServerContext, t: TargetSpec): Promise<ExecPlan> {
  if (t.serverId !== ctx.serverId) refuse([`Server: this plan is for ${ctx.serverId}, not ${t.serverId}`], 'serverId');
  const d = ctx.driver;
  const [{ state, confs }, sys] = await Promise.all([readServer(d), d.readSystem()]);
  const errors: string[] = [];
  const warnings: string[] = [SIZE_UNIT_NOTE];
  const confPath = confPathFor(d, t.name);
  const clash = state.targets.find((x) => x.iqn === t.iqn);
  if (clash) errors.push(`IQN: ${t.iqn} already exists on ${d.label} (tid ${clash.tid}); choose another name`);
  else if (findConf(confs, t.iqn)) errors.push(`IQN: ${t.iqn} is defined in a conf file on ${d.label} although not running; reconcile or choose another name`);
  if (confs.some((f) => f.path === confPath)) errors.push(`Name: ${confPath} already exists on ${d.label}; choose another name`);
  const chap = chapAccounts(t.access);
  for (const a of [...chap.incoming, ...(chap.outgoing ? [chap.outgoing] : [])]) {
    if (state.accounts.includes(a.user)) errors.push(`CHAP user: ${a.user} already exists on ${d.label}; tgt accounts are shared by all targets, so choose a new user name`);
  }
  const taken = new Set<string>();
  for (const x of state.targets) for (const l of x.luns) if (l.path) taken.add(l.path);
  const bp = planBackings({ storageDir: d.storageDir, base: t.file ?? t.name, luns: t.luns, firstLun: 1, firstIndex: 0, taken, skipTaken: false });
  errors.push(...bp.errors);
  if (!errors.length) await checkBackings(d, state, bp.backings, errors, warnings);
  if (errors.length) refuse(errors);
  const vw = versionWarning(sys.version);
  if (vw) warnings.push(vw);
  warnings.push(NETWORKS_NOTE);
  if (!t.access.networks.length) warnings.push(`Only the listed initiator names may log in; the file gets the never-matching address ${NO_ADDRESS_PLACEHOLDER} so that tgt-admin does not bind ALL after a restart.`);

  const tid = Math.max(0, ...state.targets.map((x) => x.tid)) + 1;
  const desired: DesiredTarget = {
    iqn: t.iqn,
    name: t.name,
    ...(t.comment ? { comment: t.comment } : {}),
    ...(t.alias ? { alias: t.alias } : {}),
    luns: bp.backings.map((b, i) => lunFromBacking(b, t.luns[i])),
    addresses: addressesFor(t.access),
    names: [...t.access.initiators],
    ...chap,
  };
  const content = renderTargetConf(desired);
  const ops = opsForDesired(desired, tid, state.accounts);
  const createdAccounts = ops.filter((o): o is Extract<TargetOp, { op: 'account-new' }> => o.op === 'account-new').map((o) => o.user);
  const undoOps: TargetOp[] = [{ op: 'target-delete', tid, iqn: t.iqn, force: true }, ...createdAccounts.map((user) => ({ op: 'account-delete' as const, user }))];
  const paths = bp.backings.map((b) => b.path);
  return {
    kind: 'tgt.target.create',
    title: `Create target ${t.iqn} on ${d.label}`,
    hostIds: [ctx.serverId],
    lockKeys: lockKeys(ctx),
    steps: [
      ...backingSteps(d, bp.backings),
      tgtStep(d, `Create target ${t.iqn} (tid ${tid}) with ${desired.luns.length} LUN(s), access rules${chap.incoming.length ? ' and CHAP' : ''}`, ops, undoOps),
      confStep(d, confPath, content, `Persist to ${confPath}`),
    ],
    warnings,
    artifacts: [{ name: confPath, content: renderTargetConf(desired, { mask: true }) }],
    secrets: secretsOf(desired),
    checkFresh: async () => {
      const [now, st] = await Promise.all([readServer(d), d.stat(paths)]);
      if (now.state.targets.some((x) => x.iqn === t.iqn)) return `${t.iqn} now exists`;
      if (now.state.targets.some((x) => x.tid === tid)) return `tid ${tid} is now taken`;
      if (now.confs.some((f) => f.path === confPath)) return `${confPath} now exists`;
      const f = st.find((s, i) => bp.backings[i].kind !== 'device' && s.exists);
      if (f) return `${f.path} now exists`;
      const acc = createdAccounts.find((u) => now.state.accounts.includes(u));
      if (acc) return `CHAP account ${acc} now exists`;
      return null;
    },
    verify: (c) => verifyTarget(ctx, desired, c),
  };
}

// ---------------------------------------------------------------- existing targets

interface Existing {
  state: TargetState;
  confs: ConfFile[];
  live: TgtTarget;
  desired: DesiredTarget;
  confPath: string;
}

async function loadExisting(ctx: TgtServerContext, iqn: string, allowUnmanagedNoChap: boolean): Promise<Existing> {
  const d = ctx.driver;
  const { state, confs } = await readServer(d);
  const live = state.targets.find((t) => t.iqn === iqn);
  if (!live) refuse([`IQN: ${iqn} does not run on ${d.label}`], 'iqn');
  const found = findConf(confs, iqn);
  if (found) {
    if (!isManagedConf(found.file.text)) refuse([`IQN: ${iqn} is defined in ${found.file.path}, which Portico did not write; edit that file or move the target to a Portico file first`], 'iqn');
    const name = found.desired.name || found.file.path.replace(/^.*\//, '').replace(/\.conf$/, '');
    return { state, confs, live, desired: { ...found.desired, name }, confPath: found.file.path };
  }
  if (!allowUnmanagedNoChap || live.accounts.length) {
    refuse([`IQN: ${iqn} runs on ${d.label} but no conf file defines it${live.accounts.length ? ' and its CHAP secrets are unknown' : ''}; it would not survive a restart. Recreate it with the wizard.`], 'iqn');
  }
  // Adopt a CHAP-less running target: its file is written from the live state.
  const name = iqn.replace(/^.*:/, '').replace(/[^a-z0-9.-]/g, '-') || `tid${live.tid}`;
  return { state, confs, live, desired: desiredFromLive(live, name), confPath: confPathFor(d, name) };
}

function freshCheck(d: TargetDriver, iqn: string, fp: string, withSessions = false): ExecPlan['checkFresh'] {
  return async () => {
    const st = await d.readState();
    const now = fingerprint(st.targets.find((t) => t.iqn === iqn), withSessions);
    return now === fp ? null : `${iqn} changed on ${d.label}${withSessions ? ' (LUNs, rules, accounts or connected initiators)' : ''}`;
  };
}

export async function planLunAdd(ctx: TgtServerContext, a: LunAddSpec): Promise<ExecPlan> {
  const d = ctx.driver;
  const ex = await loadExisting(ctx, a.iqn, true);
  const errors: string[] = [];
  const warnings: string[] = [SIZE_UNIT_NOTE];
  const first = Math.max(0, ...ex.live.luns.map((l) => l.lun), ...ex.desired.luns.map((l) => l.lun)) + 1;
  const taken = new Set<string>();
  for (const t of ex.state.targets) for (const l of t.luns) if (l.path) taken.add(l.path);
  for (const f of await d.listStorage()) taken.add(f.path);
  const base = ex.desired.luns.find((l) => l.kind === 'sparse' || l.kind === 'full')?.path.replace(/^.*\//, '').replace(/_\d+$/, '') ?? ex.desired.name;
  const bp = planBackings({ storageDir: d.storageDir, base, luns: a.luns, firstLun: first, firstIndex: 1, taken, skipTaken: true });
  errors.push(...bp.errors);
  if (!errors.length) await checkBackings(d, ex.state, bp.backings, errors, warnings);
  if (errors.length) refuse(errors);
  if (ex.live.sessions.length) warnings.push(`Connected initiators (${ex.live.sessions.map((s) => s.initiator).join(', ')}) see the new LUNs after a rescan.`);
  const newLuns = bp.backings.map((b, i) => lunFromBacking(b, a.luns[i]));
  const desired: DesiredTarget = { ...ex.desired, luns: [...ex.desired.luns, ...newLuns] };
  const ops = newLuns.flatMap((l) => lunOps(ex.live.tid, l));
  const undo = [...newLuns].reverse().map((l) => ({ op: 'lun-delete' as const, tid: ex.live.tid, lun: l.lun }));
  return {
    kind: 'tgt.lun.add',
    title: `Add ${newLuns.length} LUN(s) to ${a.iqn} on ${d.label}`,
    hostIds: [ctx.serverId],
    lockKeys: lockKeys(ctx),
    steps: [
      ...backingSteps(d, bp.backings),
      tgtStep(d, `Add LUN ${newLuns.map((l) => l.lun).join(', ')} to ${a.iqn} (tid ${ex.live.tid})`, ops, undo),
      confStep(d, ex.confPath, renderTargetConf(desired), `Persist to ${ex.confPath}`),
    ],
    warnings,
    artifacts: [{ name: ex.confPath, content: renderTargetConf(desired, { mask: true }) }],
    secrets: secretsOf(desired),
    checkFresh: freshCheck(d, a.iqn, fingerprint(ex.live)),
    verify: (c) => verifyTarget(ctx, desired, c),
  };
}

export async function planAccessEdit(ctx: TgtServerContext, a: AccessEditSpec): Promise<ExecPlan> {
  const d = ctx.driver;
  const ex = await loadExisting(ctx, a.iqn, true);
  const tid = ex.live.tid;
  const old = ex.desired;
  const chap = chapAccounts(a.access);
  const desired: DesiredTarget = { ...old, addresses: addressesFor(a.access), names: [...a.access.initiators], incoming: chap.incoming, outgoing: chap.outgoing };
  const errors: string[] = [];
  const warnings: string[] = [NETWORKS_NOTE];
  const ops: TargetOp[] = [];
  const undo: TargetOp[] = [];
  // Remove first, then add: for the split second in between the target is closed, never wider open.
  const liveA = ex.live.aclAddresses;
  const liveN = ex.live.aclNames;
  for (const x of liveA.filter((x) => !desired.addresses.includes(x))) ops.push({ op: 'unbind-address', tid, address: x });
  for (const x of liveN.filter((x) => !desired.names.includes(x))) ops.push({ op: 'unbind-name', tid, name: x });
  // Accounts: tgt has no password update, so a changed secret is delete + new + bind.
  const oldAcc = [...old.incoming.map((x) => ({ ...x, outgoing: false })), ...(old.outgoing ? [{ ...old.outgoing, outgoing: true }] : [])];
  const newAcc = [...desired.incoming.map((x) => ({ ...x, outgoing: false })), ...(desired.outgoing ? [{ ...desired.outgoing, outgoing: true }] : [])];
  const same = (x: (typeof oldAcc)[number], y: (typeof oldAcc)[number]) => x.user === y.user && x.password === y.password && x.outgoing === y.outgoing;
  const boundElsewhere = (user: string) => ex.state.targets.some((t) => t.tid !== tid && t.accounts.some((q) => q.user === user));
  const deleted = new Set<string>();
  for (const o of oldAcc.filter((o) => !newAcc.some((n) => same(o, n)))) {
    if (ex.live.accounts.some((q) => q.user === o.user && q.outgoing === o.outgoing)) ops.push({ op: 'account-unbind', tid, user: o.user, outgoing: o.outgoing });
    const changedSecret = newAcc.some((n) => n.user === o.user && n.password !== o.password);
    if (changedSecret && boundElsewhere(o.user)) errors.push(`CHAP secret: account ${o.user} is also used by another target; changing its secret here would change it there too. Use a new user name.`);
    if (!boundElsewhere(o.user) && ex.state.accounts.includes(o.user) && !deleted.has(o.user)) {
      ops.push({ op: 'account-delete', user: o.user });
      deleted.add(o.user);
    }
  }
  const accountsAfter = ex.state.accounts.filter((u) => !deleted.has(u));
  for (const n of newAcc.filter((n) => !oldAcc.some((o) => same(o, n)))) {
    if (!accountsAfter.includes(n.user)) {
      ops.push({ op: 'account-new', user: n.user, password: n.password });
      accountsAfter.push(n.user);
    } else if (!oldAcc.some((o) => o.user === n.user)) {
      errors.push(`CHAP user: ${n.user} already exists on ${d.label}; tgt accounts are shared by all targets, so choose a new user name`);
    }
    ops.push({ op: 'account-bind', tid, user: n.user, outgoing: n.outgoing });
  }
  for (const x of desired.addresses.filter((x) => !liveA.includes(x))) ops.push({ op: 'bind-address', tid, address: x });
  for (const x of desired.names.filter((x) => !liveN.includes(x))) ops.push({ op: 'bind-name', tid, name: x });
  if (errors.length) refuse(errors);
  // Undo: reverse each op; deleted accounts come back with their old secret from the conf file.
  for (const o of [...ops].reverse()) {
    if (o.op === 'account-delete') {
      const prev = oldAcc.find((x) => x.user === o.user);
      if (prev?.password) undo.push({ op: 'account-new', user: o.user, password: prev.password });
    } else {
      const inv = d.inverse(o);
      if (inv) undo.push(inv);
    }
  }
  if (ex.live.sessions.length) warnings.push(`Connected initiators keep their sessions until they log out: ${ex.live.sessions.map((s) => `${s.initiator} (${s.connections.map((c) => c.address).join(', ')})`).join('; ')}.`);
  const steps: ExecStep[] = [];
  if (ops.length) steps.push(tgtStep(d, `Change access rules of ${a.iqn} (tid ${tid})`, ops, undo));
  const content = renderTargetConf(desired);
  if (!ex.confs.some((f) => f.path === ex.confPath && f.text === content)) steps.push(confStep(d, ex.confPath, content, `Persist to ${ex.confPath}`));
  return {
    kind: 'tgt.access.edit',
    title: `Edit access of ${a.iqn} on ${d.label}`,
    hostIds: [ctx.serverId],
    lockKeys: lockKeys(ctx),
    steps,
    warnings,
    artifacts: [{ name: ex.confPath, content: renderTargetConf(desired, { mask: true }) }],
    secrets: [...secretsOf(desired), ...secretsOf(old)],
    checkFresh: freshCheck(d, a.iqn, fingerprint(ex.live)),
    verify: (c) => verifyTarget(ctx, desired, c),
  };
}

export interface ConnectedInitiator {
  initiator: string;
  addresses: string[];
}

export async function planTargetDelete(ctx: TgtServerContext, a: TargetDeleteSpec): Promise<ExecPlan> {
  const d = ctx.driver;
  const { state, confs } = await readServer(d);
  const live = state.targets.find((t) => t.iqn === a.iqn);
  if (!live) refuse([`IQN: ${a.iqn} does not run on ${d.label}`], 'iqn');
  const found = findConf(confs, a.iqn);
  if (found && !isManagedConf(found.file.text)) refuse([`IQN: ${a.iqn} is defined in ${found.file.path}, which Portico did not write; remove it there`], 'iqn');
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
  const files = desired.luns.filter((l) => l.path.startsWith(d.storageDir + '/'));
  const stats = await d.stat(files.map((f) => f.path));
  if (connected.length) warnings.push(`Forced: the sessions of ${connected.map((c) => c.initiator).join(', ')} are torn down; their I/O fails.`);
  // Accounts used only by this target go with it; their secrets come back from the file on undo.
  const own = live.accounts.map((x) => x.user).filter((u) => !state.targets.some((t) => t.tid !== tid && t.accounts.some((q) => q.user === u)));
  const secretOf = (u: string) => [...desired.incoming, ...(desired.outgoing ? [desired.outgoing] : [])].find((x) => x.user === u)?.password;
  const delAccounts = own.filter((u) => secretOf(u));
  const ops: TargetOp[] = [{ op: 'target-delete', tid, iqn: a.iqn, force: connected.length > 0 }, ...delAccounts.map((user) => ({ op: 'account-delete' as const, user }))];
  // Undo rebuilds the target as it runs now (LUNs with their ids, rules, accounts).
  const rebuild: DesiredTarget = { ...desiredFromLive(live, desired.name), incoming: desired.incoming, outgoing: desired.outgoing };
  const undo = opsForDesired(rebuild, tid, state.accounts.filter((u) => !delAccounts.includes(u)));
  const steps: ExecStep[] = [tgtStep(d, `Delete target ${a.iqn} (tid ${tid})${connected.length ? ' with --force' : ''}`, ops, undo)];
  if (found) steps.push(confStep(d, found.file.path, null, `Remove ${found.file.path} (kept as ${found.file.path}.prev)`));
  const removable = stats.filter((s) => s.exists && s.kind === 'file');
  if (a.deleteBackingFiles && removable.length) {
    steps.push({
      title: `Delete ${removable.length} backing file(s), ${formatSize(removable.reduce((n, s) => n + s.allocated, 0))} allocated`,
      command: `rm -f ${removable.map((s) => s.path).join(' ')}`,
      undoCommand: null,
      run: (c) => d.removeFiles(removable.map((s) => s.path), { log: c.log }),
    });
    warnings.push(`Backing files are deleted for good: ${removable.map((s) => `${s.path} (${formatSize(s.size)} apparent, ${formatSize(s.allocated)} allocated)`).join(', ')}.`);
  }
  return {
    kind: 'tgt.target.delete',
    title: `Delete target ${a.iqn} on ${d.label}`,
    hostIds: [ctx.serverId],
    lockKeys: lockKeys(ctx),
    steps,
    warnings,
    artifacts: [],
    secrets: secretsOf(desired),
    checkFresh: freshCheck(d, a.iqn, fingerprint(live, true), true),
    verify: async () => {
      const st = await d.readState();
      if (st.targets.some((t) => t.iqn === a.iqn)) throw new Error(`verification: ${a.iqn} still runs on ${d.label}`);
      return { deleted: a.iqn, backingFilesDeleted: a.deleteBackingFiles ? removable.map((s) => s.path) : [] };
    },
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

// ---------------------------------------------------------------- reconcile

export async function planReconcile(ctx: TgtServerContext, input: { serverId: string; iqn?: string }): Promise<ExecPlan> {
  const d = ctx.driver;
  const { state, confs } = await readServer(d);
  const report = computeDrift(state, confs);
  const chosen = report.targets.filter((t) => (!input.iqn || t.iqn === input.iqn) && t.managed && (t.status === 'drift' || t.status === 'not-running'));
  const steps: ExecStep[] = [];
  const warnings: string[] = [];
  const secrets: string[] = [];
  for (const t of chosen) {
    const ops: TargetOp[] = [];
    for (const it of t.items) {
      if (it.blocked) warnings.push(`${t.iqn}: not fixed automatically: ${it.message} (${it.blocked})`);
      else ops.push(...it.fix);
    }
    for (const o of ops) if (o.op === 'account-new') secrets.push(o.password);
    if (!ops.length) continue;
    const undo: TargetOp[] = [];
    const live = state.targets.find((x) => x.iqn === t.iqn);
    for (const o of [...ops].reverse()) {
      if (o.op === 'lun-params' && live) {
        const l = live.luns.find((x) => x.lun === o.lun);
        if (l) undo.push({ op: 'lun-params', tid: o.tid, lun: o.lun, params: { scsi_id: l.scsiId, scsi_sn: l.scsiSn, readonly: l.readonly ? 1 : 0 } });
        continue;
      }
      const inv = d.inverse(o);
      if (inv) undo.push(inv);
    }
    steps.push(tgtStep(d, t.status === 'not-running' ? `Start ${t.iqn} from ${t.file} (tid ${t.tid})` : `Bring ${t.iqn} (tid ${t.tid}) in line with ${t.file}`, ops, undo));
  }
  const fp = JSON.stringify(chosen.map((t) => fingerprint(state.targets.find((x) => x.iqn === t.iqn)))) + JSON.stringify(confs);
  return {
    kind: 'tgt.reconcile',
    title: input.iqn ? `Reconcile ${input.iqn} on ${d.label}` : `Reconcile all targets on ${d.label}`,
    hostIds: [ctx.serverId],
    lockKeys: lockKeys(ctx),
    steps,
    warnings,
    artifacts: [],
    secrets,
    checkFresh: async () => {
      const now = await readServer(d);
      const nfp = JSON.stringify(chosen.map((t) => fingerprint(now.state.targets.find((x) => x.iqn === t.iqn)))) + JSON.stringify(now.confs);
      return nfp === fp ? null : `targets or conf files changed on ${d.label}`;
    },
    verify: async () => {
      const now = await readServer(d);
      const after = computeDrift(now.state, now.confs).targets.filter((t) => chosen.some((c) => c.iqn === t.iqn));
      return { remaining: after.filter((t) => t.status !== 'in-sync').map((t) => ({ iqn: t.iqn, status: t.status, items: t.items.map((i) => i.message) })) };
    },
  };
}

/** Masks every secret of a plan in a text (for tests and exports). */
export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join(MASK);
  return out;
}

export { maskConf };
