// TEST DOUBLE — not OpenNebula. The oned double's in-memory model: datastores, images, hosts,
// clusters and users, validated the way oned validates allocations (DS_MAD_CONF / TM_MAD_CONF of
// oned.conf: required attributes, persistent-only drivers; unique names; existing clusters and
// datastores), answering with OpenNebula's error codes. Info documents are built with XMLBuilder.
import { XMLBuilder } from 'fast-xml-parser';
import { parseTemplate, type Attrs } from './templates';

export const ERR = { AUTHENTICATION: 0x0100, AUTHORIZATION: 0x0200, NO_EXISTS: 0x0400, ACTION: 0x0800, XML_RPC_API: 0x1000, INTERNAL: 0x2000, ALLOCATE: 0x4000, LOCKED: 0x8000 } as const;

export class OneFail extends Error {
  constructor(readonly code: number, message: string, readonly objectId = -1) {
    super(message);
  }
}

interface DsMadConf {
  required: string[];
  persistentOnly: boolean;
}

/** oned.conf's DS_MAD_CONF for the drivers the double knows (version-dependent for `iscsi`). */
export function dsMadConf(version: string): Record<string, DsMadConf> {
  const major = Number(/^(\d+)/.exec(version)?.[1] ?? 6);
  const conf: Record<string, DsMadConf> = {
    fs: { required: [], persistentOnly: false },
    ceph: { required: ['DISK_TYPE', 'BRIDGE_LIST'], persistentOnly: false },
    dev: { required: ['DISK_TYPE'], persistentOnly: true },
  };
  if (major >= 5) conf.iscsi_libvirt = { required: ['DISK_TYPE', 'ISCSI_HOST'], persistentOnly: true };
  // 5.0-5.4 named the existing-LUNs driver iscsi; 3.4-4.x had the tgt + LVM iscsi driver (HOST etc. default in iscsi.conf).
  conf.iscsi = major >= 5 ? { required: ['DISK_TYPE', 'ISCSI_HOST'], persistentOnly: true } : { required: [], persistentOnly: true };
  return conf;
}
const TM_MADS = ['shared', 'ssh', 'ceph', 'dev', 'iscsi_libvirt', 'iscsi', 'fs_lvm', 'qcow2'];
const IMAGE_TYPES = ['OS', 'CDROM', 'DATABLOCK', 'KERNEL', 'RAMDISK', 'CONTEXT'];
const DISK_TYPES = ['FILE', 'CD_ROM', 'BLOCK', 'RBD', 'RBD_CDROM', 'GLUSTER', 'GLUSTER_CDROM', 'SHEEPDOG', 'SHEEPDOG_CDROM', 'ISCSI'];

export interface DsRecord { id: number; name: string; template: Attrs; clusterIds: number[]; type: number; diskType: number }
export interface ImageRecord { id: number; name: string; template: Attrs; datastoreId: number; persistent: boolean; type: number; state: number; locked: boolean }
export interface HostRecord { id: number; name: string; imMad: string; vmMad: string; clusterId: number; state: number }

export interface DoubleOptions {
  version?: string;
  /** user -> password (session strings user:password). */
  users?: Record<string, string>;
  hosts?: { name: string; clusterId?: number; vmMad?: string }[];
}

const builder = new XMLBuilder({ format: false, processEntities: true });
const tpl = (a: Attrs) => Object.fromEntries(a);

export class OneState {
  version: string;
  users: Record<string, string>;
  datastores = new Map<number, DsRecord>();
  images = new Map<number, ImageRecord>();
  hosts: HostRecord[];
  clusters = new Map<number, { id: number; name: string }>([[0, { id: 0, name: 'default' }]]);
  private nextDs = 100;
  private nextImage = 0;

