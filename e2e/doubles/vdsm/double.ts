// TEST DOUBLE — not VDSM. Answers the storage verbs the hosted-engine wizard uses, in the shapes
// of the seed transcript. Every call is checked against vdsm-api.yml (unknown verb -32601, bad
// parameter names -32602). Discovery, login and the device list are backed by a real iSCSI
// target through Portico's native initiator (so wrong CHAP really fails with 476 and an ACL miss
// really shows no devices); VG/domain/pool/SPM/task calls keep in-memory state.
import { randomBytes, randomUUID } from 'node:crypto';
import { discover as iscsiDiscover, inspect as iscsiInspect, type InspectResult, type LunInfo } from '../../../electron/services/iscsi/initiator';
import { isIscsiError } from '../../../electron/services/iscsi/errors';
import { RpcFault, type RpcRequestInfo } from './broker';
import { checkCall, iscsiConnectionKeys, type ApiSchema } from './schema';

const GIB = 1024 ** 3;
const EXTENT = 128 * 1024 * 1024;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the double needs from an initiator; the real one by default, fakes in unit tests. */
export interface IscsiBackend {
  discover(o: { address: string; port: number; chap?: { user: string; secret: string }; initiatorName: string; timeoutMs: number }): Promise<{ address: string; port: number; tpgt: number; iqn: string }[]>;
  inspect(o: { address: string; port: number; iqn: string; chap?: { user: string; secret: string }; initiatorName: string; timeoutMs: number }): Promise<Pick<InspectResult, 'targetPortalGroupTag' | 'luns'>>;
}

export const nativeBackend: IscsiBackend = {
  async discover(o) {
    const r = await iscsiDiscover({ portal: { address: o.address, port: o.port }, chap: o.chap, initiatorName: o.initiatorName, timeoutMs: o.timeoutMs });
    return r.targets.flatMap((t) =>
      (t.portals.length ? t.portals : [{ address: o.address, port: o.port, tpgt: 1 }]).map((p) => ({ address: p.address, port: p.port, tpgt: p.tpgt, iqn: t.targetName })),
    );
  },
  async inspect(o) {
    return iscsiInspect({ portal: { address: o.address, port: o.port }, target: o.iqn, chap: o.chap, initiatorName: o.initiatorName, timeoutMs: o.timeoutMs, probeOnNotFound: false });
  },
};

export interface VdsmDoubleOptions {
  schema: ApiSchema;
  /** The host's initiator IQN (what the target's ACL must allow). */
  initiatorName: string;
  backend?: IscsiBackend;
  /** Per iSCSI exchange; VDSM's iscsiadm waits much longer on a dead portal. */
  iscsiTimeoutMs?: number;
  /** How long spmStart's task stays "running". */
  taskMs?: number;
  log?: (line: string) => void;
}

interface Session {
  key: string;
  connection: string;
  port: number;
  iqn: string;
  tpgt: string;
  user: string;
  password: string;
}

interface Vg {
  name: string;
  uuid: string;
  guids: string[];
  size: number;
  free: number;
  pvs: Record<string, string>;
  domain: string | null;
}

interface Domain {
  uuid: string;
  name: string;
  type: number;
  vgUUID: string | null;
  version: number;
  pool: string | null;
  status: 'Attached' | 'Active';
}

interface Pool {
  uuid: string;
  name: string;
  master: string;
  masterVersion: number;
  domains: string[];
}

interface Task {
  id: string;
  verb: string;
  pool: string;
  /** The SPM role is taken once the task has finished (no earlier, no later). */
  settled: boolean;
  finishAt: number;
  result: 'success';
}

/**
 * TEST-ONLY endpoint of the double, not a VDSM verb (VDSM has no such call): the double's whole
 * storage state, normalised, so the fault-matrix tests can compare before and after a rollback.
 */
export const SNAPSHOT_METHOD = 'PorticoTestDouble.stateSnapshot';

/**
 * TEST-ONLY endpoint too (bonds): every connectStorageServer payload received, in order, passwords
 * masked, so a test can compare the per-NIC expansion the console sent with the expected one.
 */
export const CONNECT_CALLS_METHOD = 'PorticoTestDouble.connectCalls';

export interface RecordedConnect {
  storagepoolID: string;
  domainType: number;
  connectionParams: Record<string, unknown>[];
}

