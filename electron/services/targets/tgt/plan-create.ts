// Plan: create a target with its LUNs, access rules and CHAP, persisted to conf.d/NAME.conf.
import { formatSize, NETWORKS_NOTE, SIZE_UNIT_NOTE, type TargetSpec } from '../../../../shared/domain/target';
import type { Operation, Plan, PlanStep } from '../../jobs/operation';
import { planBackings, type PlannedBacking } from './backing';
import { ACCOUNTS_ABSENT, PATHS_ABSENT, TARGET_STATE } from './checks';
import type { SpaceInfo } from './driver';
import { NO_ADDRESS_PLACEHOLDER, renderTargetConf, type DesiredTarget } from './conf';
import { opsForDesired } from './drift';
import { tgtadmOp } from './ops';
import {
  addressesFor, backingsFree, backingSteps, chapAccounts, checkBackings, confOps, confPathFor, confUnchanged, findConf, holdsSecrets,
  lockKeys, lunFromBacking, readServer, refuse, secretsOf, verifyCheck, versionWarning, type TgtServerContext,
} from './plan-common';
import { refuseGuidClashes } from './guid-clash';
import { confIncludeStep } from './conf-include';

/** `t` is the schema's parsed output (sizes in bytes): the router validated it with TargetInputSchema. */
export async function planTargetCreate(ctx: TgtServerContext, t: TargetSpec): Promise<Plan> {
  if (t.serverId !== ctx.serverId) refuse([`Server: this plan is for ${ctx.serverId}, not ${t.serverId}`], 'serverId');
  const d = ctx.driver;
  const host = ctx.serverId;
  const confPath = confPathFor(d, t.name);
  const [{ state, confs }, sys, files] = await Promise.all([readServer(d), d.readSystem(), d.readFileStates([confPath, `${confPath}.prev`])]);
  const errors: string[] = [];
  const warnings: string[] = [SIZE_UNIT_NOTE];
  const clash = state.targets.find((x) => x.iqn === t.iqn);
  if (clash) errors.push(`IQN: ${t.iqn} already exists on ${d.label} (tid ${clash.tid}); choose another name`);
  else if (findConf(confs, t.iqn)) errors.push(`IQN: ${t.iqn} is defined in a conf file on ${d.label} although not running; reconcile or choose another name`);
  if (confs.some((f) => f.path === confPath) || files.get(confPath)?.content != null) errors.push(`Name: ${confPath} already exists on ${d.label}; choose another name`);
  const chap = chapAccounts(t.access);
  for (const a of [...chap.incoming, ...(chap.outgoing ? [chap.outgoing] : [])]) {
    if (state.accounts.includes(a.user)) errors.push(`CHAP user: ${a.user} already exists on ${d.label}; tgt accounts are shared by all targets, so choose a new user name`);
  }
  const taken = new Set<string>();
  for (const x of state.targets) for (const l of x.luns) if (l.path) taken.add(l.path);
  const bp = planBackings({ storageDir: d.storageDir, base: t.file ?? t.name, luns: t.luns, firstLun: 1, firstIndex: 0, taken, skipTaken: false });
  errors.push(...bp.errors);
  const fields: Record<string, string> = {};
  const checked = errors.length ? null : await checkBackings(d, state, bp.backings, t.luns, errors, warnings, fields);
  if (errors.length) refuse(errors, undefined, fields);
  const folder = storageFolder(host, d.label, d.storageDir, checked?.space ?? null, bp.backings);
  if (folder.warning) warnings.push(folder.warning);
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
  refuseGuidClashes(t.iqn, tid, desired.luns, state.targets);
  const ops = opsForDesired(desired, tid, state.accounts);
  const createdAccounts = ops.flatMap((o) => (o.op === 'account-new' ? [o.user] : []));
  const include = await confIncludeStep(host, d);
  if (include) warnings.push(include.warning);
  return {
    kind: 'tgt.target.create',
    title: `Create target ${t.iqn} on ${d.label}`,
    hostIds: [host],
    lockKeys: lockKeys(ctx),
    steps: [
      ...folder.steps,
      ...backingSteps(host, d.label, bp.backings),
      { title: `Create target ${t.iqn} (tid ${tid}) with ${desired.luns.length} LUN(s), access rules${chap.incoming.length ? ' and CHAP' : ''}`, ops: ops.map((o) => tgtadmOp(host, o)) },
      { title: `Persist to ${confPath}${holdsSecrets(desired) ? ' (mode 0600: it holds the CHAP secrets)' : ''}`, ops: confOps(host, confPath, renderTargetConf(desired), files, { secrets: holdsSecrets(desired), keepPrevious: false }) },
      ...(include ? [include.step] : []),
    ],
    warnings,
    dangers: checked?.dangers ?? [],
    artifacts: [{ name: confPath, content: renderTargetConf(desired, { mask: true }) }],
    secrets: secretsOf(desired),
    fresh: [
      ...folder.fresh,
      { kind: TARGET_STATE, host, params: { iqn: t.iqn, expect: 'absent', sessions: false, freeTid: tid } },
      confUnchanged(host, confPath, files),
      ...backingsFree(host, bp.backings),
      ...(createdAccounts.length ? [{ kind: ACCOUNTS_ABSENT, host, params: { users: createdAccounts } }] : []),
      ...(include ? [include.fresh] : []),
    ],
    verify: [verifyCheck(ctx, desired, confPath)],
  };
}

