// Test support: a recording fake TargetDriver. It keeps a tgtd's state (targets, LUNs, rules,
// accounts), the conf.d files with their modes and the storage folder in memory, answers the
// planners' reads, and applies tgtadm ops with tgtd's refusals ("already exists", "can't find"),
// so plans can be built and applied through the real JobRunner without a lab or root.
import { createHash } from 'node:crypto';
import { fileKinds, type FilePut, type FileState } from '../services/remote/files';
import type { OperationKind } from '../services/jobs/operation';
import type { ConfFile, FileStat, OpResult, SpaceInfo, StepLog, TargetDriver, TargetState } from '../services/targets/tgt/driver';
import { partialPathOf } from '../services/targets/tgt/driver';
import type { TgtSystem, TgtTarget } from '../services/targets/tgt/parser';
import type { BlockDevice } from '../services/targets/tgt/lsblk';
import { opArgs, tgtShownMB, type TargetOp } from '../services/targets/tgt/target-op';
import { MASK } from '../../shared/plan';
import { OperationRegistry } from '../services/jobs/kinds';
import { tgtCheckKinds, type UsageLookup } from '../services/targets/tgt/checks';
import { tgtOperationKinds } from '../services/targets/tgt/ops';

export interface FakeFile {
  content: string;
  mode: string;
}

export class FakeTgtDriver implements TargetDriver {
  readonly kind = 'tgt' as const;
  readonly calls: string[] = [];
  targets: TgtTarget[] = [];
  accounts: string[] = [];
  /** conf.d and any other text files by path. */
  readonly files = new Map<string, FakeFile>();
  /** Storage folder files and block devices by path. */
  readonly storage = new Map<string, { size: number; allocated: number; kind: 'file' | 'block' }>();
  version = '1.0.85';
  space_ = { availBytes: 10 * 1024 ** 3, sizeBytes: 20 * 1024 ** 3 };
  /** Folders that exist (the storage folder and its parents at first); dir.create / dir.remove change it (fakeDirKinds). */
  readonly folders = new Set<string>();
  /** How createFull allocates (the real driver falls back to dd where fallocate is not supported). */
  fullMethod: 'fallocate' | 'dd' = 'fallocate';
  /** createFull is cut off after writing this many bytes (a KILL, or a lost connection before the script's cleanup ran): the partial file stays. */
  fullCutAfter: number | null = null;
  lvm = true;
  /**
   * What lsblk says about block devices, by path (mounts, signatures, partitions, holders), or why
   * it could not say; a block device in `storage` that is not listed here is free (nothing on it).
   */
  readonly devices = new Map<string, BlockDevice | { unchecked: string }>();
  /** tgtadm ops (by op name) that tgtd refuses. */
  readonly refuse = new Set<string>();
  /** LUNs (`tid/lun`) with commands in flight while their target has sessions: tgtd refuses to remove them ("still active"). */
  readonly busyLuns = new Set<string>();
  /** Initiators log in again at once after their connection is closed (as open-iscsi and libiscsi do), unless the target is offline. */
  relogin = false;
  /** Sessions never end after their connections are closed (a stuck initiator): the forced delete's wait times out. */
  stuckSessions = false;
  /** tgtd's listening portals (address as show prints it: IPv6 in brackets). */
  portals: { address: string; port: number; tpgt: number }[] = [{ address: '0.0.0.0', port: 3260, tpgt: 1 }];
  /** Which portal address each initiator address came in on (ss); null = the server cannot tell. */
  connectionsVia: Map<string, string> | null = new Map();
  readonly targetsConf = '/etc/tgt/targets.conf';
  /** The unit systemd starts tgtd with (null: no systemd here); Debian's by default. */
  service: { unit: string; unitFile: string; dropIn: string } | null = {
    unit: 'tgt.service', unitFile: '/lib/systemd/system/tgt.service', dropIn: '/etc/systemd/system/tgt.service.d/portico-portals.conf',
  };