export interface DoubleSnapshot {
  sessions: string[];
  vgs: { name: string; guids: string[]; domain: string | null }[];
  domains: { uuid: string; name: string; pool: string | null; status: string }[];
  pools: { uuid: string; name: string; master: string; domains: string[] }[];
  tasks: string[];
  connectedPool: string | null;
  spm: string | null;
}

function lvmUuid(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const part = (n: number) => Array.from(randomBytes(n), (b) => abc[b % abc.length]).join('');
  return [part(6), part(4), part(4), part(4), part(4), part(4), part(6)].join('-');
}

const fault = (code: number, message: string) => new RpcFault(code, message);

export class VdsmDouble {
  readonly sessions = new Map<string, Session>();
  readonly vgs = new Map<string, Vg>();
  readonly domains = new Map<string, Domain>();
  readonly pools = new Map<string, Pool>();
  readonly tasks = new Map<string, Task>();
  connectedPool: { uuid: string; hostID: number } | null = null;
  spm: string | null = null;
  /** Until this time every call answers 99 (VDSM starting/recovering). */
  recoveringUntil = 0;
  /** Last device sizes/blocks seen per GUID (createVG checks). */
  private readonly devCache = new Map<string, { capacity: number; lbs: number }>();
  private readonly backend: IscsiBackend;
  /** connectStorageServer payloads as received (passwords masked); see CONNECT_CALLS_METHOD. */
  readonly connectCalls: RecordedConnect[] = [];

  constructor(readonly o: VdsmDoubleOptions) {
    this.backend = o.backend ?? nativeBackend;
  }

  private log(l: string): void {
    this.o.log?.(l);
  }

  /** A finished spmStart task makes the host SPM (if the pool is still connected). */
  private settleTasks(): void {
    for (const t of this.tasks.values()) {
      if (t.settled || Date.now() < t.finishAt) continue;
      t.settled = true;
      if (t.verb === 'spmStart' && this.connectedPool?.uuid === t.pool) this.spm = t.pool;
    }
  }

  /** The state as the snapshot endpoint returns it (sorted; random LVM UUIDs left out, names kept). */
  snapshot(): DoubleSnapshot {
    const by = <T>(xs: T[], k: (x: T) => string) => [...xs].sort((a, b) => k(a).localeCompare(k(b)));
    return {
      sessions: [...this.sessions.keys()].sort(),
      vgs: by([...this.vgs.values()].map((v) => ({ name: v.name, guids: [...v.guids].sort(), domain: v.domain })), (v) => v.name),
      domains: by([...this.domains.values()].map((d) => ({ uuid: d.uuid, name: d.name, pool: d.pool, status: d.status })), (d) => d.uuid),
      pools: by([...this.pools.values()].map((p) => ({ uuid: p.uuid, name: p.name, master: p.master, domains: [...p.domains].sort() })), (p) => p.uuid),
      tasks: [...this.tasks.values()].map((t) => `${t.verb} ${t.id}`).sort(),
      connectedPool: this.connectedPool ? `${this.connectedPool.uuid} host ${this.connectedPool.hostID}` : null,
      spm: this.spm,
    };
  }

