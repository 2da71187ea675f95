// The Hosts feature: inventory, SSH connection and capability probe of each host.
import type { hostsCalls } from '../../../shared/features/hosts';
import type { CoreDeps, Feature } from '../feature';
import { HostService } from './host-service';

export function hostsFeature({ hostRepo, pool, events }: CoreDeps): Feature<typeof hostsCalls> {
  const hosts = new HostService(hostRepo, pool, events);
  return {
    handlers: {
      'hosts.list': () => hosts.list(),
      'hosts.get': ({ hostId }) => hosts.get(hostId),
      'hosts.add': (input) => hosts.add(input),
      'hosts.update': ({ hostId, host }) => hosts.update(hostId, host),
      'hosts.fetchKey': ({ hostId }) => hosts.fetchKey(hostId),
      'hosts.acceptKey': ({ hostId, fingerprint }) => hosts.acceptKey(hostId, fingerprint),
      'hosts.remove': async ({ hostId }) => (await hosts.remove(hostId), { removed: true as const }),
      'hosts.reconnect': ({ hostId }) => hosts.reconnect(hostId),
      'hosts.probe': ({ hostId }) => hosts.probe(hostId),
      'hosts.sshConfig': () => hosts.sshConfigAliases(),
    },
  };
}
