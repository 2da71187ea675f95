// The Datastores feature: OpenNebula iSCSI datastores: front-ends, datastores, images mapped to
// LUNs, libvirt CHAP secrets. Its operation kinds (oned allocations and deletes, libvirt secrets on
// the KVM hosts) go into the core's registry; its usage check makes the targets planners refuse to
// delete a LUN or target an image maps to.
import type { datastoresCalls } from '../../../shared/features/datastores';
import type { CoreDeps, Feature } from '../feature';
import type { CheckKind, OperationKind } from '../jobs/operation';
import { libvirtSecretKinds } from '../libvirt/ops';
import { oneKinds } from '../opennebula/ops';
import { TargetService } from '../targets/target-service';
import { checkTgtServer } from './tgt-check';
import { DatastoresService, secretMemory } from './service';

export function datastoresFeature({ db, hostRepo, pool, plans, secrets, kinds, usage }: CoreDeps): Feature<typeof datastoresCalls> {
  // A read-only TargetService for the live LUN view (the targets feature owns the target plans).
  const targets = new TargetService(db, hostRepo, pool, plans);
  const storage = {
    list: () => hostRepo.list().filter((h) => h.roles.includes('storage')).map((h) => ({ id: h.id, name: h.name })),
    view: (id: string) => targets.view(id),
  };
  const memory = secretMemory(secrets);
  const svc = new DatastoresService(db, hostRepo, secrets, pool, plans, storage, memory);
  const one = oneKinds((h) => svc.frontends.client(h));
  const lv = libvirtSecretKinds(pool, memory);
  kinds.add(...([one.dsAllocate, one.dsDelete, one.imageAllocate, one.imageDelete, lv.define, lv.set, lv.undefine] as unknown as OperationKind<never>[]));
  kinds.addChecks(lv.listed as unknown as CheckKind<never>);
  usage.register((ref) => svc.lunUsers(ref));
  return {
    handlers: {
      'datastores.frontends': () => svc.frontends.list(),
      'datastores.testFrontendInput': (i) => svc.frontends.testInput(i),
      'datastores.saveFrontend': (i) => svc.frontends.save(i),
      'datastores.removeFrontend': ({ hostId }) => svc.frontends.remove(hostId),
      'datastores.testFrontend': ({ frontendId }) => svc.frontends.testStored(frontendId),
      'datastores.clusters': ({ frontendId }) => svc.clusters(frontendId),
      'datastores.portals': () => svc.portals(),
      'datastores.list': ({ frontendId }) => svc.list(frontendId),
      'datastores.renderTemplate': (i) => svc.renderTemplate(i),
      'datastores.planDatastore': (i) => svc.planDatastore(i),
      'datastores.planImage': (i) => svc.planImages(i),
      'datastores.planImageDelete': (i) => svc.planImageDelete(i),
      'datastores.planDatastoreDelete': (i) => svc.planDatastoreDelete(i),
      'datastores.checkTgtServer': ({ serverId, vgName, user }) => checkTgtServer(pool, serverId, vgName, user),
    },
  };
}