  async handle(req: RpcRequestInfo): Promise<unknown> {
    this.settleTasks();
    if (req.method === SNAPSHOT_METHOD) return this.snapshot(); // TEST-ONLY, see SNAPSHOT_METHOD
    if (req.method === CONNECT_CALLS_METHOD) return this.connectCalls; // TEST-ONLY, see CONNECT_CALLS_METHOD
    const chk = checkCall(this.o.schema, req.method, req.params);
    if (!chk.ok) throw fault(chk.code, chk.message);
    if (Date.now() < this.recoveringUntil) throw fault(99, 'Recovering from crash or Initializing');
    const p = (Array.isArray(req.params) ? {} : req.params) as Record<string, any>;
    this.log(`call ${req.method}`);
    switch (req.method) {
      case 'Host.ping2':
        return true;
      case 'Host.getStats':
        return { cpuUser: '0.5', memAvailable: 4096 };
      case 'ISCSIConnection.discoverSendTargets':
        return this.discoverSendTargets(p);
      case 'StoragePool.connectStorageServer':
        return this.connectStorageServer(p);
      case 'StoragePool.disconnectStorageServer':
        return this.disconnectStorageServer(p);
      case 'Host.getDeviceList':
        return this.getDeviceList(p);
      case 'Host.getStorageRepoStats':
        return Object.fromEntries([...this.domains.values()].map((d) => [d.uuid, { code: 0, lastCheck: '1.2', delay: '0.000412', valid: true, version: d.version, acquired: d.pool !== null && this.spm === d.pool, actual: true }]));
      case 'LVMVolumeGroup.create':
        return this.createVG(p);
      case 'LVMVolumeGroup.getInfo':
        return this.vgInfo(this.vg(p.lvmvolumegroupID));
      case 'LVMVolumeGroup.remove':
        return this.removeVG(p);
      case 'StorageDomain.create':
        return this.createSD(p);
      case 'StorageDomain.getStats':
        return this.sdStats(p);
      case 'StorageDomain.getInfo':
        return this.sdInfo(p);
      case 'StorageDomain.format':
        return this.formatSD(p);
      case 'StorageDomain.activate':
        return this.activateSD(p);
      case 'StoragePool.create':
        return this.createPool(p);
      case 'StoragePool.connect':
        return this.connectPool(p);
      case 'StoragePool.disconnect':
        // hsm.disconnectStoragePool: an unknown / not connected pool returns OK; the SPM may not disconnect.
        if (!this.connectedPool || this.connectedPool.uuid !== p.storagepoolID) return true;
        if (this.spm === p.storagepoolID) throw fault(656, 'Operation not allowed while SPM is active');
        this.connectedPool = null;
        return true;
      case 'StoragePool.destroy':
        return this.destroyPool(p);
      case 'StoragePool.getInfo':
        return this.poolInfo(p);
      case 'StorageDomain.deactivate':
        return this.deactivateSD(p);
      case 'Host.getLVMVolumeGroups':
        return [...this.vgs.values()].map((v) => {
          const { pvlist: _pvs, ...info } = this.vgInfo(v);
          return info;
        });
      case 'Host.getAllTasksInfo':
        return Object.fromEntries([...this.tasks.values()].map((t) => [t.id, { id: t.id, verb: t.verb }]));
      case 'StoragePool.spmStart':
        return this.spmStart(p);
      case 'StoragePool.spmStop':
        if (!this.connectedPool || this.connectedPool.uuid !== p.storagepoolID) throw fault(309, `Unknown pool id, pool not connected: ('${p.storagepoolID}',)`);
        if (this.spm !== p.storagepoolID) throw fault(654, 'Not SPM');
        this.spm = null;
        return true;
      case 'StoragePool.getSpmStatus':
        if (!this.connectedPool || this.connectedPool.uuid !== p.storagepoolID) throw fault(309, `Unknown pool id, pool not connected: ('${p.storagepoolID}',)`);
        return { spmId: this.spm === p.storagepoolID ? this.connectedPool!.hostID : -1, spmStatus: this.spm === p.storagepoolID ? 'SPM' : 'Free', spmLver: this.spm === p.storagepoolID ? 1 : -1 };
      case 'Host.getConnectedStoragePools':
        return this.connectedPool ? [this.connectedPool.uuid] : [];
      case 'Task.getStatus':
        return this.taskStatus(this.task(p.taskID));
      case 'Host.getAllTasksStatuses':
        return Object.fromEntries([...this.tasks.values()].map((t) => [t.id, this.taskStatus(t)]));
      case 'Task.clear': {
        const t = this.task(p.taskID);
        if (Date.now() < t.finishAt) throw fault(402, `Task clear error: ('${t.id}',)`);
        this.tasks.delete(t.id);
        return true;
      }
      default:
        throw fault(-32603, `${req.method} is not implemented by the VDSM test double`);
    }
  }

  private chapOf(user: string | undefined, password: string | undefined) {
    return user ? { user, secret: password ?? '' } : undefined;
  }

  private async discoverSendTargets(p: Record<string, any>): Promise<string[]> {
    const host = String(p.host);
    const port = Number(p.port);
    try {
      const found = await this.backend.discover({ address: host, port, chap: this.chapOf(p.user, p.password), initiatorName: this.o.initiatorName, timeoutMs: this.o.iscsiTimeoutMs ?? 10_000 });
      return found
        .filter((t) => p.ipv6_enabled || !t.address.includes(':'))
        .map((t) => `${t.address.includes(':') ? `[${t.address}]` : t.address}:${t.port},${t.tpgt} ${t.iqn}`);
    } catch (err) {
      const why = isIscsiError(err, 'auth-failed') ? 'iscsiadm: Login failed to authorize with target (discovery CHAP)' : (err as Error).message;
      throw fault(475, `Failed discovery of iSCSI targets: "portal=${host}:${port}, err=(${why})"`);
    }
  }

