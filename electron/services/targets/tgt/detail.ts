// One target in full for its detail page: identity, LUNs (backing kind, apparent and allocated size,
// block size, ids, the GUID hosts derive), access, sessions, drift, the conf file as written (CHAP
// secrets masked) and, for an unmanaged target, what adopting it needs. Jobs are added by the caller.
import { PorticoError } from '../../../../shared/contract-kit';
import type { LunBackingKind, TargetDetailView } from '../../../../shared/features/targets';
import { maskConf } from './conf';
import { computeDrift } from './drift';
import type { FileStat, TargetDriver } from './driver';
import { tgtLunGuid } from './lun-guid';
import { findConf } from './plan-common';
import { secretsNeeded } from './plan-adopt';
import { targetRow } from './view';

export const SINCE_NOTE = 'tgt does not report when a session began (tgtadm shows its initiator, address and connections only).';

function backingKind(s: FileStat | undefined, metaKind: string | undefined): LunBackingKind {
  if (!s?.exists) return 'missing';
  if (s.kind === 'block') return metaKind === 'lvm' || /^\/dev\/mapper\/|^\/dev\/[^/]+\/[^/]+$/.test(s.path) ? 'lv' : 'block';
  if (s.kind === 'file') return s.allocated >= s.size ? 'file-allocated' : 'file-sparse';
  return 'unknown';
}

export async function readTargetDetail(d: TargetDriver, serverId: string, iqn: string): Promise<Omit<TargetDetailView, 'jobs'>> {
  const [state, confs] = await Promise.all([d.readState(), d.readConfFiles()]);
  const live = state.targets.find((t) => t.iqn === iqn);
  if (!live) throw new PorticoError('not-found', `IQN: ${iqn} does not run on ${d.label}; reload the Targets page`, 'iqn');
  const paths = live.luns.map((l) => l.path).filter((p): p is string => !!p);
  const stats = new Map((await d.stat(paths)).map((s) => [s.path, s]));
  const drift = computeDrift(state, confs).targets.find((x) => x.iqn === iqn);
  const row = targetRow(live, drift, stats);
  const found = findConf(confs, iqn);
  const confLun = (n: number) => found?.desired.luns.find((l) => l.lun === n);
  return {
    serverId,
    server: d.label,
    tid: live.tid,
    iqn,
    alias: row.alias,
    comment: row.comment,
    managed: row.managed,
    luns: live.luns.filter((l) => l.lun > 0).map((l) => {
      const s = l.path ? stats.get(l.path) : undefined;
      const c = confLun(l.lun);
      return {
        ...row.luns.find((x) => x.lun === l.lun)!,
        backingKind: backingKind(s, c?.kind),
        blockSize: l.blockSize,
        vendorId: c?.vendorId ?? null,
        productId: c?.productId ?? null,
        guid: tgtLunGuid({ scsiId: l.scsiId, tid: live.tid, lun: l.lun, vendorId: c?.vendorId, productId: c?.productId }),
      };
    }),
    access: { addresses: row.addresses, initiators: row.initiators, namesOnly: row.namesOnly, openToAll: row.openToAll, chapUsers: row.chapUsers, mutualChapUser: row.mutualChapUser },
    sessions: live.sessions.map((s) => ({ ...s, connectionCount: s.connections.length, since: null })),
    sinceNote: SINCE_NOTE,
    persisted: row.persisted,
    driftMessages: row.driftMessages,
    confPath: found?.file.path ?? null,
    confText: found ? maskConf(found.file.text) : null,
    adoptNeeds: row.managed ? null : { secretsFor: secretsNeeded(live) },
    portals: state.portals.map((p) => `${p.address}:${p.port}`),
  };
}
