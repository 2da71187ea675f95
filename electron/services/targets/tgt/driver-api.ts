// The target-stack contract: what a planner reads and changes on a server, as types. TgtDriver
// (driver.ts) implements it for tgt; the fake in test-support implements it for unit tests.
import type { FileState } from '../../remote/files';
import type { TargetOp } from './target-op';
import type { BlockDevice } from './lsblk';
import type { TgtPortal, TgtSystem, TgtTarget } from './parser';

// ---------------------------------------------------------------- state and interface

export interface TargetState {
  targets: TgtTarget[];
  /** Every CHAP account known to the daemon (global). */
  accounts: string[];
  portals: TgtPortal[];
}

export interface ConfFile {
  /** Absolute path on the server. */
  path: string;
  text: string;
}

export interface FileStat {
  path: string;
  exists: boolean;
  /** Apparent size (what the initiator sees). */
  size: number;
  /** Bytes allocated on disk (smaller for sparse files). */
  allocated: number;
  kind: 'file' | 'block' | 'other' | 'missing';
}

/** Free space for a folder that may not exist yet: measured on its nearest existing parent. */
export interface SpaceInfo {
  /** The folder asked about. */
  path: string;
  /** Whether that folder exists now (false: the plan must create it). */
  exists: boolean;
  /** The nearest existing folder at or above `path`, where df measured. */
  measuredAt: string;
  /** The filesystem the folder is (or will be) on: device, type, mount point. */
  filesystem: { source: string; type: string; mount: string };
  availBytes: number;
  sizeBytes: number;
}

/** How a fully allocated file is made: fallocate where the filesystem supports it, else zeros with dd. */
export type FullAllocationMethod = 'fallocate' | 'dd';

/** Outcome of one tgtadm op in a batch: exit status (null = not run) and output. */
export interface OpResult {
  rc: number | null;
  out: string;
}

export interface StepLog {
  log?(line: string): void;
  signal?: AbortSignal;
}

/**
 * What a planner needs from a target stack. TgtDriver implements it for tgt; an LIO driver would map
 * the same TargetOps to targetcli and keep its own persistence (saveconfig.json).
 */
export interface TargetDriver {
  readonly kind: 'tgt';
  readonly label: string;
  readonly storageDir: string;
  readonly confDir: string;
  /** The main config tgt-admin reads at start (it includes the conf.d files). */
  readonly targetsConf: string;
  readState(o?: StepLog): Promise<TargetState>;
  readSystem(): Promise<{ version: string; system: TgtSystem }>;
  /**
   * Runs tgtadm ops in order in one round trip, then reads the state. strict: after the first
   * failure the rest are not run (rc null); loose: every op runs (idempotent undo). No compensation:
   * the job runner journals each op and undoes what took effect.
   */
  runOps(ops: readonly TargetOp[], mode: 'strict' | 'loose', o?: StepLog): Promise<{ results: OpResult[]; state: TargetState }>;
  /** How an op is shown for review (secrets masked). */
  describe(op: TargetOp): string;
  readConfFiles(): Promise<ConfFile[]>;
  /** Files as they are now (bytes, mode, owner; content null = absent): the pre-state of a planned write. */
  readFileStates(paths: readonly string[]): Promise<Map<string, FileState>>;
  /** sha256 of each file (null = absent); a failed read is an error. */
  digests(paths: readonly string[]): Promise<Map<string, string | null>>;
  stat(paths: readonly string[]): Promise<FileStat[]>;
  space(path: string): Promise<SpaceInfo>;
  listStorage(): Promise<FileStat[]>;
  /** Creates sparse files in one round trip, in order, refusing existing paths; stops at the first failure (null = not run). */
  createSparse(files: readonly { path: string; bytes: number }[], o?: StepLog): Promise<({ ok: true } | { ok: false; error: string } | null)[]>;
  /**
   * Allocates a file in full (fallocate, or zeros with dd where the filesystem has no fallocate),
   * growing under partialPathOf(path) and renamed into place when complete. Progress goes to the
   * job log; a stall (no growth for the watchdog's time), a cancel, a timeout or a lost connection
   * stops it, and the script removes the partial file on every exit it lives to see.
   */
  createFull(path: string, bytes: number, o?: StepLog & { onProgress?: (done: number, total: number) => void }): Promise<{ method: FullAllocationMethod }>;
  removeFiles(paths: readonly string[], o?: StepLog): Promise<void>;
  hasLvm(): Promise<boolean>;
  /**
   * Existing block devices as lsblk sees them on the server (mounts, signatures, partitions,
   * holders: the in-use check of lsblk.ts), by the path asked for; `unchecked` says why one could
   * not be read (then it counts as in use).
   */
  inspectDevices(paths: readonly string[]): Promise<Map<string, BlockDevice | { unchecked: string }>>;
  lvExists(vg: string, lv: string): Promise<boolean>;
  lvCreate(vg: string, lv: string, bytes: number, o?: StepLog): Promise<string>;
  /** Removes the LV if it exists. */
  lvRemove(vg: string, lv: string, o?: StepLog): Promise<void>;
  /** Replays the conf files into tgtd (tgt-admin --update ALL, as the service start does). */
  replayConf(o?: StepLog): Promise<string>;
  /**
   * Sets a backing file's size from `from` to `to` bytes (growing: sparse with truncate, or
   * allocated with fallocate / zeros appended; the undo of a growth shrinks back). Refuses when
   * the file is neither `from` nor already `to` bytes long (it changed since the plan was built).
   */
  resizeFile(path: string, from: number, to: number, allocate: boolean, o?: StepLog): Promise<void>;
  /** lvextend -L to bytes (no-op when the LV is already that large). */
  lvExtend(vg: string, lv: string, bytes: number, o?: StepLog): Promise<void>;
  /**
   * Established TCP connections to tgtd's iSCSI ports (ss): which local address (portal) each
   * initiator address came in on. null when the server cannot tell (no ss).
   */
  iscsiConnections(ports: readonly number[]): Promise<{ local: string; localPort: number; peer: string }[] | null>;
  /**
   * The systemd unit that starts tgtd here (tgt.service on Debian and Ubuntu, tgtd.service on RHEL,
   * Fedora and SUSE), its unit file and the path of Portico's portal drop-in for it; null when
   * systemd does not run this server or knows neither unit (then a portal cannot be persisted).
   */
  tgtService(): Promise<TgtServiceFiles | null>;
  /** Runs systemctl daemon-reload when systemd runs the server (so a restart reads the drop-in); says what it did. */
  systemdReload(o?: StepLog): Promise<string>;
}

export interface TgtServiceFiles {
  unit: string;
  unitFile: string;
  dropIn: string;
}
