// The live LUNs of the storage servers Portico manages, indexed by target IQN, read through the
// targets feature's view (tgtadm show over SSH). One index per page load; servers that cannot be
// read are reported, their LUNs shown as unknown.
import type { TargetView } from '../../../shared/features/targets';
import type { LunLookup } from './plan-deps';

export interface TargetsIndex {
  byIqn: Map<string, { serverId: string; serverName: string; target: TargetView }>;
  problems: string[];
}

export interface StorageServers {
  list(): { id: string; name: string }[];
  view(serverId: string): Promise<{ targets: TargetView[]; portals: string[] }>;
}

export async function readTargetsIndex(servers: StorageServers, only?: string): Promise<TargetsIndex> {
  const byIqn: TargetsIndex['byIqn'] = new Map();
  const problems: string[] = [];
  await Promise.all(
    servers.list().filter((s) => !only || s.id === only).map(async (s) => {
      try {
        for (const t of (await servers.view(s.id)).targets) byIqn.set(t.iqn, { serverId: s.id, serverName: s.name, target: t });
      } catch (e) {
        problems.push(`${s.name}: its targets could not be read (${e instanceof Error ? e.message : String(e)}); LUNs there show as unknown.`);
      }
    }),
  );
  return { byIqn, problems };
}

/** A LUN's size: its backing file's exact size when known (tgt rounds to decimal MB), else tgt's figure. */
export const lunBytes = (l: { sizeBytes: number; apparentBytes: number | null }) => l.apparentBytes ?? l.sizeBytes;

export function lookupLun(idx: TargetsIndex, iqn: string, lun: number): LunLookup | null {
  const hit = idx.byIqn.get(iqn);
  if (!hit) return null;
  const l = hit.target.luns.find((x) => x.lun === lun);
  return {
    serverId: hit.serverId,
    serverName: hit.serverName,
    exists: !!l && lun > 0,
    sizeBytes: l ? lunBytes(l) : null,
    sessions: hit.target.sessions.length,
    initiators: hit.target.sessions.map((s) => s.initiator),
    targetLuns: hit.target.luns.filter((x) => x.lun > 0).map((x) => ({ lun: x.lun, sizeBytes: lunBytes(x) })),
  };
}
