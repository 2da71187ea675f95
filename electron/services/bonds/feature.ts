// The Bonds feature: iSCSI bonds (multipath): data centers, logical networks, each host's NIC per
// network, storage connections, bonds, their apply plans (journaled jobs) and the live path matrix.
import type { bondsCalls } from '../../../shared/features/bonds';
import type { CoreDeps, Feature } from '../feature';
import { BondService } from './bond-service';
import { MatrixService } from './matrix';
import { allBondKinds, bondKinds } from './ops';
import { iscsiCellChecker } from './path-check';
import { routeDevices } from './routes';
import { BondStore } from './store';

export function bondsFeature({ db, secrets, hostRepo, pool, plans, kinds, paths, usage }: CoreDeps): Feature<typeof bondsCalls> {
  const store = new BondStore(db, secrets);
  kinds.add(...allBondKinds(bondKinds({ runner: (h) => pool.runner(h) }, store)));
  const bonds = new BondService(store, hostRepo, plans, pool, usage);
  // Each path is checked from its host: the host opens the TCP stream (see path-check.ts on source binding).
  const matrix = new MatrixService(store, hostRepo, iscsiCellChecker((s) => pool.forwardOut(s.hostId, s.address, s.port)), paths, {
    routes: (hostId, addresses) => routeDevices(pool.runner(hostId), addresses),
  });
  return {
    handlers: {
      'bonds.overview': () => bonds.overview(),
      'bonds.dcSave': (i) => bonds.saveDataCenter(i),
      'bonds.dcRemove': (i) => bonds.removeDataCenter(i.id, i.confirm),
      'bonds.networkSave': (i) => bonds.saveNetwork(i),
      'bonds.networkRemove': (i) => bonds.removeNetwork(i.id, i.confirm),
      'bonds.interfaceSet': (i) => bonds.setInterface(i),
      'bonds.interfacesDiscover': (i) => bonds.discoverInterfaces(i.dcId),
      'bonds.connectionCandidates': (i) => bonds.candidates(i.dcId, i.source),
      'bonds.connectionSave': (i) => bonds.saveConnection(i),
      'bonds.connectionRemove': (i) => bonds.removeConnection(i.id, i.confirm),
      'bonds.placement': (i) => bonds.placement(i.dcId, i.networkIds),
      'bonds.preview': (i) => bonds.preview(i),
      'bonds.save': (i) => bonds.save(i),
      'bonds.remove': (i) => {
        const r = bonds.remove(i.id, i.confirm);
        if (r.removed) matrix.forget(i.id);
        return r;
      },
      'bonds.planApply': (i) => bonds.planApply(i.bondId, i.remove),
      'bonds.matrix': (i) => matrix.matrix(bonds.bond(i.bondId), { refresh: i.refresh, timeoutMs: i.timeoutMs }),
      'bonds.export': (i) => bonds.export(i.bondId),
    },
  };
}