  constructor(o: DoubleOptions = {}) {
    this.version = o.version ?? '6.10.0';
    this.users = o.users ?? { oneadmin: 'opennebula' };
    this.hosts = (o.hosts ?? [{ name: 'hv1' }, { name: 'hv2' }]).map((h, id) => ({ id, name: h.name, imMad: h.vmMad ?? 'kvm', vmMad: h.vmMad ?? 'kvm', clusterId: h.clusterId ?? 0, state: 2 }));
    // What every OpenNebula install has: system (0), default (1), files (2).
    this.datastores.set(0, { id: 0, name: 'system', template: new Map([['TM_MAD', 'shared'], ['TYPE', 'SYSTEM_DS']]), clusterIds: [0], type: 1, diskType: 0 });
    this.datastores.set(1, { id: 1, name: 'default', template: new Map([['DS_MAD', 'fs'], ['TM_MAD', 'shared']]), clusterIds: [0], type: 0, diskType: 0 });
    this.datastores.set(2, { id: 2, name: 'files', template: new Map([['DS_MAD', 'fs'], ['TM_MAD', 'ssh'], ['TYPE', 'FILE_DS']]), clusterIds: [0], type: 2, diskType: 0 });
  }

  /** The session's user, or an AUTHENTICATION failure as oned words it. */
  auth(method: string, session: unknown): string {
    const s = typeof session === 'string' ? session : '';
    const i = s.indexOf(':');
    const user = i > 0 ? s.slice(0, i) : '';
    if (!user || this.users[user] === undefined || this.users[user] !== s.slice(i + 1)) throw new OneFail(ERR.AUTHENTICATION, `[${method}] User couldn't be authenticated, aborting call.`);
    return user;
  }

  allocateDatastore(src: string, clusterId: number): number {
    const t = this.template(src, 'one.datastore.allocate');
    const name = t.get('NAME') ?? '';
    if (!name) throw new OneFail(ERR.ALLOCATE, '[one.datastore.allocate] No NAME in template for Datastore.');
    for (const d of this.datastores.values()) if (d.name === name) throw new OneFail(ERR.ALLOCATE, `[one.datastore.allocate] NAME is already taken by DATASTORE ${d.id}.`);
    const cid = clusterId === -1 ? 0 : clusterId;
    if (!this.clusters.has(cid)) throw new OneFail(ERR.NO_EXISTS, `[one.datastore.allocate] Error getting cluster [${clusterId}].`, clusterId);
    const typeName = (t.get('TYPE') ?? 'IMAGE_DS').toUpperCase();
    const type = ['IMAGE_DS', 'SYSTEM_DS', 'FILE_DS'].indexOf(typeName);
    if (type < 0) throw new OneFail(ERR.ALLOCATE, `[one.datastore.allocate] Unknown datastore type ${typeName}.`);
    const tm = t.get('TM_MAD') ?? '';
    if (!tm) throw new OneFail(ERR.ALLOCATE, '[one.datastore.allocate] No TM_MAD in template.');
    if (!TM_MADS.includes(tm)) throw new OneFail(ERR.ALLOCATE, `[one.datastore.allocate] TM_MAD named "${tm}" is not defined in oned.conf`);
    let diskType = 0;
    if (type !== 1) {
      const dsMad = t.get('DS_MAD') ?? '';
      if (!dsMad) throw new OneFail(ERR.ALLOCATE, '[one.datastore.allocate] No DS_MAD in template.');
      const conf = dsMadConf(this.version)[dsMad];
      if (!conf) throw new OneFail(ERR.ALLOCATE, `[one.datastore.allocate] DS_MAD named "${dsMad}" is not defined in oned.conf`);
      for (const r of conf.required) if (!(t.get(r) ?? '').trim()) throw new OneFail(ERR.ALLOCATE, `[one.datastore.allocate] Datastore template is missing the "${r}" attribute or it's empty.`);
      const dt = (t.get('DISK_TYPE') ?? 'FILE').toUpperCase();
      diskType = DISK_TYPES.indexOf(dt);
      if (diskType < 0) throw new OneFail(ERR.ALLOCATE, `[one.datastore.allocate] Unknown DISK_TYPE ${dt}.`);
      if (diskType === 9 && type !== 0) throw new OneFail(ERR.ALLOCATE, '[one.datastore.allocate] ISCSI disk type is only valid for image datastores.');
    } else if (t.get('DISK_TYPE')?.toUpperCase() === 'ISCSI') throw new OneFail(ERR.ALLOCATE, '[one.datastore.allocate] ISCSI disk type is only valid for image datastores.');
    const id = this.nextDs++;
    this.datastores.set(id, { id, name, template: t, clusterIds: [cid], type, diskType });
    return id;
  }

