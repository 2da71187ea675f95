// Targets page data: per server, targets with LUNs (apparent vs allocated size), ACLs, CHAP, sessions, drift.
import { NO_ADDRESS_PLACEHOLDER } from './conf';
import { computeDrift, type DriftStatus } from './drift';
import type { TargetDriver } from './driver';
import type { TgtSession } from './parser';

export interface TargetRow {
  tid: number;
  iqn: string;
  luns: { lun: number; path: string | null; type: string; sizeMB: number; apparentBytes: number | null; allocatedBytes: number | null; readonly: boolean; scsiId: string; scsiSn: string }[];
  /** Address rules as the admin sees them (the never-matching placeholder is hidden). */
  addresses: string[];
  initiators: string[];
  /** True when only initiator names may log in (the placeholder address is bound). */
  namesOnly: boolean;
  openToAll: boolean;
  chap: boolean;
  mutualChap: boolean;
  sessions: TgtSession[];
  persisted: DriftStatus;
  driftMessages: string[];
}

export async function readTargetsView(d: TargetDriver): Promise<{ server: string; targets: TargetRow[]; portals: string[]; fileErrors: { file: string; error: string }[] }> {
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
          return { lun: l.lun, path: l.path, type: l.type, sizeMB: l.sizeMB, apparentBytes: s?.exists ? s.size : null, allocatedBytes: s?.exists ? s.allocated : null, readonly: l.readonly, scsiId: l.scsiId, scsiSn: l.scsiSn };
        }),
        addresses: t.aclAddresses.filter((a) => a !== NO_ADDRESS_PLACEHOLDER),
        initiators: t.aclNames,
        namesOnly: t.aclAddresses.length === 1 && t.aclAddresses[0] === NO_ADDRESS_PLACEHOLDER,
        openToAll: t.aclAddresses.includes('ALL'),
        chap: t.accounts.some((a) => !a.outgoing),
        mutualChap: t.accounts.some((a) => a.outgoing),
        sessions: t.sessions,
        persisted: dr?.status ?? 'not-persisted',
        driftMessages: dr?.items.map((i) => i.message) ?? [],
      };
    }),
  };
}
