// Plan: adopt targets Portico did not create (made by hand with tgtadm, by tgt-admin from a file
// it does not read, or left over): their conf.d file is written from the live state (LUNs with
// their SCSI ids kept exactly, so hosts see the same devices; rules; CHAP accounts), mode 0600.
// tgtd never shows a CHAP secret (tgtadm --mode account --op show lists user names only, and no
// other interface returns the password), so an account bound to the target must have its secret
// typed by the admin; the plan asks for exactly those. After adopt, drift detection covers them.
import { PorticoError } from '../../../../shared/contract-kit';
import type { AdoptSpec } from '../../../../shared/domain/target-actions';
import type { Check, Operation, Plan, PlanStep } from '../../jobs/operation';
import { fingerprint, TARGET_STATE } from './checks';
import { NO_ADDRESS_PLACEHOLDER, isManagedConf, renderTargetConf, type BackingKind, type DesiredTarget } from './conf';
import { desiredFromLive } from './drift';
import type { FileStat } from './driver';
import { tgtadmOp } from './ops';
import { confOps, confPathFor, confUnchanged, findConf, lockKeys, prevPathOf, readServer, refuse, secretsOf, verifyCheck, type TgtServerContext } from './plan-common';
import { confIncludeStep } from './conf-include';
import type { TgtTarget } from './parser';