  deleteDatastore(id: number): number {
    const d = this.datastores.get(id);
    if (!d) throw new OneFail(ERR.NO_EXISTS, `[one.datastore.delete] Error getting datastore [${id}].`, id);
    const imgs = [...this.images.values()].filter((i) => i.datastoreId === id);
    if (imgs.length) throw new OneFail(ERR.ACTION, `[one.datastore.delete] Cannot delete datastore. Datastore ${id} is not empty.`, id);
    this.datastores.delete(id);
    return id;
  }

  allocateImage(src: string, dsId: number, user: string): number {
    const d = this.datastores.get(dsId);
    if (!d) throw new OneFail(ERR.NO_EXISTS, `[one.image.allocate] Error getting datastore [${dsId}].`, dsId);
    if (d.type !== 0) throw new OneFail(ERR.ACTION, `[one.image.allocate] New images can only be created in an IMAGE datastore, datastore ${dsId} is not one.`, dsId);
    const t = this.template(src, 'one.image.allocate');
    const name = t.get('NAME') ?? '';
    if (!name) throw new OneFail(ERR.ALLOCATE, '[one.image.allocate] No NAME in template for Image.');
    for (const i of this.images.values()) if (i.name === name) throw new OneFail(ERR.ALLOCATE, `[one.image.allocate] NAME is already taken by IMAGE ${i.id}.`);
    const path = t.get('PATH') ?? '';
    const source = t.get('SOURCE') ?? '';
    if (!path && !source) throw new OneFail(ERR.ALLOCATE, '[one.image.allocate] Either SOURCE or PATH are mandatory in the image template.');
    const type = IMAGE_TYPES.indexOf((t.get('TYPE') ?? 'OS').toUpperCase());
    if (type < 0) throw new OneFail(ERR.ALLOCATE, `[one.image.allocate] Unknown image type ${t.get('TYPE')}.`);
    const p = (t.get('PERSISTENT') ?? '').toUpperCase();
    const conf = dsMadConf(this.version)[d.template.get('DS_MAD') ?? ''];
    if (conf?.persistentOnly && p !== '' && p !== 'YES') throw new OneFail(ERR.ALLOCATE, '[one.image.allocate] This Datastore only accepts persistent images.', dsId);
    void user;
    const id = this.nextImage++;
    this.images.set(id, { id, name, template: t, datastoreId: dsId, persistent: conf?.persistentOnly ? true : p === 'YES', type, state: 1, locked: false });
    return id;
  }

  deleteImage(id: number): number {
    const im = this.images.get(id);
    if (!im) throw new OneFail(ERR.NO_EXISTS, `[one.image.delete] Error getting image [${id}].`, id);
    if (im.locked) throw new OneFail(ERR.LOCKED, `[one.image.delete] The image ${id} is locked.`, id);
    this.images.delete(id);
    return id;
  }

