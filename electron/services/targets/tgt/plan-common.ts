// What the tgt planners share: the server context, reading the server, backing-store checks and
// operations, conf-file writes (file.put with the pre-state read now), and the existing-target loader.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { PorticoError } from '../../../../shared/contract-kit';
import { aclStrictlyContains, formatSize, type AccessEditInputSchema, type AccessSpec, type LunAddInputSchema, type LunSpec, type TargetDeleteInputSchema } from '../../../../shared/domain/target';
import type { Check, Operation, PlanStep } from '../../jobs/operation';
import { filePut, type FileState } from '../../remote/files';
import { checkSpace, type PlannedBacking } from './backing';
import { FILES_UNCHANGED, PATHS_ABSENT, sha256, TARGET_VERIFY } from './checks';
import { NO_ADDRESS_PLACEHOLDER, isManagedConf, parseTargetConf, type ChapAccount, type DesiredLun, type DesiredTarget } from './conf';
import { desiredFromLive } from './drift';
import type { ConfFile, SpaceInfo, TargetDriver, TargetState } from './driver';
import { inUseFindings, inUseVerdict, type BlockDevice } from './lsblk';
import { FULL, LV_CREATE, SPARSE } from './ops';
import type { TgtTarget } from './parser';
import type { LunRef, LunUser } from '../../usage';

export interface TgtServerContext {
  serverId: string;
  driver: TargetDriver;
  /** After apply, also log in through the native initiator (the tgt.target.verify check's login). */
  verifyLogin?: boolean;
  /** How long a forced delete waits for the closed sessions to end (default SESSIONS_GONE_TIMEOUT_MS). */
  sessionsGoneTimeoutMs?: number;
  /** Who else uses a LUN or target (other features' checks, e.g. OpenNebula images): asked before removing one. */
  usage?: (ref: LunRef) => Promise<LunUser[]>;
}

/**
 * Refuses removing a LUN (or a whole target) that another feature reports in use, naming every
 * user and how to release it.
 */
export async function refuseIfUsed(ctx: TgtServerContext, ref: LunRef, field: string): Promise<void> {
  const users = ctx.usage ? await ctx.usage(ref) : [];
  if (!users.length) return;
  const what = ref.lun !== undefined ? `LUN ${ref.lun} of ${ref.iqn}` : ref.iqn;
  throw new PorticoError('in-use', [`${field === 'lun' ? 'LUN' : 'IQN'}: ${what} is in use by ${users.length} ${users.length === 1 ? 'user' : 'users'}; release ${users.length === 1 ? 'it' : 'them'} first:`, ...users.map((u) => `${u.description} (${u.owner}): ${u.fix}`)].join('\n'), field, { users });
}

/** The planners take their call's parsed input (the schema's output: sizes in bytes, defaults set). */
export type LunAddSpec = z.output<typeof LunAddInputSchema>;
export type AccessEditSpec = z.output<typeof AccessEditInputSchema>;
export type TargetDeleteSpec = z.output<typeof TargetDeleteInputSchema>;

export const lockKeys = (ctx: TgtServerContext) => [`host:${ctx.serverId}`];

/**
 * Refuses a plan with every message. `fields` maps input paths (luns.0.backing.confirmInUse) to
 * the message that belongs under that field: the form kit shows each there and the rest above the
 * form; `field` (default: the first of them) is the one path older clients route the whole text to.
 */
export function refuse(messages: string[], field?: string, fields: Record<string, string> = {}): never {
  const f = field ?? Object.keys(fields)[0];
  throw new PorticoError('invalid-input', messages.join('\n'), f, Object.keys(fields).length ? { messages, fields } : { messages });
}

export function confPathFor(driver: Pick<TargetDriver, 'confDir'>, name: string): string {
  return `${driver.confDir}/${name}.conf`;
}

export const prevPathOf = (confPath: string) => `${confPath}.prev`;

/** Stable identifiers chosen once per LUN and kept in the conf file. */
function newScsiIds(): { scsiId: string; scsiSn: string } {
  const sn = randomBytes(8).toString('hex');
  return { scsiId: `portico-${sn}`, scsiSn: sn };
}

export function addressesFor(access: Pick<AccessSpec, 'networks'>): string[] {
  return access.networks.length ? [...access.networks] : [NO_ADDRESS_PLACEHOLDER];
}

export interface Snapshot {
  state: TargetState;
  confs: ConfFile[];
}

export async function readServer(d: TargetDriver): Promise<Snapshot> {
  const [state, confs] = await Promise.all([d.readState(), d.readConfFiles()]);
  return { state, confs };
}

