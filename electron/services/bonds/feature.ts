// The Bonds feature: iSCSI bonds (multipath): data centers, logical networks, storage connections, bonds and the path matrix.
import type { bondsCalls } from '../../../shared/features/bonds';
import type { CoreDeps, Feature } from '../feature';

export function bondsFeature(_core: CoreDeps): Feature<typeof bondsCalls> {
  return { handlers: {} };
}
