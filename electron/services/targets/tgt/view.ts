// Targets page data: per server, targets with LUNs (apparent vs allocated size), ACLs, CHAP, sessions,
// drift, managed or not, alias and comment. Linear in the number of targets and LUNs (lookups by
// Map), so 1,000 targets cost the parse and one stat round trip.
import { includesConfDir } from './conf-include';
import { NO_ADDRESS_PLACEHOLDER } from './conf';
import { computeDrift, type TargetDrift } from './drift';
import type { FileStat, TargetDriver } from './driver';
import type { TargetView, TargetsServerView } from '../../../../shared/features/targets';
import type { TgtTarget } from './parser';

/** One target as the Targets page shows it: the contract's TargetView. */
export type TargetRow = TargetView;

export function targetRow(t: TgtTarget, dr: TargetDrift | undefined, stats: ReadonlyMap<string, FileStat>): TargetView {
  const luns = t.luns.filter((l) => l.lun > 0).map((l) => {
    const s = l.path ? stats.get(l.path) : undefined;
    return { lun: l.lun, path: l.path, type: l.type, sizeBytes: l.sizeBytes, apparentBytes: s?.exists ? s.size : null, allocatedBytes: s?.exists ? s.allocated : null, readonly: l.readonly, scsiId: l.scsiId, scsiSn: l.scsiSn };
  });
  return {
    tid: t.tid,
    iqn: t.iqn,
    luns,
    addresses: t.aclAddresses.filter((a) => a !== NO_ADDRESS_PLACEHOLDER),
    initiators: t.aclNames,
    namesOnly: t.aclAddresses.length === 1 && t.aclAddresses[0] === NO_ADDRESS_PLACEHOLDER,
    openToAll: t.aclAddresses.includes('ALL'),
    chap: t.accounts.some((a) => !a.outgoing),
    mutualChap: t.accounts.some((a) => a.outgoing),
    chapUsers: t.accounts.filter((a) => !a.outgoing).map((a) => a.user),
    mutualChapUser: t.accounts.find((a) => a.outgoing)?.user ?? null,
    sessions: t.sessions,
    persisted: dr?.status ?? 'not-persisted',
    driftMessages: dr?.items.map((i) => i.message) ?? [],
    managed: !!dr?.managed,
    alias: dr?.desired?.alias || null,
    comment: dr?.desired?.comment || null,
    totalBytes: luns.reduce((n, l) => n + (l.apparentBytes ?? l.sizeBytes), 0),
  };
}

export async function readTargetsView(d: TargetDriver): Promise<Omit<TargetsServerView, 'settings'>> {
  const [state, confs, main] = await Promise.all([d.readState(), d.readConfFiles(), d.readFileStates([d.targetsConf])]);
  const mainText = main.get(d.targetsConf)?.content ?? null;
  const notIncluded = confs.length > 0 && (mainText === null || !includesConfDir(mainText, d.confDir))
    ? [{ file: d.targetsConf, error: `does not include ${d.confDir}/*.conf, so tgt forgets the ${confs.length} target file(s) there at its next start. Add the line \`include ${d.confDir}/*.conf\` (creating a target with Portico adds it).` }]
    : [];
  const paths = state.targets.flatMap((t) => t.luns.map((l) => l.path).filter((p): p is string => !!p));
  const stats = new Map((await d.stat(paths)).map((s) => [s.path, s]));
  const drift = computeDrift(state, confs);
  const byIqn = new Map(drift.targets.map((x) => [x.iqn, x]));
  return {
    server: d.label,
    portals: state.portals.map((p) => `${p.address}:${p.port}`),
    fileErrors: [...notIncluded, ...drift.fileErrors],
    targets: state.targets.map((t) => targetRow(t, byIqn.get(t.iqn), stats)),
  };
}