  private async connectStorageServer(p: Record<string, any>): Promise<{ id: string; status: number }[]> {
    const list = p.connectionParams;
    if (Array.isArray(list)) {
      const masked = list.map((c: Record<string, unknown>) => ({ ...c, ...(c.password ? { password: '******' } : {}) }));
      this.connectCalls.push({ storagepoolID: String(p.storagepoolID), domainType: Number(p.domainType), connectionParams: masked });
    }
    if (!Array.isArray(list) || list.length === 0) throw fault(1000, 'Invalid parameter: connectionParams is empty');
    const domainType = Number(p.domainType);
    if (domainType !== 3) {
      // NFS and friends: the double does not mount; it accepts well-formed connections.
      return list.map((c: any) => ({ id: String(c.id), status: c.connection ? 0 : 477 }));
    }
    const allowed = iscsiConnectionKeys(this.o.schema);
    return Promise.all(
      list.map(async (c: Record<string, any>) => {
        const id = String(c.id ?? '');
        const bad = Object.keys(c).filter((k) => !allowed.has(k));
        if (bad.length || !c.connection || !c.iqn) return { id, status: 1000 };
        const s: Session = { key: '', connection: String(c.connection), port: Number(c.port ?? 3260), iqn: String(c.iqn), tpgt: String(c.tpgt ?? '1'), user: String(c.user ?? ''), password: String(c.password ?? '') };
        s.key = `${s.connection}:${s.port},${s.tpgt} ${s.iqn}`;
        if (this.sessions.has(s.key)) return { id, status: 0 }; // "session exists" counts as success (current VDSM)
        try {
          const r = await this.backend.inspect({ address: s.connection, port: s.port, iqn: s.iqn, chap: this.chapOf(s.user, s.password), initiatorName: this.o.initiatorName, timeoutMs: this.o.iscsiTimeoutMs ?? 10_000 });
          if (r.targetPortalGroupTag !== undefined && String(r.targetPortalGroupTag) !== s.tpgt) return { id, status: 465 };
          this.sessions.set(s.key, s);
          return { id, status: 0 };
        } catch (err) {
          return { id, status: isIscsiError(err, 'auth-failed') ? 476 : 465 };
        }
      }),
    );
  }

  private disconnectStorageServer(p: Record<string, any>) {
    return (p.connectionParams ?? []).map((c: any) => {
      for (const [k, s] of this.sessions) if (s.connection === c.connection && s.iqn === c.iqn && String(s.port) === String(c.port ?? 3260)) this.sessions.delete(k);
      return { id: String(c.id), status: 0 };
    });
  }

