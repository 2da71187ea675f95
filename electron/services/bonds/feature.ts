// The Bonds feature: iSCSI bonds (multipath): data centers, logical networks, storage connections, bonds and the path matrix.
import { PorticoError } from '../../../shared/contract-kit';
import type { bondsCalls } from '../../../shared/features/bonds';
import type { CoreDeps, Feature, FeatureHandlers } from '../feature';

const notYet = () => {
  throw new PorticoError('not-implemented', 'not implemented yet');
};

export function bondsFeature(_core: CoreDeps): Feature<typeof bondsCalls> {
  const names = [
    'bonds.overview', 'bonds.dcSave', 'bonds.dcRemove', 'bonds.networkSave', 'bonds.networkRemove', 'bonds.interfaceSet', 'bonds.interfacesDiscover',
    'bonds.connectionCandidates', 'bonds.connectionSave', 'bonds.connectionRemove', 'bonds.placement', 'bonds.preview', 'bonds.save', 'bonds.remove',
    'bonds.planApply', 'bonds.matrix', 'bonds.export',
  ] as const;
  const handlers = Object.fromEntries(names.map((n) => [n, notYet])) as unknown as FeatureHandlers<typeof bondsCalls>;
  return { handlers };
}
