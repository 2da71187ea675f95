// Contract fragment of the Datastores feature: OpenNebula iSCSI datastores: front-ends, datastores,
// images mapped to LUNs, libvirt CHAP secrets. Input schemas live in ../domain/opennebula, result
// types in ../domain/opennebula-views. Session strings and CHAP secrets are inputs only.
import { z } from 'zod';
import { call, Id, type CallMap } from '../contract-kit';
import type { PlanView } from '../plan';
import {
  DatastoreDeleteInputSchema,
  DatastoreInputSchema,
  FrontendInputSchema,
  ImageDeleteInputSchema,
  ImagesInputSchema,
  RenderTemplateInputSchema,
  TgtServerCheckInputSchema,
} from '../domain/opennebula';
import type { ClusterView, DatastoresView, FrontendTestResult, FrontendView, PortalOption, RenderedTemplate, TgtServerCheck } from '../domain/opennebula-views';

export * from '../domain/opennebula';
export type * from '../domain/opennebula-views';

const byFrontend = z.object({ frontendId: Id }).strict();

export const datastoresCalls = {
  'datastores.frontends': call(z.object({}).strict()).returns<FrontendView[]>(),
  /** Tests an endpoint and session before they are stored (nothing is kept). */
  'datastores.testFrontendInput': call(FrontendInputSchema, { audited: true }).returns<FrontendTestResult>(),
  /** Stores the endpoint and (when given) the session string in the SecretStore, then tests it. */
  'datastores.saveFrontend': call(FrontendInputSchema, { mutates: true }).returns<{ frontend: FrontendView; test: FrontendTestResult }>(),
  'datastores.removeFrontend': call(z.object({ hostId: Id }).strict(), { mutates: true }).returns<{ removed: true }>(),
  /** one.system.version + one.user.info: reachable, session valid, which driver names. */
  'datastores.testFrontend': call(byFrontend).returns<FrontendTestResult>(),
  'datastores.clusters': call(byFrontend).returns<ClusterView[]>(),
  /** Portals of the storage servers Portico manages, for ISCSI_HOST. */
  'datastores.portals': call(z.object({}).strict()).returns<PortalOption[]>(),
  'datastores.list': call(byFrontend).returns<DatastoresView>(),
  'datastores.renderTemplate': call(RenderTemplateInputSchema).returns<RenderedTemplate>(),
  'datastores.planDatastore': call(DatastoreInputSchema).returns<PlanView>(),
  'datastores.planImage': call(ImagesInputSchema).returns<PlanView>(),
  /** Unregisters the image only: the LUN stays. */
  'datastores.planImageDelete': call(ImageDeleteInputSchema).returns<PlanView>(),
  'datastores.planDatastoreDelete': call(DatastoreDeleteInputSchema).returns<PlanView>(),
  /** The tgt + LVM flavour's server side over SSH: VG, tgtadm, lvcreate, the user's sudo rights. */
  'datastores.checkTgtServer': call(TgtServerCheckInputSchema).returns<TgtServerCheck>(),
} satisfies CallMap;
