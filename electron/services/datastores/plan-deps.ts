// What the datastore planners read, as one interface: the front-end's client, which Portico host
// an OpenNebula host is, the libvirt secrets a hypervisor holds, the values Portico set before, the
// live LUNs of managed storage servers. The app wires it to SSH and oned; unit tests to fakes.
import type { OnedClient } from '../opennebula/client';
import type { HostSecrets } from '../libvirt/virsh';
import type { SecretMemory } from '../libvirt/ops';
import type { LunLiveState } from '../../../shared/domain/opennebula-views';

/** A LUN's live state as the page shows it, plus its target's other LUNs. */
export interface LunLookup extends LunLiveState {
  /** Every LUN number of the target (for orphans), or null when the target is not there. */
  targetLuns: { lun: number; sizeBytes: number }[] | null;
}

export interface PlanDeps {
  one(frontendId: string): Pick<OnedClient, 'version' | 'datastores' | 'datastore' | 'images' | 'image' | 'hosts' | 'clusters'>;
  /** The Portico host an OpenNebula host name stands for, or null. */
  porticoHostFor(oneHostName: string): string | null;
  hostLabel(hostId: string): string;
  readSecrets(hostId: string, usage: string): Promise<HostSecrets>;
  memory: SecretMemory;
  newUuid(): string;
  /** The live state of IQN/LUN on the given managed storage server (or found on any, when serverId is absent). */
  lun(iqn: string, lun: number, serverId?: string): Promise<LunLookup | null>;
}
