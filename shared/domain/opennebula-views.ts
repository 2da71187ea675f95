// What the Datastores page and wizards get back from main: front-ends (never their session
// string), datastores with their images and the LUN each maps to, orphans with their fix, and the
// rendered templates. Sizes are bytes; OpenNebula's own figure (0 for these images) sits beside.

/** The driver names a front-end's version takes, and which flavours it can run. */
export interface OneDrivers {
  version: string;
  /** The existing-LUNs flavour: DS_MAD/TM_MAD names (iscsi_libvirt today; iscsi on 5.0-5.4), or null when the version has no such driver. */
  libvirt: { dsMad: string; tmMad: string } | null;
  /** The 3.4 tgt + LVM driver; null = this version does not ship it: the template is export-only. */
  tgtLvm: { dsMad: string; tmMad: string } | null;
  notes: string[];
}

export interface FrontendView {
  hostId: string;
  hostName: string;
  endpoint: string;
  via: 'direct' | 'ssh';
  /** A session string is stored (its value never leaves main). */
  hasSession: boolean;
  /** The user part of the session string (before ':'), for display. */
  user: string | null;
  /** From the last successful test, or null. */
  version: string | null;
  lastError: string | null;
}

export interface FrontendTestResult {
  ok: boolean;
  version: string | null;
  drivers: OneDrivers | null;
  /** The authenticated user (one.user.info -1), when the session works. */
  user: { id: number; name: string } | null;
  /** In words (authentication, authorisation, unreachable...). */
  error: string | null;
}

export interface OneHostView {
  id: number;
  name: string;
  imMad: string;
  vmMad: string;
  /** OpenNebula host state in words (monitored, error, disabled, offline...). */
  state: string;
  /** The Portico host this is (matched by name or address), or null: the secret step cannot reach it. */
  porticoHostId: string | null;
}

export interface ClusterView {
  id: number;
  name: string;
  /** Every host of the cluster; KVM ones get the CHAP secret. */
  hosts: OneHostView[];
}

export interface PortalOption {
  serverId: string;
  serverName: string;
  /** host:port as ISCSI_HOST takes it. */
  portal: string;
}

/** A fix for an orphan: the plan call to make, with its input (the renderer builds the plan and shows the review). */
export type OrphanFix =
  | { call: 'datastores.planImageDelete'; input: { frontendId: string; imageId: number }; label: string }
  | { call: 'datastores.planImage'; input: { frontendId: string; datastoreId: number; images: { name: string; iqn: string; lun: number; serverId?: string; type: 'DATABLOCK' }[] }; label: string };

export interface LunLiveState {
  serverId: string;
  serverName: string;
  exists: boolean;
  sizeBytes: number | null;
  /** Sessions on the LUN's target (tgt counts them per target). */
  sessions: number;
  initiators: string[];
}

export interface ImageView {
  id: number;
  name: string;
  /** PATH as registered, and the IQN/LUN libvirt uses (ISCSI_IQN when set). */
  path: string;
  iqn: string;
  lun: number;
  /** PATH had no /N suffix: libvirt uses LUN 0, tgt's controller. */
  missingLunSuffix: boolean;
  persistent: boolean;
  type: string;
  /** Image state in words (ready, used, error, locked...). */
  state: string;
  /** OpenNebula's size (0 for iSCSI images: it does not track them). */
  oneSizeMb: number;
  iscsiHost: string | null;
  /** The LUN on a Portico storage server, or null when no managed server has the target. */
  lun_: LunLiveState | null;
  /** The image points at no existing LUN (of a managed server). */
  orphan: boolean;
  orphanReason: string | null;
  fix: OrphanFix | null;
}

export interface DatastoreView {
  id: number;
  name: string;
  dsMad: string;
  tmMad: string;
  diskType: string;
  type: string;
  clusterIds: number[];
  iscsiHost: string | null;
  iscsiUser: string | null;
  iscsiUsage: string | null;
  /** One of the iSCSI drivers (iscsi_libvirt, iscsi): Portico maps its images. */
  iscsi: boolean;
  images: ImageView[];
}

/** A LUN of a target some image maps to, with no image of its own. */
export interface OrphanLunView {
  serverId: string;
  serverName: string;
  iqn: string;
  lun: number;
  sizeBytes: number;
  sessions: number;
  /** The datastore whose images use this target (the fix registers the LUN there). */
  datastoreId: number;
  fix: OrphanFix;
}

export interface DatastoresView {
  frontend: FrontendView;
  drivers: OneDrivers;
  datastores: DatastoreView[];
  orphanLuns: OrphanLunView[];
  /** Storage servers that could not be read (their LUNs show as unknown), in words. */
  problems: string[];
}

export interface RenderedTemplate {
  /** OpenNebula's KEY = "value" form, for review and export (secrets never appear: there are none in templates). */
  text: string;
  /** The XML form (root TEMPLATE) that goes to oned. */
  xml: string;
  /** This front-end's version does not ship the driver: the template can only be exported. */
  exportOnly: boolean;
  exportOnlyReason: string | null;
  /** The seed's warnings: admin-only datastore, KVM only, persistent images only, one portal. */
  warnings: string[];
}

export interface TgtServerCheck {
  serverId: string;
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
  /** What is missing, in words, each with how to fix it. */
  missing: string[];
}