  private template(src: unknown, method: string): Attrs {
    if (typeof src !== 'string') throw new OneFail(ERR.XML_RPC_API, `[${method}] the template must be a string`);
    try {
      return parseTemplate(src);
    } catch (e) {
      throw new OneFail(ERR.INTERNAL, `[${method}] ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // ---------------------------------------------------------------- info documents

  private dsNode(d: DsRecord) {
    const images = [...this.images.values()].filter((i) => i.datastoreId === d.id).map((i) => i.id);
    return {
      ID: d.id, UID: 0, GID: 0, UNAME: 'oneadmin', GNAME: 'oneadmin', NAME: d.name,
      DS_MAD: d.template.get('DS_MAD') ?? '-', TM_MAD: d.template.get('TM_MAD') ?? '', BASE_PATH: `/var/lib/one//datastores/${d.id}`,
      TYPE: d.type, DISK_TYPE: d.diskType, STATE: 0, CLUSTERS: { ID: d.clusterIds }, TOTAL_MB: 1, FREE_MB: 1, USED_MB: 0,
      IMAGES: images.length ? { ID: images } : '', TEMPLATE: tpl(d.template),
    };
  }
  private imageNode(i: ImageRecord) {
    const d = this.datastores.get(i.datastoreId);
    return {
      ID: i.id, UID: 0, GID: 0, UNAME: 'oneadmin', GNAME: 'oneadmin', NAME: i.name, TYPE: i.type, DISK_TYPE: d?.diskType ?? 0,
      PERSISTENT: i.persistent ? 1 : 0, REGTIME: 0, SOURCE: i.template.get('PATH') ?? i.template.get('SOURCE') ?? '', PATH: i.template.get('PATH') ?? '',
      FSTYPE: '', SIZE: 0, STATE: i.locked ? 4 : i.state, RUNNING_VMS: 0, DATASTORE_ID: i.datastoreId, DATASTORE: d?.name ?? '', TEMPLATE: tpl(i.template),
    };
  }
  datastoreXml(id: number): string {
    const d = this.datastores.get(id);
    if (!d) throw new OneFail(ERR.NO_EXISTS, `[one.datastore.info] Error getting datastore [${id}].`, id);
    return builder.build({ DATASTORE: this.dsNode(d) }) as string;
  }
  datastorePoolXml(): string {
    return builder.build({ DATASTORE_POOL: { DATASTORE: [...this.datastores.values()].map((d) => this.dsNode(d)) } }) as string;
  }
  imageXml(id: number): string {
    const i = this.images.get(id);
    if (!i) throw new OneFail(ERR.NO_EXISTS, `[one.image.info] Error getting image [${id}].`, id);
    return builder.build({ IMAGE: this.imageNode(i) }) as string;
  }
  imagePoolXml(): string {
    return builder.build({ IMAGE_POOL: { IMAGE: [...this.images.values()].map((i) => this.imageNode(i)) } }) as string;
  }
  hostPoolXml(): string {
    return builder.build({ HOST_POOL: { HOST: this.hosts.map((h) => ({ ID: h.id, NAME: h.name, STATE: h.state, IM_MAD: h.imMad, VM_MAD: h.vmMad, CLUSTER_ID: h.clusterId, CLUSTER: this.clusters.get(h.clusterId)?.name ?? '' })) } }) as string;
  }
  clusterPoolXml(): string {
    return builder.build({
      CLUSTER_POOL: {
        CLUSTER: [...this.clusters.values()].map((c) => ({
          ID: c.id, NAME: c.name,
          HOSTS: { ID: this.hosts.filter((h) => h.clusterId === c.id).map((h) => h.id) },
          DATASTORES: { ID: [...this.datastores.values()].filter((d) => d.clusterIds.includes(c.id)).map((d) => d.id) },
        })),
      },
    }) as string;
  }
  userXml(user: string): string {
    return builder.build({ USER: { ID: Object.keys(this.users).indexOf(user), GID: 0, NAME: user, GNAME: 'oneadmin', ENABLED: 1 } }) as string;
  }
  /** Plain JSON of what the double holds (tests assert on the templates oned received). */
  snapshot() {
    return {
      datastores: [...this.datastores.values()].map((d) => ({ id: d.id, name: d.name, clusterIds: d.clusterIds, template: tpl(d.template) })),
      images: [...this.images.values()].map((i) => ({ id: i.id, name: i.name, datastoreId: i.datastoreId, persistent: i.persistent, template: tpl(i.template) })),
    };
  }
}
