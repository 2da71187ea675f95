// Targets page data: per server, targets with LUNs (apparent vs allocated size), ACLs, CHAP, sessions, drift.
import { NO_ADDRESS_PLACEHOLDER } from './conf';
import { computeDrift } from './drift';
import type { TargetDriver } from './driver';
import type { TargetView, TargetsServerView } from '../../../../shared/features/targets';

/** One target as the Targets page shows it: the contract's TargetView. */
export type TargetRow = TargetView;

export async function readTargetsView(d: TargetDriver): Promise<Omit<TargetsServerView, 'settings'>> {
  const [state, confs] = await Promise.all([d.readState(), d.readConfFiles()]);
  const paths = state.targets.flatMap((t) => t.luns.map((l) => l.path).filter((p): p is string => !!p));
  const [stats] = await Promise.all([d.stat(paths)]);
  const drift = computeDrift(state, confs);
  return {
    server: d.label,
    portals: state.portals.map((p) => `${p.address}:${p.port}`),
    fileErrors: drift.fileErrors,
    targets: state.targets.map((t) => {
      const dr = drift.targets.find((x) => x.iqn === t.iqn);
      return {
        tid: t.tid,
        iqn: t.iqn,
        luns: t.luns.filter((l) => l.lun > 0).map((l) => {
          const s = stats.find((x) => x.path === l.path);
          return { lun: l.lun, path: l.path, type: l.type, sizeBytes: l.sizeBytes, apparentBytes: s?.exists ? s.size : null, allocatedBytes: s?.exists ? s.allocated : null, readonly: l.readonly, scsiId: l.scsiId, scsiSn: l.scsiSn };
        }),
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
      };
    }),
  };
}
