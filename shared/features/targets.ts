// Contract fragment of the Targets feature: iSCSI targets on a storage server (Linux tgt today),
// their live view, per-server settings and the plans of every target wizard.
import { z } from 'zod';
import { call, Id, type CallMap } from '../contract-kit';
import type { PlanView } from '../plan';
import { AccessEditInputSchema, LunAddInputSchema, TargetDeleteInputSchema, TargetInputSchema } from '../domain/target';
import {
  AdoptInputSchema, BulkInputSchema, ChapActionInputSchema, ChapRevealInputSchema, LunReadonlyInputSchema, LunRemoveInputSchema, LunResizeInputSchema,
  PortalActionInputSchema, RenameInputSchema, SessionCloseInputSchema, TargetRefSchema,
} from '../domain/target-actions';

/** One LUN of a target as the Targets page shows it. */
export interface TargetLunView {
  lun: number;
  path: string | null;
  type: string;
  /** Size as tgt reports it (decimal MB converted to bytes, exact to 1 MB). */
  sizeBytes: number;
  apparentBytes: number | null;
  allocatedBytes: number | null;
  readonly: boolean;
  scsiId: string;
  scsiSn: string;
}

export interface TargetSessionView {
  /** I_T nexus id. */
  nexus: number;
  initiator: string;
  alias: string | null;
  connections: { cid: number; address: string }[];
}

export interface TargetView {
  tid: number;
  iqn: string;
  luns: TargetLunView[];
  addresses: string[];
  initiators: string[];
  namesOnly: boolean;
  openToAll: boolean;
  chap: boolean;
  mutualChap: boolean;
  /** CHAP user names bound to the target (never secrets): incoming, and the mutual (outgoing) one. */
  chapUsers: string[];
  mutualChapUser: string | null;
  sessions: TargetSessionView[];
  /** Running state vs the target's conf.d file. */
  persisted: 'in-sync' | 'drift' | 'not-running' | 'not-persisted' | 'file-error';
  driftMessages: string[];
  /** Defined by a conf.d file Portico wrote; false = unmanaged (made by hand, by tgt-admin, or left over): offer adopt. */
  managed: boolean;
  /** Portico metadata from the conf file (tgt itself has neither). */
  alias: string | null;
  comment: string | null;
  /** Sum of the LUNs' sizes (as tgt reports them), for sorting without walking LUNs. */
  totalBytes: number;
}

/** How a LUN's backing store is made, as far as the server tells. */
export type LunBackingKind = 'file-sparse' | 'file-allocated' | 'block' | 'lv' | 'missing' | 'unknown';

export interface TargetLunDetail extends TargetLunView {
  backingKind: LunBackingKind;
  blockSize: number;
  vendorId: string | null;
  productId: string | null;
  /**
   * The device GUID (multipath WWID, oVirt's LUN id) a Linux host derives from the VPD 0x83 page
   * tgt builds from scsi_id (systemd scsi_id rules); null when it cannot be derived.
   */
  guid: string | null;
}

export interface TargetSessionDetail extends TargetSessionView {
  connectionCount: number;
  /** tgt does not report when a session started: null (sinceNote says so). */
  since: string | null;
}

export interface TargetJobRef {
  id: string;
  title: string;
  state: string;
  startedAt: string;
  finishedAt: string | null;
}

export interface TargetDetailView {
  serverId: string;
  server: string;
  tid: number;
  iqn: string;
  alias: string | null;
  comment: string | null;
  managed: boolean;
  luns: TargetLunDetail[];
  access: {
    addresses: string[];
    initiators: string[];
    namesOnly: boolean;
    openToAll: boolean;
    /** Incoming CHAP user names (never secrets). */
    chapUsers: string[];
    mutualChapUser: string | null;
  };
  sessions: TargetSessionDetail[];
  /** "tgt does not tell when a session began" (shown beside the sessions). */
  sinceNote: string;
  persisted: TargetView['persisted'];
  driftMessages: string[];
  /** The conf.d file defining the target, as written (CHAP secrets masked); null when none does. */
  confPath: string | null;
  confText: string | null;
  /** Unmanaged: what adopting it needs (CHAP accounts whose secrets tgt cannot show). */
  adoptNeeds: { secretsFor: string[] } | null;
  /** Jobs whose plans touched this target, newest first. */
  jobs: TargetJobRef[];
  /** tgt listens on these for every target. */
  portals: string[];
}

