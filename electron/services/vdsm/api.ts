// Typed VDSM verbs used by the hosted-engine storage flow. Method and parameter names are the
// JSON-RPC ones from vdsm-api.yml (reference section 2.1); values VDSM sends as strings stay
// strings here and are parsed by the callers that need numbers.
import type { Params } from './jsonrpc';
import type { VdsmConnectionEntry } from '../../../shared/domain/bond';

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Storage domain type ints (vdsm sd.py). */
export const DomainType = { NFS: 1, FCP: 2, ISCSI: 3, LOCALFS: 4, POSIXFS: 6, GLUSTERFS: 7 } as const;
export const DomainClass = { Data: 1, Iso: 2, Backup: 3 } as const;

/** What the client needs to offer to the API layer (VdsmClient satisfies it; replay fakes too). */
export interface VdsmCaller {
  call<T = unknown>(method: string, params?: Params, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<T>;
}

/** One iSCSI connectStorageServer entry (the same shape the bond review shows). */
export type IscsiConnection = VdsmConnectionEntry;

export interface NfsConnection {
  id: string;
  connection: string; // server:/export
  version?: string;
}

export interface ConnectStatus {
  id: string;
  status: number;
}

export interface PathInfo {
  connection: string;
  port: string;
  iqn: string;
  /** The TPGT (VDSM calls it portal). */
  portal: string;
  /** iscsiadm iface name, not an IQN. */
  initiatorname: string;
  user?: string;
  password?: string;
}

export interface PathStatus {
  physdev: string;
  state: 'active' | 'failed' | string;
  lun: string;
  type: string;
  capacity?: string;
}

export interface BlockDeviceInfo {
  GUID: string;
  capacity: string;
  devtype: string;
  vendorID: string;
  productID: string;
  fwrev?: string;
  serial?: string;
  logicalblocksize: string;
  physicalblocksize: string;
  discard_max_bytes?: number;
  pvUUID: string;
  pvsize?: string;
  vgUUID?: string;
  status: 'free' | 'used' | 'unknown' | string;
  pathlist: PathInfo[];
  pathstatus: PathStatus[];
}

export interface VolumeGroupInfo {
  name: string;
  vgUUID: string;
  vgsize: string;
  vgfree: string;
  type: number;
  state: string;
  attr: Record<string, string>;
  pvlist: Array<Partial<BlockDeviceInfo> & { devcapacity?: string }>;
}

export interface StorageDomainStats {
  disktotal: string | number;
  diskfree: string | number;
  mdasize?: string | number;
  mdafree?: string | number;
  mdavalid?: boolean;
  mdathreshold?: boolean;
}

export interface TaskStatus {
  taskID: string;
  taskState: 'init' | 'running' | 'finished' | 'aborting' | 'cleaning' | 'unknown' | string;
  taskResult: 'success' | 'cleanSuccess' | 'cleanFailure' | '' | string;
  code: number;
  message: string;
}

export interface DiscoveredPortal {
  address: string;
  port: number;
  tpgt: string;
  iqn: string;
}

/** Parses discoverSendTargets lines "ip:port,tpgt iqn" (IPv6 as "[addr]:port,tpgt iqn"). */
export function parseSendTargets(lines: readonly string[]): DiscoveredPortal[] {
  const out: DiscoveredPortal[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const m = /^\s*(\[[^\]]+\]|[^\s:]+):(\d+),(-?\d+)\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    const address = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
    const key = `${address}|${m[2]}|${m[3]}|${m[4]}`;
    if (seen.has(key)) continue; // a portal listed twice is one path, not two
    seen.add(key);
    out.push({ address, port: Number(m[2]), tpgt: m[3], iqn: m[4] });
  }
  return out;
}

export interface TargetGroup {
  iqn: string;
  tpgt: string;
  portals: { address: string; port: number }[];
}