  private async getDeviceList(p: Record<string, any>): Promise<unknown[]> {
    if (p.storageType !== undefined && p.storageType !== null && ![3, 'iSCSI'].includes(p.storageType)) return [];
    const devs = new Map<string, { lun: LunInfo; paths: { s: Session; ok: boolean; lun: string }[] }>();
    let n = 0;
    for (const s of this.sessions.values()) {
      let luns: LunInfo[] = [];
      let ok = true;
      try {
        luns = (await this.backend.inspect({ address: s.connection, port: s.port, iqn: s.iqn, chap: this.chapOf(s.user, s.password), initiatorName: this.o.initiatorName, timeoutMs: this.o.iscsiTimeoutMs ?? 10_000 })).luns;
      } catch {
        ok = false;
      }
      for (const l of luns) {
        if (!l.present || l.deviceType !== 0 || !l.guid) continue;
        const d = devs.get(l.guid) ?? { lun: l, paths: [] };
        d.paths.push({ s, ok, lun: String(l.lun ?? 0) });
        devs.set(l.guid, d);
      }
      n++;
    }
    const guids: string[] = Array.isArray(p.guids) ? p.guids : [];
    const out: unknown[] = [];
    let phys = 0;
    for (const [guid, d] of devs) {
      if (guids.length && !guids.includes(guid)) continue;
      const vg = [...this.vgs.values()].find((v) => v.guids.includes(guid));
      const capacity = d.lun.sizeBytes ?? 0;
      this.devCache.set(guid, { capacity, lbs: d.lun.blockSize ?? 512 });
      out.push({
        GUID: guid,
        capacity: String(capacity),
        devtype: 'iSCSI',
        vendorID: d.lun.vendor,
        productID: d.lun.product,
        fwrev: d.lun.revision,
        serial: d.lun.serial ?? '',
        logicalblocksize: String(d.lun.blockSize ?? 512),
        physicalblocksize: String(d.lun.physicalBlockSize ?? d.lun.blockSize ?? 512),
        discard_max_bytes: d.lun.thinProvisioned ? 4194304 : 0,
        discard_zeroes_data: 0,
        pvUUID: vg ? vg.pvs[guid] : '',
        pvsize: vg ? String(capacity) : '',
        vgUUID: vg ? vg.uuid : '',
        status: p.checkStatus === false ? 'unknown' : vg ? 'used' : 'free',
        // As VDSM does, path info carries the CHAP password in clear.
        pathlist: d.paths.map((x) => ({ connection: x.s.connection, port: String(x.s.port), iqn: x.s.iqn, portal: x.s.tpgt, initiatorname: 'default', ...(x.s.user ? { user: x.s.user, password: x.s.password } : {}) })),
        pathstatus: d.paths.map((x) => ({ physdev: `sd${String.fromCharCode(98 + phys++)}`, type: 'iSCSI', state: x.ok ? 'active' : 'failed', lun: x.lun, capacity: String(capacity) })),
      });
    }
    this.log(`getDeviceList: ${n} session(s), ${out.length} device(s)`);
    return out;
  }

  private vg(uuid: string): Vg {
    const v = this.vgs.get(uuid);
    if (!v) throw fault(506, `Volume Group does not exist: ('${uuid}',)`);
    return v;
  }

  private createVG(p: Record<string, any>): string {
    const name = String(p.name);
    if (!UUID_RE.test(name)) throw fault(1000, `Invalid parameter: name=${name}`);
    if ([...this.vgs.values()].some((v) => v.name === name)) throw fault(505, `Volume Group Already Exists: ('${name}',)`);
    const devlist: string[] = p.devlist ?? [];
    let size = 0;
    for (const g of devlist) {
      const d = this.devCache.get(g);
      if (!d) throw fault(606, `Inaccessible physical device: ('${g}',)`);
      if (d.lbs !== 512) throw fault(518, `Unsupported block size: ${d.lbs}`);
      if ([...this.vgs.values()].some((v) => v.guids.includes(g)) && !p.force) throw fault(601, `Failed to initialize physical device: ("['${g}']",)`);
      size += d.capacity;
    }
    if (size < 10 * GIB) throw fault(504, `Volume Group too small: ${size}`);
    for (const g of devlist) for (const v of this.vgs.values()) if (v.guids.includes(g)) this.vgs.delete(v.uuid); // force: wipe
    const usable = Math.floor((size - EXTENT) / EXTENT) * EXTENT;
    const vg: Vg = { name, uuid: lvmUuid(), guids: devlist, size: usable, free: usable, pvs: Object.fromEntries(devlist.map((g) => [g, lvmUuid()])), domain: null };
    this.vgs.set(vg.uuid, vg);
    return vg.uuid;
  }

  private vgInfo(v: Vg) {
    return {
      name: v.name,
      vgUUID: v.uuid,
      vgsize: String(v.size),
      vgfree: String(v.free),
      type: 3,
      state: 'OK',
      attr: { allocation: 'n', partial: '-', exported: '-', permission: 'w', clustered: '-', resizeable: 'z' },
      pvlist: v.guids.map((g) => ({ GUID: g, pvUUID: v.pvs[g], vgUUID: v.uuid, capacity: String(v.size), devcapacity: String(this.devCache.get(g)?.capacity ?? v.size), devtype: 'iSCSI' })),
    };
  }

  private removeVG(p: Record<string, any>) {
    const v = this.vg(p.lvmvolumegroupID);
    if (v.domain) throw fault(500, 'Volume group belongs to a storage domain');
    this.vgs.delete(v.uuid);
    return true;
  }