export interface PortalView {
  portal: string;
  address: string;
  port: number;
  tpgt: number;
  /** In the tgt service's start line (a restart keeps it). */
  persisted: boolean;
  /** Sessions whose connections arrive on this portal's address (best known: tgt lists the initiator's address only). */
  sessions: { iqn: string; initiator: string; address: string }[];
}

export interface PortalsView {
  server: string;
  portals: PortalView[];
  /** Where Portico persists portals (the systemd drop-in) and whether it exists; null when systemd does not start tgtd here. */
  persistFile: string | null;
  persistFileExists: boolean;
  /** The systemd unit that starts tgtd (tgt.service, tgtd.service), or null. */
  service: string | null;
  /** Portals the start line names that tgtd does not listen on now. */
  notListening: string[];
}

/** What targets.chapReveal shows once. */
export interface ChapRevealView {
  iqn: string;
  user: string;
  mutual: boolean;
  secret: string;
}

export interface TgtSettingsView {
  storageDir: string;
  baseIqn: string;
}

export interface TargetsServerView {
  server: string;
  portals: string[];
  fileErrors: { file: string; error: string }[];
  targets: TargetView[];
  settings: TgtSettingsView;
}

const AbsPath = z
  .string()
  .min(2, 'storageDir: enter an absolute folder path, e.g. /srv/iscsi')
  .max(1024)
  .regex(/^\/[A-Za-z0-9._/-]+$/, 'storageDir: an absolute path of letters, digits, ".", "_", "-" and "/" (no spaces or shell characters)')
  .refine((p) => !p.split('/').includes('..'), 'storageDir: ".." is not allowed; give the folder itself');

export const targetsCalls = {
  'targets.view': call(z.object({ serverId: Id }).strict()).returns<TargetsServerView>(),
  'targets.settings': call(
    z.object({ serverId: Id, storageDir: AbsPath, baseIqn: z
        .string()
        .max(200)
        .regex(/^iqn\.\d{4}-\d{2}\.[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[a-z0-9.:-]*[a-z0-9])?$/, 'baseIqn: iqn.YYYY-MM.reversed.domain[:name], lower case, e.g. iqn.2026-11.com.example:stor1') }).strict(),
    { mutates: true },
  ).returns<TgtSettingsView>(),
  'targets.planCreate': call(TargetInputSchema).returns<PlanView>(),
  'targets.planLunAdd': call(LunAddInputSchema).returns<PlanView>(),
  'targets.planAccess': call(AccessEditInputSchema).returns<PlanView>(),
  'targets.planDelete': call(TargetDeleteInputSchema).returns<PlanView>(),
  'targets.planReconcile': call(z.object({ serverId: Id, iqn: z.string().max(223).optional() }).strict()).returns<PlanView>(),
  'targets.detail': call(TargetRefSchema).returns<TargetDetailView>(),
  'targets.planLunResize': call(LunResizeInputSchema).returns<PlanView>(),
  'targets.planLunRemove': call(LunRemoveInputSchema).returns<PlanView>(),
  'targets.planLunReadonly': call(LunReadonlyInputSchema).returns<PlanView>(),
  'targets.planChap': call(ChapActionInputSchema).returns<PlanView>(),
  /** The secret a CHAP add/rotate job generated, once, after the job succeeded (it is then forgotten). */
  'targets.chapReveal': call(ChapRevealInputSchema, { mutates: true }).returns<ChapRevealView>(),
  'targets.planSessionClose': call(SessionCloseInputSchema).returns<PlanView>(),
  'targets.planRename': call(RenameInputSchema).returns<PlanView>(),
  'targets.planAdopt': call(AdoptInputSchema).returns<PlanView>(),
  'targets.portals': call(z.object({ serverId: Id }).strict()).returns<PortalsView>(),
  'targets.planPortal': call(PortalActionInputSchema).returns<PlanView>(),
  'targets.planBulk': call(BulkInputSchema).returns<PlanView>(),
} satisfies CallMap;
