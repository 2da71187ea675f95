// The Datastores feature: OpenNebula iSCSI datastores: front-ends, datastores, images mapped to LUNs, libvirt CHAP secrets.
import type { datastoresCalls } from '../../../shared/features/datastores';
import type { CoreDeps, Feature } from '../feature';

export function datastoresFeature(_core: CoreDeps): Feature<typeof datastoresCalls> {
  return { handlers: {} };
}
