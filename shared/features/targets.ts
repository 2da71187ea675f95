// Contract fragment of the Targets feature: iSCSI targets on a storage server (Linux tgt today),
// their live view, per-server settings and the plans of every target wizard.
import { z } from 'zod';
import { call, Id, type CallMap } from '../contract-kit';
import type { PlanView } from '../plan';
import { AccessEditInputSchema, LunAddInputSchema, TargetDeleteInputSchema, TargetInputSchema } from '../domain/target';

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
} satisfies CallMap;
