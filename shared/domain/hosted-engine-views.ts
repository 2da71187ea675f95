// What the hosted-engine wizard's calls answer (issue 7). Inputs are the zod schemas in
// ./hosted-engine; these are outputs, built in main. No secret ever appears in them.
import { z } from 'zod';
import { ChapSchema, HE_DEFAULT_DISK_GIB, HostedEngineStorageInputSchema, IqnSchema, PortalSchema, TargetChoiceSchema, type LunRow } from './hosted-engine';

/** A problem with one portal, in words, with the next step and the VDSM code when there is one. */
export interface HePortalProblem {
  portal: string;
  message: string;
  nextStep: string;
  code: number | null;
}

/** A target Portico manages itself (a storage server in the inventory serves this portal). */
export interface HeManagedTarget {
  serverId: string;
  serverName: string;
}

export interface HeDiscoverResult {
  targets: { iqn: string; tpgt: string; portals: { address: string; port: number }[] }[];
  /** Pre-selected target: the only one, else the first. */
  selected: number | null;
  problems: HePortalProblem[];
  empty: { message: string; nextStep: string } | null;
  /** 'vdsm': VDSM on the host discovered; 'native': the host has no VDSM, Portico's initiator did, through the host. */
  via: 'vdsm' | 'native';
  initiatorName: string | null;
  /** When a portal belongs to a storage server Portico manages. */
  managedBy: HeManagedTarget | null;
}

export interface HeConnectResult {
  connected: number;
  problems: HePortalProblem[];
}

export interface HeLunsResult {
  rows: LunRow[];
  noLuns: { message: string; nextStep: string; initiatorName: string | null } | null;
  initiatorName: string | null;
  managedBy: HeManagedTarget | null;
}

/** The job result of an applied hosted-engine plan (planner verify()); passwords masked. */
export interface HeApplyResult {
  pool: { spUUID: string; name: string };
  domain: { sdUUID: string; name: string; totalBytes: string; freeBytes: string };
  vg?: { vgUUID: string; name: string; sizeBytes: string; freeBytes: string; state: string; pvs: string[] };
  warnings: string[];
  answerFile: string;
  hostedEngineConf: string;
  confWritten?: { path: string; backup: string | null };
}

const HostIdField = z.string().min(1, 'Host: choose the oVirt host to deploy on.').max(80, 'Host: at most 80 characters (a host id).');

export const HeConnectInputSchema = z.object({ hostId: HostIdField, target: TargetChoiceSchema, loginChap: ChapSchema('Login CHAP') }).strict();
export const HeLunsInputSchema = z
  .object({
    hostId: HostIdField,
    iqn: IqnSchema,
    diskSizeGiB: z.coerce.number().min(HE_DEFAULT_DISK_GIB, `Engine disk size: at least ${HE_DEFAULT_DISK_GIB} GiB.`).max(4096, 'Engine disk size: at most 4096 GiB.').default(HE_DEFAULT_DISK_GIB),
    /** Lets main say when the target lives on a storage server Portico manages. */
    portals: z.array(PortalSchema).default([]),
  })
  .strict();
export const HePlanInputSchema = z
  .object({
    storage: HostedEngineStorageInputSchema,
    /** Also write the storage keys into hosted-engine.conf on the host. */
    writeConf: z.boolean().default(false),
  })
  .strict();
export type HePlanInput = z.input<typeof HePlanInputSchema>;
