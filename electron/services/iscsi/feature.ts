// The iSCSI checks: Portico's own initiator, from the workstation or through a host's SSH tunnel.
import type { iscsiCalls } from '../../../shared/features/iscsi';
import type { IscsiSurveyResult } from '../../../shared/domain/iscsi';
import type { CoreDeps, Feature } from '../feature';
import type { PathCell, PathHealthStore } from '../path-health';
import { IscsiService } from './iscsi-service';

/** The portal check's result as path cells for the dashboard; the cells of other origins are kept. */
function recordPortalCheck(paths: PathHealthStore, via: string | undefined, r: IscsiSurveyResult): void {
  const from = via ?? null;
  const cells: PathCell[] = r.portals.flatMap((p): PathCell[] => {
    const cell = { fromHostId: from, portal: p.portal, network: null };
    if (!p.ok) return [{ ...cell, iqn: null, state: 'failed', message: p.error.message }];
    if (!p.targets.length) return [{ ...cell, iqn: null, state: 'ok', message: 'answered; discovery offers this initiator no target' }];
    return p.targets.map((t) => (t.ok ? { ...cell, iqn: t.targetName, state: 'ok' as const, message: `logged in, ${t.luns.filter((l) => l.deviceType === 0).length} disk LUN(s)` } : { ...cell, iqn: t.targetName, state: 'failed' as const, message: t.error.message }));
  });
  const kept = paths.latest().find((x) => x.source === 'portal-check')?.cells.filter((c) => c.fromHostId !== from) ?? [];
  paths.record('portal-check', [...kept, ...cells]);
}

export function iscsiFeature({ pool, hostRepo, paths }: CoreDeps): Feature<typeof iscsiCalls> {
  const iscsi = new IscsiService(pool, hostRepo);
  return {
    handlers: {
      'iscsi.discover': (i) => iscsi.discover(i),
      'iscsi.inspect': (i) => iscsi.inspect(i),
      'iscsi.survey': async (i) => {
        const r = await iscsi.survey(i);
        recordPortalCheck(paths, i.via, r);
        return r;
      },
    },
  };
}