/** A conf file name for an adopted target: its IQN's last part, unique in the folder. */
export function adoptName(iqn: string, tid: number, taken: ReadonlySet<string>): string {
  const base = (iqn.replace(/^.*:/, '').toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').replace(/\.\.+/g, '.') || `tid${tid}`).slice(0, 56);
  for (let n = 0; ; n++) {
    const name = n === 0 ? base : `${base}-${n === 1 ? `t${tid}` : `t${tid}-${n}`}`;
    if (!taken.has(name)) return name;
  }
}

function lunKind(s: FileStat | undefined): BackingKind | undefined {
  if (!s?.exists) return undefined;
  if (s.kind === 'block') return 'device';
  if (s.kind === 'file') return s.allocated >= s.size ? 'full' : 'sparse';
  return undefined;
}

/** Bound CHAP accounts of an unmanaged target whose secrets the admin must type (tgt never shows them). */
export function secretsNeeded(t: TgtTarget): string[] {
  return [...new Set(t.accounts.map((a) => a.user))];
}

export async function planAdopt(ctx: TgtServerContext, a: AdoptSpec): Promise<Plan> {
  const d = ctx.driver;
  const host = ctx.serverId;
  const { state, confs } = await readServer(d);
  const main = (await d.readFileStates([d.targetsConf])).get(d.targetsConf)?.content ?? '';
  const errors: string[] = [];
  const need: string[] = [];
  const secretOf = new Map(a.secrets.map((s) => [s.user, s.secret]));
  const taken = new Set(confs.map((f) => f.path.replace(/^.*\//, '').replace(/\.conf$/, '')));
  const chosen: { live: TgtTarget; desired: DesiredTarget; confPath: string }[] = [];
  const iqns = [...new Set(a.iqns)];
  for (const iqn of iqns) {
    const live = state.targets.find((t) => t.iqn === iqn);
    if (!live) { errors.push(`Targets: ${iqn} does not run on ${d.label}`); continue; }
    const found = findConf(confs, iqn);
    if (found && isManagedConf(found.file.text)) { errors.push(`Targets: ${iqn} is already managed by Portico (${found.file.path})`); continue; }
    // Files Portico cannot parse still define targets for tgt-admin: found by their <target> line.
    const foreign = found?.file ?? confs.find((f) => f.text.split('\n').some((l) => l.trim() === `<target ${iqn}>`));
    if (foreign) { errors.push(`Targets: ${iqn} is defined in ${foreign.path}, which Portico did not write; remove its <target> block there (or the file), then adopt it, so that a restart does not define it twice`); continue; }
    if (main.split('\n').some((l) => l.trim() === `<target ${iqn}>`)) { errors.push(`Targets: ${iqn} is defined in ${d.targetsConf}; move that <target> block out of it, then adopt it, so that a restart does not define it twice`); continue; }
    const missing = secretsNeeded(live).filter((u) => !secretOf.has(u));
    need.push(...missing);
    const name = adoptName(iqn, live.tid, taken);
    taken.add(name);
    chosen.push({ live, desired: desiredFromLive(live, name), confPath: confPathFor(d, name) });
  }
  if (need.length) {
    const users = [...new Set(need)];
    throw new PorticoError('secrets-needed', `Secrets: tgt never shows CHAP secrets, so Portico cannot read them from ${d.label}. Type the secret of ${users.map((u) => `CHAP account ${u}`).join(', ')} to adopt ${users.length === 1 ? 'the target that uses it' : 'the targets that use them'}.${errors.length ? `\n${errors.join('\n')}` : ''}`, 'secrets', { needSecretsFor: users, messages: errors });
  }
  if (errors.length) refuse(errors, 'iqns');
  const stats = new Map((await d.stat(chosen.flatMap((c) => c.desired.luns.map((l) => l.path)))).map((s) => [s.path, s]));
  const files = await d.readFileStates(chosen.flatMap((c) => [c.confPath, prevPathOf(c.confPath)]));
  const steps: PlanStep[] = [];
  const fresh: Check[] = [];
  const verify: Check[] = [];
  const warnings: string[] = [];
  const secrets: string[] = [];
  const artifacts: { name: string; content: string }[] = [];
  for (const c of chosen) {
    const desired: DesiredTarget = {
      ...c.desired,
      luns: c.desired.luns.map((l) => {
        const s = stats.get(l.path);
        const kind = lunKind(s);
        return { ...l, ...(kind ? { kind } : {}), ...(kind === 'sparse' || kind === 'full' ? { sizeBytes: s!.size } : {}) };
      }),
      incoming: c.desired.incoming.map((x) => ({ user: x.user, password: secretOf.get(x.user)! })),
      outgoing: c.desired.outgoing ? { user: c.desired.outgoing.user, password: secretOf.get(c.desired.outgoing.user)! } : undefined,
    };
    const ops: Operation[] = [];
    // A file needs an address line (else tgt-admin binds ALL): a target without one gets the
    // address no initiator can have, bound now too, so file and daemon agree (it admits no one more).
    if (!desired.addresses.length) {
      desired.addresses = [NO_ADDRESS_PLACEHOLDER];
      ops.push(tgtadmOp(host, { op: 'bind-address', tid: c.live.tid, address: NO_ADDRESS_PLACEHOLDER }));
      warnings.push(`${c.live.iqn} has no address rule; the file needs one, so the address ${NO_ADDRESS_PLACEHOLDER} (which no initiator can have) is bound: it admits no one more.`);
    }
    let content: string;
    try {
      content = renderTargetConf(desired);
    } catch (e) {
      refuse([`Targets: ${c.live.iqn} cannot be written to a conf file as it runs: ${e instanceof Error ? e.message : String(e)}`], 'iqns');
    }
    if (c.live.aclAddresses.includes('ALL')) warnings.push(`${c.live.iqn} is open to ALL initiators; the file keeps that. Narrow its access after adopting it.`);
    if (!c.live.accounts.length) warnings.push(`${c.live.iqn} has no CHAP: any initiator its rules admit logs in without a secret.`);
    steps.push({
      title: `Write ${c.confPath} for ${c.live.iqn} (tid ${c.live.tid}) from its live state, mode 0600`,
      ops: [...ops, ...confOps(host, c.confPath, content, files, { secrets: true, keepPrevious: false })],
    });
    fresh.push({ kind: TARGET_STATE, host, params: { iqn: c.live.iqn, expect: fingerprint(c.live), sessions: false, freeTid: null } }, confUnchanged(host, c.confPath, files));
    verify.push(verifyCheck({ ...ctx, verifyLogin: !!ctx.verifyLogin && chosen.length <= 3 }, desired, c.confPath));
    secrets.push(...secretsOf(desired));
    artifacts.push({ name: c.confPath, content: renderTargetConf(desired, { mask: true }) });
  }
  const include = await confIncludeStep(host, d);
  if (include) {
    steps.unshift(include.step);
    warnings.push(include.warning);
    fresh.push(include.fresh);
  }
  if (chosen.some((c) => c.live.accounts.length)) warnings.push('The CHAP secrets you typed are written to the file as given: tgtd cannot be asked whether they are right. A login with them from the workstation is part of the read-back when you adopt up to three targets at once.');
  return {
    kind: 'tgt.target.adopt',
    title: chosen.length === 1 ? `Adopt ${chosen[0].live.iqn} on ${d.label}` : `Adopt ${chosen.length} targets on ${d.label}`,
    hostIds: [host],
    lockKeys: lockKeys(ctx),
    steps,
    warnings,
    dangers: [],
    artifacts,
    secrets: [...new Set(secrets)],
    fresh,
    verify,
  };
}