  private createSD(p: Record<string, any>) {
    const id = String(p.storagedomainID);
    if (!UUID_RE.test(id)) throw fault(1000, `Invalid parameter: storagedomainID=${id}`);
    if (String(p.name).length > 50) throw fault(387, 'Storage domain description is too long');
    if (this.domains.has(id)) throw fault(365, `Storage domain already exists: ('${id}',)`);
    const version = Number(p.version ?? 0);
    if (![0, 2, 3, 4, 5].includes(version)) throw fault(1000, `Invalid parameter: version=${p.version}`);
    const type = Number(p.domainType);
    let vgUUID: string | null = null;
    if (type === 3) {
      const v = this.vg(String(p.typeArgs));
      if (v.domain) throw fault(515, `Volume group has a storage domain tag: ('${v.name}',)`);
      if (v.name !== id) throw fault(351, `Error creating a storage domain: VG name ${v.name} != sdUUID ${id}`);
      v.domain = id;
      v.free = Math.max(0, v.free - 31 * EXTENT); // metadata, leases, inbox/outbox, master
      vgUUID = v.uuid;
    }
    this.domains.set(id, { uuid: id, name: String(p.name), type, vgUUID, version, pool: null, status: 'Attached' });
    return true;
  }

  private sd(id: string): Domain {
    const d = this.domains.get(id);
    if (!d) throw fault(358, `Storage domain does not exist: ('${id}',)`);
    return d;
  }

  private sdStats(p: Record<string, any>) {
    const d = this.sd(p.storagedomainID);
    const v = d.vgUUID ? this.vgs.get(d.vgUUID) : undefined;
    return { disktotal: String(v?.size ?? 0), diskfree: String(v?.free ?? 0), mdasize: '134217728', mdafree: '67104768', mdavalid: true, mdathreshold: true };
  }

  private sdInfo(p: Record<string, any>) {
    const d = this.sd(p.storagedomainID);
    return { uuid: d.uuid, name: d.name, type: d.type === 3 ? 'ISCSI' : 'NFS', class: 'Data', role: d.pool && this.pools.get(d.pool)?.master === d.uuid ? 'Master' : 'Regular', pool: d.pool ? [d.pool] : [], version: String(d.version), block_size: 512, alignment: 1048576 };
  }

  private formatSD(p: Record<string, any>) {
    const d = this.sd(p.storagedomainID);
    // hsm.formatStorageDomain: never a domain of the connected pool (392); an attached one only with autoDetach (391).
    if (d.pool && this.connectedPool?.uuid === d.pool) throw fault(392, `Cannot format storage domain in connected pool: ('${d.uuid}',)`);
    if (d.pool && !p.autoDetach) throw fault(391, `Cannot format attached storage domain: ('${d.uuid}',)`);
    // A disconnected pool lives only in its master domain's metadata: formatting the master erases it.
    for (const pool of [...this.pools.values()]) {
      if (pool.master !== d.uuid) continue;
      for (const other of pool.domains) {
        const o = this.domains.get(other);
        if (o && o.uuid !== d.uuid) o.pool = null;
      }
      this.pools.delete(pool.uuid);
    }
    if (d.vgUUID) this.vgs.delete(d.vgUUID);
    this.domains.delete(d.uuid);
    return true;
  }

  private createPool(p: Record<string, any>) {
    const id = String(p.storagepoolID);
    if (String(p.name).length > 50) throw fault(327, 'Storage pool description is too long');
    const list: string[] = p.domainList ?? [];
    if (!list.includes(p.masterSdUUID)) throw fault(1000, 'Invalid parameter: masterSdUUID not in domainList');
    for (const sd of list) this.sd(sd);
    this.pools.set(id, { uuid: id, name: String(p.name), master: String(p.masterSdUUID), masterVersion: Number(p.masterVersion), domains: list });
    for (const sd of list) this.sd(sd).pool = id;
    return true;
  }

  private connectPool(p: Record<string, any>) {
    const pool = this.pools.get(p.storagepoolID);
    if (!pool) throw fault(309, `Unknown pool id, pool not connected: ('${p.storagepoolID}',)`);
    if (this.connectedPool && this.connectedPool.uuid !== pool.uuid) throw fault(323, 'Cannot connect pool, already connected to another pool');
    const hostID = Number(p.hostID);
    if (!(hostID >= 1 && hostID <= 250)) throw fault(1000, `Invalid parameter: hostID=${p.hostID}`);
    if (p.masterSdUUID !== pool.master || Number(p.masterVersion) !== pool.masterVersion) throw fault(324, 'Wrong Master domain or its version');
    this.connectedPool = { uuid: pool.uuid, hostID };
    return true;
  }