  constructor(
    readonly label = 'stor1',
    readonly storageDir = '/srv/portico',
    readonly confDir = '/etc/tgt/conf.d',
  ) {
    for (let p = storageDir; p; p = p.slice(0, p.lastIndexOf('/'))) this.folders.add(p);
    this.folders.add('/');
    // Debian's targets.conf, as the tgt package installs it.
    this.files.set(this.targetsConf, { content: `# Empty targets configuration file\ninclude ${confDir}/*.conf\n`, mode: '644' });
  }

  // ------------------------------------------------------------ reads

  async readState(): Promise<TargetState> {
    this.calls.push('show');
    return { targets: structuredClone(this.targets), accounts: [...this.accounts], portals: structuredClone(this.portals) };
  }

  async readSystem(): Promise<{ version: string; system: TgtSystem }> {
    return { version: this.version, system: { state: 'ready', llds: { iscsi: 'ready' }, backingStores: ['rdwr'], deviceTypes: ['disk'] } };
  }

  async readConfFiles(): Promise<ConfFile[]> {
    return [...this.files].filter(([p]) => p.startsWith(this.confDir + '/') && p.endsWith('.conf')).sort().map(([path, f]) => ({ path, text: f.content }));
  }

  async readFileStates(paths: readonly string[]): Promise<Map<string, FileState>> {
    return new Map(paths.map((p) => {
      const f = this.files.get(p);
      return [p, f ? { content: f.content, mode: f.mode, owner: '0:0' } : { content: null, mode: null, owner: null }];
    }));
  }

  async digests(paths: readonly string[]): Promise<Map<string, string | null>> {
    return new Map(paths.map((p) => {
      const f = this.files.get(p);
      return [p, f ? createHash('sha256').update(f.content).digest('hex') : null];
    }));
  }

  async stat(paths: readonly string[]): Promise<FileStat[]> {
    return paths.map((path) => {
      const s = this.storage.get(path);
      if (!s && this.folders.has(path)) return { path, exists: true, size: 4096, allocated: 4096, kind: 'other' as const };
      if (!s) return { path, exists: false, size: 0, allocated: 0, kind: 'missing' as const };
      return { path, exists: true, size: s.size, allocated: s.allocated, kind: s.kind };
    });
  }

  async space(path: string): Promise<SpaceInfo> {
    let at = path;
    while (!this.folders.has(at)) at = at.slice(0, at.lastIndexOf('/')) || '/';
    return { path, exists: at === path, measuredAt: at, filesystem: { source: '/dev/fake', type: 'ext4', mount: '/' }, ...this.space_ };
  }

  async listStorage(): Promise<FileStat[]> {
    return [...this.storage].filter(([p, s]) => s.kind === 'file' && p.startsWith(this.storageDir + '/')).sort().map(([path, s]) => ({ path, exists: true, size: s.size, allocated: s.allocated, kind: 'file' as const }));
  }

  async hasLvm(): Promise<boolean> {
    return this.lvm;
  }

