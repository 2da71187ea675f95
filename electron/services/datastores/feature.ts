// The Datastores feature: OpenNebula iSCSI datastores: front-ends, datastores, images mapped to LUNs, libvirt CHAP secrets.
import type { datastoresCalls } from '../../../shared/features/datastores';
import type { CoreDeps, Feature } from '../feature';

const todo = (): never => {
  throw new Error('not implemented yet');
};

export function datastoresFeature(_core: CoreDeps): Feature<typeof datastoresCalls> {
  return {
    handlers: {
      'datastores.frontends': todo,
      'datastores.testFrontendInput': todo,
      'datastores.saveFrontend': todo,
      'datastores.removeFrontend': todo,
      'datastores.testFrontend': todo,
      'datastores.clusters': todo,
      'datastores.portals': todo,
      'datastores.list': todo,
      'datastores.renderTemplate': todo,
      'datastores.planDatastore': todo,
      'datastores.planImage': todo,
      'datastores.planImageDelete': todo,
      'datastores.planDatastoreDelete': todo,
      'datastores.checkTgtServer': todo,
    },
  };
}
