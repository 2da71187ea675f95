// Contract fragment of the Dashboard feature: the dashboard (the storage estate at a glance, warnings
// computed in main) and the first-time setup assistant's resumable progress (./setup.ts).
import { z } from 'zod';
import { call, Id, type CallMap } from '../contract-kit';
import type { JobView } from '../plan';
import { setupCalls } from './setup';

export type WarningCode = 'overcommit' | 'low-free-space' | 'duplicate-guid' | 'open-to-all' | 'short-chap-secret' | 'chap-secret-unknown' | 'conf-drift';

/** Where a figure or warning is explained: a page id and its route params (#/targets/<serverId>/<iqn>). */
export interface PageLink {
  page: string;
  params: string[];
}

export interface DashboardWarning {
  code: WarningCode;
  severity: 'error' | 'warning' | 'info';
  serverId: string | null;
  iqn: string | null;
  /** Plain words: what is wrong, why it matters, what to do. */
  message: string;
  link: PageLink;
}

export interface DashboardThresholds {
  /** Warn when the LUN files claim more than this % of their filesystem's size. */
  overcommitPct: number;
  /** Warn when a filesystem holding sparse LUNs has less than this % free. */
  minFreePct: number;
}

export const DEFAULT_THRESHOLDS: DashboardThresholds = { overcommitPct: 100, minFreePct: 10 };

export interface ServerCapacity {
  /** LUN files in the storage folder: what initiators see (apparent) and what is on disk (allocated). */
  apparentBytes: number;
  allocatedBytes: number;
  /** Sparse LUN files only (allocated < apparent). */
  sparseApparentBytes: number;
  sparseAllocatedBytes: number;
  sparseLuns: number;
  /** Apparent size of the LUN files as a % of their filesystem's size; null when the filesystem was not measured. */
  overcommitPct: number | null;
  filesystem: { mount: string; type: string; sizeBytes: number; availBytes: number; freePct: number } | null;
  /** Why the filesystem could not be measured. */
  filesystemError: string | null;
}

export interface ServerSummary {
  serverId: string;
  name: string;
  address: string;
  /** The server answered the reads; otherwise `error` says why. */
  reachable: boolean;
  error: string | null;
  storageDir: string;
  capacity: ServerCapacity | null;
  targets: number;
  sessions: number;
  /** Targets whose running state differs from their conf file (or have none). */
  drift: { iqn: string; status: string; messages: string[] }[];
  thresholds: DashboardThresholds;
}

export interface HostProblem {
  hostId: string;
  name: string;
  address: string;
  state: 'blocked' | 'failed';
  reason: string;
}

export interface PathHealthSummary {
  /** When the newest check ran; null when none has. */
  at: string | null;
  ok: number;
  failed: number;
  sources: { source: string; at: string; ok: number; failed: number }[];
  /** The failed paths, in words. */
  failures: { source: string; from: string; portal: string; iqn: string | null; message: string }[];
}

export interface DashboardOverview {
  at: string;
  hosts: { total: number; storage: number; hypervisors: number };
  servers: ServerSummary[];
  hostProblems: HostProblem[];
  paths: PathHealthSummary;
  jobs: { recent: JobView[]; interrupted: JobView[] };
  warnings: DashboardWarning[];
}

const Pct = (field: string, min: number, max: number) =>
  z.number({ error: `${field}: a number of percent` }).int(`${field}: a whole number of percent`).min(min, `${field}: at least ${min}`).max(max, `${field}: at most ${max}`);

export const dashboardCalls = {
  'dashboard.overview': call(z.object({}).strict()).returns<DashboardOverview>(),
  'dashboard.warnings': call(z.object({}).strict()).returns<DashboardWarning[]>(),
  'dashboard.thresholds': call(z.object({ serverId: Id }).strict()).returns<DashboardThresholds>(),
  'dashboard.setThresholds': call(
    z.object({ serverId: Id, overcommitPct: Pct('overcommitPct', 1, 10000), minFreePct: Pct('minFreePct', 1, 99) }).strict(),
    { mutates: true },
  ).returns<DashboardThresholds>(),
  ...setupCalls,
} satisfies CallMap;