/**
 * The storage folder's mode and owner when Portico creates it: root's (tgtd runs as root and is
 * the only reader and writer of backing files), nothing for other users (the files are the
 * initiators' disks: VM images, databases), read and search for root's group only, as Debian
 * keeps service data such as /var/lib/tgt. Files created in it stay out of other users' reach
 * whatever their own mode.
 */
export const STORAGE_DIR_MODE = '750';
export const STORAGE_DIR_OWNER = '0:0';

/**
 * The storage folder, when file-backed LUNs need it and it does not exist yet: one dir.create per
 * missing level (outermost first; each undone by removing it if still empty), as the plan's first
 * step, with a fresh check that it is still absent, and a sentence saying which filesystem it will
 * be on and how much is free there (df on the nearest existing parent).
 */
export function storageFolder(host: string, label: string, dir: string, space: SpaceInfo | null, backings: PlannedBacking[]): { steps: PlanStep[]; fresh: Operation[]; warning: string | null } {
  const none = { steps: [], fresh: [], warning: null };
  if (!space || space.exists || !backings.some((b) => b.kind === 'sparse' || b.kind === 'full')) return none;
  const base = space.measuredAt === '/' ? '' : space.measuredAt;
  const ops: Operation[] = [];
  let cur = base;
  for (const seg of dir.slice(base.length + 1).split('/').filter(Boolean)) {
    cur += `/${seg}`;
    ops.push({ kind: 'dir.create', host, params: { path: cur, mode: STORAGE_DIR_MODE, owner: STORAGE_DIR_OWNER } });
  }
  if (!ops.length) return none;
  const fs = space.filesystem;
  return {
    steps: [{ title: `Create the storage folder ${dir} on ${label} (mode 0${STORAGE_DIR_MODE}, owner root:root)`, ops }],
    fresh: [{ kind: PATHS_ABSENT, host, params: { paths: [ops[0].params.path as string] } }],
    warning: `The storage folder ${dir} does not exist on ${label} yet: the plan creates it first (mode 0${STORAGE_DIR_MODE}, owner root:root: only root, which tgtd runs as, reaches the LUN files) and removes it again on rollback if it is still empty. It will be on ${fs.source} (${fs.type}, mounted at ${fs.mount}), where ${space.measuredAt} has ${formatSize(space.availBytes)} free of ${formatSize(space.sizeBytes)}.`,
  };
}