  async inspectDevices(paths: readonly string[]): Promise<Map<string, BlockDevice | { unchecked: string }>> {
    this.calls.push(`lsblk ${paths.join(',')}`);
    return new Map(paths.map((p) => {
      const known = this.devices.get(p);
      if (known) return [p, structuredClone(known)];
      if (this.storage.get(p)?.kind !== 'block') return [p, { unchecked: `lsblk: ${p}: not a block device` }];
      const name = p.replace(/^.*\//, '');
      return [p, { name, path: p, type: 'disk', fstype: null, mountpoints: [], children: [] }];
    }));
  }

  /** A block device on the fake server; `use` is what lsblk shows on it (e.g. an ext4 mounted on /srv). */
  blockDevice(path: string, bytes: number, use: Partial<Pick<BlockDevice, 'fstype' | 'mountpoints' | 'children' | 'type'>> = {}): void {
    this.storage.set(path, { size: bytes, allocated: bytes, kind: 'block' });
    if (Object.keys(use).length) this.devices.set(path, { name: path.replace(/^.*\//, ''), path, type: 'disk', fstype: null, mountpoints: [], children: [], ...use });
  }

  async lvExists(vg: string, lv: string): Promise<boolean> {
    return this.storage.has(`/dev/${vg}/${lv}`);
  }

  // ------------------------------------------------------------ changes

  describe(op: TargetOp): string {
    return ['tgtadm', '--lld', 'iscsi', ...opArgs(op.op === 'account-new' ? { ...op, password: MASK } : op)].join(' ');
  }

  /** Applies one op as tgtd would; returns tgtd's refusal or null. */
  private one(op: TargetOp): string | null {
    if (this.refuse.has(op.op)) return 'tgtadm: invalid request';
    const t = 'tid' in op ? this.targets.find((x) => x.tid === op.tid) : undefined;
    const noTarget = "tgtadm: can't find the target";
    switch (op.op) {
      case 'target-new':
        if (t || this.targets.some((x) => x.iqn === op.iqn)) return 'tgtadm: this target already exists';
        this.targets.push({ tid: op.tid, iqn: op.iqn, driver: 'iscsi', state: 'ready', sessions: [], luns: [lun(0, null)], accounts: [], aclAddresses: [], aclNames: [] });
        return null;
      case 'target-delete':
        if (!t) return noTarget;
        if (t.sessions.length && !op.force) return 'tgtadm: this target is still active';
        // tgtd's --force removes LUN after LUN and stops at the first with commands in flight.
        for (const l of [...t.luns]) {
          if (t.sessions.length && this.busyLuns.has(`${t.tid}/${l.lun}`)) return 'tgtadm: this logical unit is still active';
          t.luns = t.luns.filter((x) => x !== l);
        }
        this.targets = this.targets.filter((x) => x !== t);
        return null;
      case 'target-state':
        if (!t) return noTarget;
        t.state = op.state;
        return null;
      case 'conn-delete': {
        if (!t) return noTarget;
        const ss = t.sessions.find((x) => x.nexus === op.sid);
        if (!ss || !ss.connections.some((c) => c.cid === op.cid)) return "tgtadm: can't find the session";
        if (this.stuckSessions) return null;
        ss.connections = ss.connections.filter((c) => c.cid !== op.cid);
        if (!ss.connections.length) {
          t.sessions = t.sessions.filter((x) => x !== ss);
          if (this.relogin && t.state === 'ready') t.sessions.push({ ...structuredClone(ss), nexus: Math.max(0, ...this.targets.flatMap((x) => x.sessions.map((y) => y.nexus))) + 1, connections: [{ cid: 0, address: '192.0.2.21' }] });
        }
        return null;
      }
      case 'lun-new':
        if (!t) return noTarget;
        if (t.luns.some((l) => l.lun === op.lun)) return 'tgtadm: this logical unit number already exists';
        if (!this.storage.has(op.path)) return 'tgtadm: invalid request';
        // tgtd reads the backing store's size when the LUN is added (show prints it in its own MB).
        t.luns.push({ ...lun(op.lun, op.path), sizeBytes: tgtShownMB(this.storage.get(op.path)!.size) * 1e6 });
        return null;
      case 'lun-delete': {
        if (!t) return noTarget;
        const i = t.luns.findIndex((l) => l.lun === op.lun);
        if (i < 0) return "tgtadm: can't find the logical unit";
        t.luns.splice(i, 1);
        return null;
      }
      case 'lun-reread': {
        const l = t?.luns.find((x) => x.lun === op.lun);
        if (!l) return "tgtadm: can't find the logical unit";
        const b = this.storage.get(op.path);
        if (l.path !== op.path || !b) return 'tgtadm: invalid request';
        l.sizeBytes = tgtShownMB(b.size) * 1e6;
        return null;
      }
      case 'portal-new': case 'portal-delete': {
        const i = this.portals.findIndex((p) => `${p.address}:${p.port}` === op.portal);
        if (op.op === 'portal-new') {
          if (i >= 0) return 'tgtadm: this portal already exists';
          const c = op.portal.lastIndexOf(':');
          this.portals.push({ address: op.portal.slice(0, c), port: Number(op.portal.slice(c + 1)), tpgt: 1 });
        } else {
          if (i < 0) return 'tgtadm: invalid request';
          this.portals.splice(i, 1);
        }
        return null;
      }
      case 'lun-params': {
        const l = t?.luns.find((x) => x.lun === op.lun);
        if (!l) return "tgtadm: can't find the logical unit";
        if (op.params.scsi_id !== undefined) l.scsiId = op.params.scsi_id;
        if (op.params.scsi_sn !== undefined) l.scsiSn = op.params.scsi_sn;
        if (op.params.readonly !== undefined) l.readonly = op.params.readonly === 1;
        return null;
      }
      case 'bind-address': case 'bind-name': {
        if (!t) return noTarget;
        const list = op.op === 'bind-address' ? t.aclAddresses : t.aclNames;
        const v = 'address' in op ? op.address : op.name;
        if (list.includes(v)) return 'tgtadm: this access control rule already exists';
        list.push(v);
        return null;
      }
      case 'unbind-address': case 'unbind-name': {
        if (!t) return noTarget;
        const list = op.op === 'unbind-address' ? t.aclAddresses : t.aclNames;
        const v = 'address' in op ? op.address : op.name;
        const i = list.indexOf(v);
        if (i < 0) return 'tgtadm: this access control rule does not exist';
        list.splice(i, 1);
        return null;
      }
      case 'account-new':
        if (this.accounts.includes(op.user)) return 'tgtadm: this account already exists';
        this.accounts.push(op.user);
        return null;
      case 'account-delete':
        if (!this.accounts.includes(op.user)) return "tgtadm: can't find the account";
        this.accounts = this.accounts.filter((u) => u !== op.user);
        for (const x of this.targets) x.accounts = x.accounts.filter((a) => a.user !== op.user);
        return null;
      case 'account-bind':
        if (!t) return noTarget;
        if (!this.accounts.includes(op.user)) return "tgtadm: can't find the account";
        if (op.outgoing && t.accounts.some((a) => a.outgoing)) return 'tgtadm: this target already has an outgoing account';
        // tgtd lists the incoming accounts, then the outgoing one.
        if (!t.accounts.some((a) => a.user === op.user && a.outgoing === op.outgoing)) t.accounts = [...t.accounts, { user: op.user, outgoing: op.outgoing }].sort((a, b) => Number(a.outgoing) - Number(b.outgoing));
        return null;
      case 'account-unbind': {
        if (!t) return noTarget;
        const before = t.accounts.length;
        t.accounts = t.accounts.filter((a) => !(a.user === op.user && a.outgoing === op.outgoing));
        return t.accounts.length === before ? "tgtadm: can't find the account" : null;
      }
    }
  }

  async runOps(ops: readonly TargetOp[], mode: 'strict' | 'loose'): Promise<{ results: OpResult[]; state: TargetState }> {
    this.calls.push(`batch(${mode}) ${ops.map((o) => o.op).join(',')}`);
    const results: OpResult[] = [];
    let failed = false;
    for (const op of ops) {
      if (failed && mode === 'strict') {
        results.push({ rc: null, out: '' });
        continue;
      }
      const err = this.one(op);
      results.push(err ? { rc: 22, out: err } : { rc: 0, out: '' });
      if (err) failed = true;
    }
    return { results, state: await this.readState() };
  }

  async createSparse(files: readonly { path: string; bytes: number }[]) {
    this.calls.push(`sparse ${files.map((f) => f.path).join(',')}`);
    const out: ({ ok: true } | { ok: false; error: string } | null)[] = [];
    for (const f of files) {
      if (out.some((o) => o && !o.ok)) { out.push(null); continue; }
      if (this.storage.has(f.path)) { out.push({ ok: false, error: `already exists: ${f.path}` }); continue; }
      this.storage.set(f.path, { size: f.bytes, allocated: 0, kind: 'file' });
      out.push({ ok: true });
    }
    return out;
  }

  async createFull(path: string, bytes: number, o: StepLog = {}): Promise<{ method: 'fallocate' | 'dd' }> {
    this.calls.push(`full ${path}`);
    if (this.storage.has(path)) throw new Error(`already exists: ${path}`);
    if (!this.folders.has(path.slice(0, path.lastIndexOf('/')))) throw new Error(`No such file or directory: ${path}`);
    if (this.fullCutAfter !== null) {
      this.storage.set(partialPathOf(path), { size: this.fullCutAfter, allocated: this.fullCutAfter, kind: 'file' });
      throw Object.assign(new Error(`the connection to ${this.label} was lost while dd ran`), { code: 'connection-lost' });
    }
    this.storage.set(path, { size: bytes, allocated: bytes, kind: 'file' });
    o.log?.(`${path}: allocated in full with ${this.fullMethod}`);
    return { method: this.fullMethod };
  }

  async removeFiles(paths: readonly string[], _o?: StepLog): Promise<void> {
    this.calls.push(`rm ${paths.join(',')}`);
    for (const p of paths) this.storage.delete(p);
  }

  async lvCreate(vg: string, lv: string, bytes: number): Promise<string> {
    this.calls.push(`lvcreate ${vg}/${lv}`);
    this.storage.set(`/dev/${vg}/${lv}`, { size: bytes, allocated: bytes, kind: 'block' });
    return `/dev/${vg}/${lv}`;
  }

  async lvRemove(vg: string, lv: string): Promise<void> {
    this.calls.push(`lvremove ${vg}/${lv}`);
    this.storage.delete(`/dev/${vg}/${lv}`);
  }

  async replayConf(): Promise<string> {
    return '';
  }

  async resizeFile(path: string, from: number, to: number, allocate: boolean): Promise<void> {
    this.calls.push(`resize ${path} ${from}->${to}${allocate ? ' allocated' : ''}`);
    const f = this.storage.get(path);
    if (!f) throw new Error(`stat: cannot statx '${path}': No such file or directory`);
    if (f.size === to) return;
    if (f.size !== from) throw new Error(`${path} is ${f.size} bytes, not ${from} as planned: it changed since the plan was built`);
    if (allocate && to > from) f.allocated += to - from;
    else if (to < from) f.allocated = Math.min(f.allocated, to);
    f.size = to;
  }

  async lvExtend(vg: string, lv: string, bytes: number): Promise<void> {
    this.calls.push(`lvextend ${vg}/${lv} ${bytes}`);
    const f = this.storage.get(`/dev/${vg}/${lv}`);
    if (!f) throw new Error(`lvextend: ${vg}/${lv} not found`);
    if (f.size < bytes) Object.assign(f, { size: bytes, allocated: bytes });
  }

  async iscsiConnections(ports: readonly number[]): Promise<{ local: string; localPort: number; peer: string }[] | null> {
    if (!this.connectionsVia) return null;
    return this.targets.flatMap((t) => t.sessions.flatMap((s) => s.connections.map((c) => ({ local: this.connectionsVia!.get(c.address) ?? this.portals[0]?.address ?? '0.0.0.0', localPort: ports[0] ?? 3260, peer: c.address }))));
  }

  async tgtService(): Promise<{ unit: string; unitFile: string; dropIn: string } | null> {
    this.calls.push('systemctl show tgt');
    return this.service;
  }

  async systemdReload(): Promise<string> {
    this.calls.push('systemctl daemon-reload');
    return 'systemctl daemon-reload done';
  }

  /** An initiator logged in to the target (tgtd's I_T nexus with one connection per address). */
  connect(tid: number, initiator: string, addresses: string[] = ['192.0.2.21']): void {
    const t = this.targets.find((x) => x.tid === tid);
    if (!t) throw new Error(`fake: no tid ${tid}`);
    const nexus = Math.max(0, ...this.targets.flatMap((x) => x.sessions.map((y) => y.nexus))) + 1;
    t.sessions.push({ nexus, initiator, alias: null, connections: addresses.map((address, cid) => ({ cid, address })) });
  }

  /** A comparable snapshot of everything a rollback must restore. */
  snapshot() {
    return {
      targets: structuredClone(this.targets),
      accounts: [...this.accounts].sort(),
      files: [...this.files].sort(),
      storage: [...this.storage].sort(),
    };
  }
}

function lun(n: number, path: string | null): TgtTarget['luns'][number] {
  return {
    lun: n, type: n === 0 ? 'controller' : 'disk', scsiId: `IET 0001000${n}`, scsiSn: `beaf1${n}`, sizeBytes: 0, blockSize: 512, online: true,
    removable: false, preventRemoval: false, readonly: false, swp: false, thinProvisioning: false, bsType: path ? 'rdwr' : 'null', path, bsFlags: '',
  };
}

/** The shared file.put kind (schema, describe, inverse) writing to the fake's files instead of through a shell. */
export function fakeFilePut(fake: FakeTgtDriver): OperationKind<FilePut> {
  const real = fileKinds({ runner: () => { throw new Error('the fake has no shell'); } }).put;
  const now = (path: string) => fake.files.get(path) ?? null;
  return {
    ...real,
    async apply(p) {
      fake.calls.push(`put ${p.path}${p.content === null ? ' (remove)' : ''}`);
      if (p.content === null) fake.files.delete(p.path);
      else fake.files.set(p.path, { content: p.content, mode: p.mode ?? now(p.path)?.mode ?? '644' });
    },
    async verify(p) {
      const f = now(p.path);
      if (p.content === null) return f ? { applied: false } : { applied: true };
      return f && f.content === p.content && (p.mode === null || f.mode === p.mode) ? { applied: true } : { applied: false };
    },
  };
}

/** dir.create / dir.remove over the fake's folders (the real kinds' schemas, describe and inverse). */
export function fakeDirKinds(fake: FakeTgtDriver): OperationKind<never>[] {
  const real = fileKinds({ runner: () => { throw new Error('the fake has no shell'); } });
  const parent = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';
  const inUse = (p: string) => [...fake.folders].some((f) => parent(f) === p && f !== p) || [...fake.storage.keys()].some((f) => parent(f) === p);
  const create: OperationKind<{ path: string; mode: string; owner: string | null }> = {
    ...real.dirCreate,
    async apply(p) {
      fake.calls.push(`mkdir ${p.path} ${p.mode} ${p.owner ?? ''}`.trim());
      if (fake.folders.has(p.path)) throw new Error(`mkdir: cannot create directory '${p.path}': File exists`);
      if (!fake.folders.has(parent(p.path))) throw new Error(`mkdir: cannot create directory '${p.path}': No such file or directory`);
      fake.folders.add(p.path);
    },
    verify: async (p) => (fake.folders.has(p.path) ? { applied: true } : { applied: false }),
  };
  const remove: OperationKind<{ path: string }> = {
    ...real.dirRemove,
    async apply(p) {
      fake.calls.push(`rmdir ${p.path}`);
      if (fake.folders.has(p.path) && !inUse(p.path)) fake.folders.delete(p.path);
    },
    verify: async (p) => (fake.folders.has(p.path) ? { applied: false } : { applied: true }),
  };
  return [create, remove] as unknown as OperationKind<never>[];
}

/** The tgt operation and check kinds over the fake, with the fake's file (and folder) kinds. */
export function fakeTgtKinds(fake: FakeTgtDriver, o: { dirs?: boolean; usage?: UsageLookup } = {}): OperationRegistry {
  const hosts = { driver: () => fake };
  return new OperationRegistry()
    .add(...tgtOperationKinds(hosts).all, fakeFilePut(fake) as never, ...(o.dirs ? fakeDirKinds(fake) : []))
    .addChecks(...tgtCheckKinds({ ...hosts, ...(o.usage ? { usage: o.usage } : {}) }).all);
}