/** Groups discovered portals by IQN, then TPGT, keeping discovery order. */
export function groupTargets(portals: readonly DiscoveredPortal[]): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const p of portals) {
    let g = groups.find((x) => x.iqn === p.iqn && x.tpgt === p.tpgt);
    if (!g) groups.push((g = { iqn: p.iqn, tpgt: p.tpgt, portals: [] }));
    if (!g.portals.some((x) => x.address === p.address && x.port === p.port)) g.portals.push({ address: p.address, port: p.port });
  }
  return groups;
}

/** Typed wrappers: one method per verb, JSON-RPC names and named params. */
export class VdsmApi {
  constructor(readonly rpc: VdsmCaller) {}

  discoverSendTargets(a: { host: string; port: number; user: string; password: string }, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<string[]> {
    return this.rpc.call('ISCSIConnection.discoverSendTargets', { host: a.host, port: a.port, user: a.user, password: a.password }, opts);
  }

  connectStorageServer(storagepoolID: string, domainType: number, connectionParams: Array<IscsiConnection | NfsConnection>, opts?: { timeoutMs?: number }): Promise<ConnectStatus[]> {
    return this.rpc.call('StoragePool.connectStorageServer', { storagepoolID, domainType, connectionParams }, opts);
  }

  disconnectStorageServer(storagepoolID: string, domainType: number, connectionParams: Array<IscsiConnection | NfsConnection>): Promise<ConnectStatus[]> {
    return this.rpc.call('StoragePool.disconnectStorageServer', { storagepoolID, domainType, connectionParams });
  }

  /** Params given are sent as is: the seed sends only storageType. */
  getDeviceList(p: { storageType?: number; guids?: string[]; checkStatus?: boolean; refresh?: boolean }): Promise<BlockDeviceInfo[]> {
    return this.rpc.call('Host.getDeviceList', p as Params);
  }

  getStorageRepoStats(p: { domains?: string[] } = {}): Promise<Record<string, unknown>> {
    return this.rpc.call('Host.getStorageRepoStats', p as Params);
  }

  createVG(name: string, devlist: string[], force: boolean): Promise<string> {
    return this.rpc.call('LVMVolumeGroup.create', { name, devlist, force });
  }

  getVGInfo(lvmvolumegroupID: string): Promise<VolumeGroupInfo> {
    return this.rpc.call('LVMVolumeGroup.getInfo', { lvmvolumegroupID });
  }

  removeVG(lvmvolumegroupID: string): Promise<unknown> {
    return this.rpc.call('LVMVolumeGroup.remove', { lvmvolumegroupID });
  }

  createStorageDomain(p: { storagedomainID: string; domainType: number; typeArgs: string; name: string; domainClass: number; version: number }): Promise<unknown> {
    return this.rpc.call('StorageDomain.create', p);
  }

  formatStorageDomain(storagedomainID: string, autoDetach = false): Promise<unknown> {
    return this.rpc.call('StorageDomain.format', { storagedomainID, autoDetach });
  }

  getStorageDomainStats(storagedomainID: string): Promise<StorageDomainStats> {
    return this.rpc.call('StorageDomain.getStats', { storagedomainID });
  }

  getStorageDomainInfo(storagedomainID: string): Promise<Record<string, unknown>> {
    return this.rpc.call('StorageDomain.getInfo', { storagedomainID });
  }

  activateStorageDomain(storagedomainID: string, storagepoolID: string): Promise<unknown> {
    return this.rpc.call('StorageDomain.activate', { storagedomainID, storagepoolID });
  }

  createStoragePool(p: {
    storagepoolID: string;
    name: string;
    masterSdUUID: string;
    masterVersion: number;
    domainList: string[];
    lockRenewalIntervalSec: number;
    leaseTimeSec: number;
    ioOpTimeoutSec: number;
    leaseRetries: number;
  }): Promise<unknown> {
    return this.rpc.call('StoragePool.create', p);
  }

  connectStoragePool(p: { storagepoolID: string; hostID: number; scsiKey: string; masterSdUUID: string; masterVersion: number; domainDict?: Record<string, string> }): Promise<unknown> {
    return this.rpc.call('StoragePool.connect', p);
  }

  disconnectStoragePool(storagepoolID: string, hostID: number, scsiKey: string, remove = false): Promise<unknown> {
    return this.rpc.call('StoragePool.disconnect', { storagepoolID, hostID, scsiKey, remove });
  }

  destroyStoragePool(storagepoolID: string, hostID: number, scsiKey: string): Promise<unknown> {
    return this.rpc.call('StoragePool.destroy', { storagepoolID, hostID, scsiKey });
  }

  /** Asynchronous: returns a task id to wait for (waitTask). */
  spmStart(p: { storagepoolID: string; prevID: number; prevLver: string; enableScsiFencing: string; maxHostID: number; domVersion: string }): Promise<string> {
    return this.rpc.call('StoragePool.spmStart', p);
  }

  spmStop(storagepoolID: string): Promise<unknown> {
    return this.rpc.call('StoragePool.spmStop', { storagepoolID });
  }

  getSpmStatus(storagepoolID: string): Promise<{ spmId: number; spmStatus: string; spmLver: number | string }> {
    return this.rpc.call('StoragePool.getSpmStatus', { storagepoolID });
  }

  getStoragePoolInfo(storagepoolID: string): Promise<Record<string, unknown>> {
    return this.rpc.call('StoragePool.getInfo', { storagepoolID });
  }

  deactivateStorageDomain(p: { storagedomainID: string; storagepoolID: string; masterSdUUID: string; masterVersion: number }): Promise<unknown> {
    return this.rpc.call('StorageDomain.deactivate', p);
  }

  /** Every VG the host sees (VolumeGroupInfo without pvlist); finds a VG by name (= the future sdUUID). */
  getLVMVolumeGroups(storageType?: number): Promise<Omit<VolumeGroupInfo, 'pvlist'>[]> {
    return this.rpc.call('Host.getLVMVolumeGroups', storageType === undefined ? {} : { storageType });
  }

  /** Task id -> {id, verb}: tells which task an interrupted spmStart left. */
  getAllTasksInfo(): Promise<Record<string, { id: string; verb: string }>> {
    return this.rpc.call('Host.getAllTasksInfo', {});
  }

  getConnectedStoragePools(): Promise<string[]> {
    return this.rpc.call('Host.getConnectedStoragePools', {});
  }

  getTaskStatus(taskID: string): Promise<TaskStatus> {
    return this.rpc.call('Task.getStatus', { taskID });
  }

  clearTask(taskID: string): Promise<unknown> {
    return this.rpc.call('Task.clear', { taskID });
  }

  /**
   * Polls Task.getStatus until the task is finished (VDSM has no storage events, reference 1.8).
   * Throws when it ends unsuccessfully or the deadline passes.
   */
  async waitTask(taskID: string, o: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<TaskStatus> {
    const deadline = Date.now() + (o.timeoutMs ?? 180_000);
    let interval = o.intervalMs ?? 500;
    for (;;) {
      if (o.signal?.aborted) throw new Error('cancelled');
      const st = await this.getTaskStatus(taskID);
      if (st.taskState === 'finished') {
        if (st.taskResult !== 'success') {
          const err = new TaskFailedError(taskID, st);
          throw err;
        }
        return st;
      }
      if (Date.now() > deadline) throw new Error(`task ${taskID} did not finish within ${Math.round((o.timeoutMs ?? 180_000) / 1000)} s (state ${st.taskState})`);
      await new Promise((r) => setTimeout(r, interval));
      interval = Math.min(interval * 2, 5_000);
    }
  }
}

export class TaskFailedError extends Error {
  constructor(
    readonly taskID: string,
    readonly status: TaskStatus,
  ) {
    super(`task ${taskID} ended with ${status.taskResult || 'no result'} (code ${status.code}: ${status.message})`);
    this.name = 'TaskFailedError';
  }
}
