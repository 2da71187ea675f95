// The iSCSI checks: Portico's own initiator, from the workstation or through a host's SSH tunnel.
import type { iscsiCalls } from '../../../shared/features/iscsi';
import type { CoreDeps, Feature } from '../feature';
import { IscsiService } from './iscsi-service';

export function iscsiFeature({ pool, hostRepo }: CoreDeps): Feature<typeof iscsiCalls> {
  const iscsi = new IscsiService(pool, hostRepo);
  return {
    handlers: {
      'iscsi.discover': (i) => iscsi.discover(i),
      'iscsi.inspect': (i) => iscsi.inspect(i),
      'iscsi.survey': (i) => iscsi.survey(i),
    },
  };
}