  private spmStart(p: Record<string, any>) {
    if (!this.connectedPool || this.connectedPool.uuid !== p.storagepoolID) throw fault(309, `Unknown pool id, pool not connected: ('${p.storagepoolID}',)`);
    if (this.spm === p.storagepoolID) throw fault(656, 'Operation not allowed while SPM is active');
    const t: Task = { id: randomUUID(), verb: 'spmStart', pool: String(p.storagepoolID), settled: false, finishAt: Date.now() + (this.o.taskMs ?? 300), result: 'success' };
    this.tasks.set(t.id, t);

    return t.id;
  }

  private task(id: string): Task {
    const t = this.tasks.get(id);
    if (!t) throw fault(401, `Task id unknown: ('${id}',)`);
    return t;
  }

  private taskStatus(t: Task) {
    const done = Date.now() >= t.finishAt;
    return { taskID: t.id, taskState: done ? 'finished' : 'running', taskResult: done ? t.result : '', code: 0, message: done ? '1 jobs completed successfully' : 'running job 1 of 1' };
  }

  private connected(sp: string) {
    if (!this.connectedPool || this.connectedPool.uuid !== sp) throw fault(309, `Unknown pool id, pool not connected: ('${sp}',)`);
    return this.pools.get(sp)!;
  }

  private destroyPool(p: Record<string, any>) {
    // hsm.destroyStoragePool: the connected pool, this host's id, from the SPM; detaches every domain.
    const pool = this.connected(String(p.storagepoolID));
    if (Number(p.hostID) !== this.connectedPool!.hostID) throw fault(700, `Host id mismatch: ('${pool.uuid}',)`);
    if (this.spm !== pool.uuid) throw fault(654, 'Not SPM');
    for (const sd of pool.domains) {
      const d = this.domains.get(sd);
      if (d) {
        d.pool = null;
        d.status = 'Attached';
      }
    }
    this.pools.delete(pool.uuid);
    this.spm = null;
    this.connectedPool = null;
    return true;
  }

  private poolInfo(p: Record<string, any>) {
    const pool = this.connected(String(p.storagepoolID));
    const doms = pool.domains.map((sd) => this.domains.get(sd)).filter((d): d is Domain => !!d);
    const spm = this.spm === pool.uuid;
    return {
      info: {
        name: pool.name, master_uuid: pool.master, master_ver: pool.masterVersion, spm_id: spm ? this.connectedPool!.hostID : -1, lver: spm ? 1 : -1,
        domains: doms.map((d) => `${d.uuid}:${d.status}`).join(','), pool_status: 'connected', version: String(doms.find((d) => d.uuid === pool.master)?.version ?? 0),
        type: doms[0]?.type === 3 ? 'ISCSI' : 'NFS', isoprefix: '',
      },
      dominfo: Object.fromEntries(doms.filter((d) => d.status === 'Active').map((d) => {
        const v = d.vgUUID ? this.vgs.get(d.vgUUID) : undefined;
        return [d.uuid, { status: d.status, diskfree: String(v?.free ?? 0), disktotal: String(v?.size ?? 0), alerts: [], version: d.version }];
      })),
    };
  }

  private deactivateSD(p: Record<string, any>) {
    const pool = this.connected(String(p.storagepoolID));
    const d = this.sd(p.storagedomainID);
    if (d.pool !== pool.uuid) throw fault(353, `Storage domain not in pool: ('${pool.uuid}', '${d.uuid}')`);
    if (this.spm !== pool.uuid) throw fault(654, 'Not SPM');
    // sp.deactivateSD: the master with a blank new master is "silently ignored" (backward compatibility).
    if (pool.master === d.uuid && p.masterSdUUID === '00000000-0000-0000-0000-000000000000') return true;
    if (pool.master === d.uuid) throw fault(324, 'Wrong Master domain or its version'); // the double does not migrate masters
    d.status = 'Attached';
    return true;
  }

  private activateSD(p: Record<string, any>) {
    const d = this.sd(p.storagedomainID);
    if (this.spm !== p.storagepoolID) throw fault(654, 'Not SPM');
    if (d.pool !== p.storagepoolID) throw fault(358, `Storage domain not in pool: ('${d.uuid}',)`);
    d.status = 'Active';
    return true;
  }
}