/** The conf file defining `iqn`, parsed. */
export function findConf(confs: ConfFile[], iqn: string): { file: ConfFile; desired: DesiredTarget } | null {
  for (const f of confs) {
    try {
      for (const d of parseTargetConf(f.text, f.path)) if (d.iqn === iqn) return { file: f, desired: d };
    } catch {
      // Unreadable files are reported by drift; here they just do not define the target.
    }
  }
  return null;
}

/** Backing stores to create, as plan steps: all sparse files in one step (one round trip), each full file and LV in its own. */
export function backingSteps(host: string, label: string, backings: PlannedBacking[]): PlanStep[] {
  const steps: PlanStep[] = [];
  const sparse = backings.filter((b) => b.kind === 'sparse');
  if (sparse.length) {
    steps.push({
      title: `Create ${sparse.length} sparse backing file${sparse.length > 1 ? 's' : ''} on ${label}`,
      ops: sparse.map((b) => ({ kind: SPARSE, host, params: { path: b.path, bytes: b.bytes! } })),
    });
  }
  for (const b of backings.filter((x) => x.kind === 'full')) {
    steps.push({ title: `Allocate ${formatSize(b.bytes!)} for ${b.path} (fully, zero-filled)`, ops: [{ kind: FULL, host, params: { path: b.path, bytes: b.bytes! } }] });
  }
  for (const b of backings.filter((x) => x.kind === 'lvm')) {
    steps.push({ title: `Create logical volume ${b.vg}/${b.lv} (${formatSize(b.bytes!)})`, ops: [{ kind: LV_CREATE, host, params: { vg: b.vg!, lv: b.lv!, bytes: b.bytes! } }] });
  }
  return steps;
}

/** Fresh check: the new backing files' paths are still free. */
export function backingsFree(host: string, backings: PlannedBacking[]): Check[] {
  const paths = backings.filter((b) => b.kind === 'sparse' || b.kind === 'full').map((b) => b.path);
  return paths.length ? [{ kind: PATHS_ABSENT, host, params: { paths } }] : [];
}

/** What checkBackings found besides its errors and warnings. */
export interface BackingCheck {
  /** The storage folder's free space (measured on its nearest existing parent while it does not exist). */
  space: SpaceInfo;
  /** Devices found in use and exported anyway, as the admin confirmed by typing their path: the plan's dangers. */
  dangers: string[];
}

/** The input field where the admin confirms exporting the device of `luns[index]` although it is in use. */
export const confirmInUseField = (index: number) => `luns.${index}.backing.confirmInUse`;

/**
 * Checks shared by create and add-LUN (paths free, devices real and not in use, LVM present,
 * space). `luns` is the input the backings were planned from, one per backing in the same order
 * (planBackings keeps it when it reports no error, and only then are backings checked). An
 * existing device is read with lsblk: one in use (or that could not be read) is refused with its
 * findings under its confirmInUse field (`fields`), unless the admin typed its path there; then
 * it is a danger of the plan.
 */
export async function checkBackings(
  d: TargetDriver, st: TargetState, backings: PlannedBacking[], luns: readonly LunSpec[],
  errors: string[], warnings: string[], fields: Record<string, string> = {},
): Promise<BackingCheck> {
  if (luns.length !== backings.length) throw new Error(`checkBackings: ${backings.length} backings for ${luns.length} LUNs`);
  const usedByLuns = new Map<string, string>();
  for (const t of st.targets) for (const l of t.luns) if (l.path) usedByLuns.set(l.path, `${t.iqn} LUN ${l.lun}`);
  const devices = backings.filter((b) => b.kind === 'device' && !usedByLuns.has(b.path)).map((b) => b.path);
  const [stats, storage, space, lvm, seen] = await Promise.all([
    d.stat(backings.map((b) => b.path)),
    d.listStorage(),
    d.space(d.storageDir),
    backings.some((b) => b.kind === 'lvm') ? d.hasLvm() : Promise.resolve(true),
    devices.length ? d.inspectDevices(devices) : Promise.resolve(new Map<string, BlockDevice | { unchecked: string }>()),
  ]);
  const dangers: string[] = [];
  backings.forEach((b, i) => {
    const s = stats[i];
    const field = `LUN ${b.lun} backing`;
    const user = usedByLuns.get(b.path);
    if (user) errors.push(`${field}: ${b.path} is already exported as ${user}`);
    else if (b.kind === 'device') {
      if (s.kind !== 'block') errors.push(`${field}: ${b.path} is not a block device on ${d.label}`);
      else {
        const dev = seen.get(b.path) ?? { unchecked: 'lsblk gave no answer' };
        const input = luns[i].backing;
        const confirm = input.kind === 'device' ? input.confirmInUse : undefined;
        const v = inUseVerdict(b.path, 'unchecked' in dev ? dev : inUseFindings(dev), confirm, field, d.label);
        if (!v.ok) {
          errors.push(v.error);
          fields[confirmInUseField(i)] = v.error;
        } else if (v.danger) dangers.push(v.danger);
      }
    } else if (s.exists) errors.push(`${field}: ${b.path} already exists on ${d.label}; choose another file name`);
  });
  if (!lvm) errors.push(`LUN backing: ${d.label} has no LVM (lvcreate or device-mapper missing); use a file or an existing device`);
  const v = checkSpace(backings, space, storage);
  if (v.error) errors.push(`LUN size: ${v.error}`);
  if (v.warning) warnings.push(v.warning);
  return { space, dangers };
}

export function lunFromBacking(b: PlannedBacking, l: LunSpec): DesiredLun {
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

export function chapAccounts(access: Pick<AccessSpec, 'chap'>): { incoming: ChapAccount[]; outgoing?: ChapAccount } {
  if (!access.chap) return { incoming: [] };
  return {
    incoming: [{ user: access.chap.user, password: access.chap.secret }],
    ...(access.chap.mutual ? { outgoing: { user: access.chap.mutual.user, password: access.chap.mutual.secret } } : {}),
  };
}

/** Who a target admits, as far as protection goes: address and name rules, CHAP user names. */
export interface AccessState {
  addresses: readonly string[];
  names: readonly string[];
  incoming: readonly string[];
  outgoing: string | null;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/**
 * What a change from `before` to `after` lowers, one sentence each: CHAP or mutual CHAP removed,
 * access opened to ALL, an address rule replaced by (or joined by) a network that contains it,
 * a names-only target opened to networks. Containment is real CIDR containment (IPv4 and IPv6).
 * Plans put these in `dangers`: applying them needs the admin's explicit confirmation.
 */
export function accessDangers(iqn: string, before: AccessState, after: AccessState): string[] {
  const out: string[] = [];
  const real = (xs: readonly string[]) => xs.filter((x) => x !== NO_ADDRESS_PLACEHOLDER);
  if (before.incoming.length && !after.incoming.length) {
    out.push(`CHAP is removed from ${iqn} (${plural(before.incoming.length, 'account', 'accounts')} ${before.incoming.join(', ')}): every initiator its rules admit logs in without a secret.`);
  }
  if (before.outgoing && !after.outgoing) {
    out.push(`Mutual CHAP is removed from ${iqn} (account ${before.outgoing}): initiators can no longer check that they talk to this target.`);
  }
  const beforeA = real(before.addresses);
  const afterA = real(after.addresses);
  const added = afterA.filter((x) => !beforeA.includes(x));
  const auth = after.incoming.length ? ' (with the CHAP secret)' : ' without authentication';
  if (added.some((x) => x.toUpperCase() === 'ALL') && !beforeA.some((x) => x.toUpperCase() === 'ALL')) {
    out.push(`Access to ${iqn} widens to ALL: an initiator from any address may log in${auth}.`);
  }
  if (!beforeA.length && added.length && before.names.length) {
    out.push(`${iqn} admitted only the listed initiator names; now any initiator from ${added.join(', ')} may log in${auth}.`);
  }
  for (const n of added) {
    if (n.toUpperCase() === 'ALL') continue;
    for (const o of beforeA.filter((x) => aclStrictlyContains(n, x))) {
      out.push(afterA.includes(o)
        ? `Access to ${iqn} widens: the new address rule ${n} contains the current rule ${o}, so more initiators may log in${auth}.`
        : `Access to ${iqn} widens: the address rule ${o} is replaced by ${n}, a larger network that contains it.`);
    }
  }
  return out;
}

/** The access state of a running target, with the CHAP users its conf file names too (a drifted target may lack a binding). */
export function accessStateOf(live: TgtTarget, conf?: DesiredTarget): AccessState {
  const incoming = [...new Set([...live.accounts.filter((a) => !a.outgoing).map((a) => a.user), ...(conf?.incoming.map((a) => a.user) ?? [])])];
  return {
    addresses: live.aclAddresses,
    names: live.aclNames,
    incoming,
    outgoing: live.accounts.find((a) => a.outgoing)?.user ?? conf?.outgoing?.user ?? null,
  };
}

export function secretsOf(d: DesiredTarget): string[] {
  return [...d.incoming.map((a) => a.password), ...(d.outgoing ? [d.outgoing.password] : [])].filter(Boolean);
}

export const holdsSecrets = (d: DesiredTarget) => d.incoming.length > 0 || !!d.outgoing;

/**
 * The conf file's write (or removal) as file.put operations with the pre-state read now. A file
 * holding CHAP secrets gets mode 0600, any other keeps its mode; a replaced file's old content is
 * kept as NAME.conf.prev (0600: it may hold secrets); removing the file removes its .prev too.
 */
export function confOps(host: string, path: string, content: string | null, pre: Map<string, FileState>, o: { secrets: boolean; keepPrevious: boolean }): Operation[] {
  const absent: FileState = { content: null, mode: null, owner: null };
  const cur = pre.get(path) ?? absent;
  const prevPath = prevPathOf(path);
  const prev = pre.get(prevPath) ?? absent;
  if (content === null) {
    return [
      ...(cur.content !== null ? [filePut(host, path, null, cur)] : []),
      ...(prev.content !== null ? [filePut(host, prevPath, null, prev)] : []),
    ];
  }
  return [
    ...(o.keepPrevious && cur.content !== null ? [filePut(host, prevPath, cur.content, prev, { mode: '600' })] : []),
    filePut(host, path, content, cur, { mode: o.secrets ? '600' : null }),
  ];
}

/** Fresh check: the conf file and its .prev are as read at plan time (their pre-state is what an undo restores). */
export function confUnchanged(host: string, path: string, pre: Map<string, FileState>): Check {
  const files = [path, prevPathOf(path)].map((p) => {
    const c = pre.get(p)?.content ?? null;
    return { path: p, sha256: c === null ? null : sha256(c) };
  });
  return { kind: FILES_UNCHANGED, host, params: { files } };
}

export function verifyCheck(ctx: TgtServerContext, desired: DesiredTarget, confPath: string): Check {
  return { kind: TARGET_VERIFY, host: ctx.serverId, params: { desired: JSON.parse(JSON.stringify(desired)) as Record<string, unknown>, confPath, login: !!ctx.verifyLogin } };
}

export function versionWarning(version: string): string | null {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return `tgt version "${version}" is unknown; address and initiator rules may combine differently`;
  const n = Number(m[1]) * 1e6 + Number(m[2]) * 1e3 + Number(m[3]);
  return n < 1000083 ? `tgt ${version} requires BOTH an address and an initiator-name rule to match (tgt >= 1.0.83 allows either)` : null;
}

// ---------------------------------------------------------------- existing targets

export interface Existing {
  state: TargetState;
  confs: ConfFile[];
  live: TgtTarget;
  desired: DesiredTarget;
  confPath: string;
  /** The conf file and its .prev as they are now. */
  files: Map<string, FileState>;
}

export async function loadExisting(ctx: TgtServerContext, iqn: string, allowUnmanagedNoChap: boolean): Promise<Existing> {
  const d = ctx.driver;
  const { state, confs } = await readServer(d);
  const live = state.targets.find((t) => t.iqn === iqn);
  if (!live) refuse([`IQN: ${iqn} does not run on ${d.label}`], 'iqn');
  const found = findConf(confs, iqn);
  let desired: DesiredTarget;
  let confPath: string;
  if (found) {
    if (!isManagedConf(found.file.text)) refuse([`IQN: ${iqn} is defined in ${found.file.path}, which Portico did not write; edit that file or move the target to a Portico file first`], 'iqn');
    const name = found.desired.name || found.file.path.replace(/^.*\//, '').replace(/\.conf$/, '');
    desired = { ...found.desired, name };
    confPath = found.file.path;
  } else {
    if (!allowUnmanagedNoChap || live.accounts.length) {
      refuse([`IQN: ${iqn} runs on ${d.label} but no conf file defines it${live.accounts.length ? ' and its CHAP secrets are unknown' : ''}; it would not survive a restart. Adopt it first (Targets list: Adopt), so that Portico writes its conf file from the live state.`], 'iqn');
    }
    // Adopt a CHAP-less running target: its file is written from the live state.
    const name = iqn.replace(/^.*:/, '').replace(/[^a-z0-9.-]/g, '-') || `tid${live.tid}`;
    desired = desiredFromLive(live, name);
    confPath = confPathFor(d, name);
  }
  const files = await d.readFileStates([confPath, prevPathOf(confPath)]);
  return { state, confs, live, desired, confPath, files };
}
