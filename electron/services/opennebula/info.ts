// The info documents oned returns as XML strings (one.*pool.info, one.*.info), parsed with
// fast-xml-parser into the few fields Portico uses. Numeric enums are turned into words here.
import { XMLParser } from 'fast-xml-parser';

const ARRAYS = new Set(['DATASTORE_POOL.DATASTORE', 'IMAGE_POOL.IMAGE', 'HOST_POOL.HOST', 'CLUSTER_POOL.CLUSTER']);
const ID_LISTS = new Set(['CLUSTERS', 'IMAGES', 'HOSTS', 'DATASTORES', 'VNETS']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // Pools and id lists are arrays even with one element (jPath is the dotted tag path).
  isArray: (name, jpath) => ARRAYS.has(String(jpath)) || (name === 'ID' && ID_LISTS.has(String(jpath).split('.').slice(-2)[0])),
});

type Node = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? '' : String(v));
const num = (v: unknown): number => {
  const n = Number(str(v));
  return Number.isFinite(n) ? n : -1;
};
const ids = (v: unknown): number[] => {
  const l = (v as Node | undefined)?.ID;
  return Array.isArray(l) ? l.map(num) : [];
};

/** A template's single attributes (vector attributes are left out), keys upper-case as oned keeps them. */
function template(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v as Node)) if (typeof x === 'string' || typeof x === 'number') out[k.toUpperCase()] = String(x);
  return out;
}

function parse(xml: string, root: string): Node {
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (e) {
    throw new Error(`oned's ${root} document is not readable XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = doc[root];
  if (r === undefined) throw new Error(`oned answered without a ${root} document`);
  return (r && typeof r === 'object' ? r : {}) as Node;
}

export const DS_TYPES = ['IMAGE_DS', 'SYSTEM_DS', 'FILE_DS'];
/** Image::DiskType in oned. */
export const DISK_TYPES = ['FILE', 'CD_ROM', 'BLOCK', 'RBD', 'RBD_CDROM', 'GLUSTER', 'GLUSTER_CDROM', 'SHEEPDOG', 'SHEEPDOG_CDROM', 'ISCSI'];
export const IMAGE_TYPES = ['OS', 'CDROM', 'DATABLOCK', 'KERNEL', 'RAMDISK', 'CONTEXT'];
export const IMAGE_STATES = ['init', 'ready', 'used', 'disabled', 'locked', 'error', 'clone', 'delete', 'used (persistent)', 'locked (used)', 'locked (used, persistent)'];
export const HOST_STATES = ['init', 'monitoring', 'monitored', 'error', 'disabled', 'monitoring (error)', 'monitoring (init)', 'monitoring (disabled)', 'offline'];

export interface OneDatastore {
  id: number;
  name: string;
  dsMad: string;
  tmMad: string;
  type: string;
  diskType: string;
  clusterIds: number[];
  imageIds: number[];
  template: Record<string, string>;
}

export interface OneImage {
  id: number;
  name: string;
  type: string;
  persistent: boolean;
  path: string;
  source: string;
  sizeMb: number;
  state: string;
  datastoreId: number;
  template: Record<string, string>;
}

export interface OneHost {
  id: number;
  name: string;
  state: string;
  imMad: string;
  vmMad: string;
  clusterId: number;
}

export interface OneCluster {
  id: number;
  name: string;
  hostIds: number[];
  datastoreIds: number[];
}

const word = (list: string[], v: unknown) => list[num(v)] ?? `state ${str(v)}`;

function datastore(d: Node): OneDatastore {
  return {
    id: num(d.ID),
    name: str(d.NAME),
    dsMad: str(d.DS_MAD),
    tmMad: str(d.TM_MAD),
    type: word(DS_TYPES, d.TYPE),
    diskType: word(DISK_TYPES, d.DISK_TYPE),
    clusterIds: ids(d.CLUSTERS),
    imageIds: ids(d.IMAGES),
    template: template(d.TEMPLATE),
  };
}

function image(d: Node): OneImage {
  return {
    id: num(d.ID),
    name: str(d.NAME),
    type: word(IMAGE_TYPES, d.TYPE),
    persistent: str(d.PERSISTENT) === '1',
    path: str(d.PATH),
    source: str(d.SOURCE),
    sizeMb: Math.max(0, num(d.SIZE)),
    state: word(IMAGE_STATES, d.STATE),
    datastoreId: num(d.DATASTORE_ID),
    template: template(d.TEMPLATE),
  };
}

const list = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : []);

export const parseDatastorePool = (xml: string): OneDatastore[] => list(parse(xml, 'DATASTORE_POOL').DATASTORE).map(datastore);
export const parseDatastore = (xml: string): OneDatastore => datastore(parse(xml, 'DATASTORE'));
export const parseImagePool = (xml: string): OneImage[] => list(parse(xml, 'IMAGE_POOL').IMAGE).map(image);
export const parseImage = (xml: string): OneImage => image(parse(xml, 'IMAGE'));
export const parseHostPool = (xml: string): OneHost[] =>
  list(parse(xml, 'HOST_POOL').HOST).map((h) => ({ id: num(h.ID), name: str(h.NAME), state: word(HOST_STATES, h.STATE), imMad: str(h.IM_MAD), vmMad: str(h.VM_MAD), clusterId: num(h.CLUSTER_ID) }));
export const parseClusterPool = (xml: string): OneCluster[] =>
  list(parse(xml, 'CLUSTER_POOL').CLUSTER).map((c) => ({ id: num(c.ID), name: str(c.NAME), hostIds: ids(c.HOSTS), datastoreIds: ids(c.DATASTORES) }));
export const parseUser = (xml: string): { id: number; name: string } => {
  const u = parse(xml, 'USER');
  return { id: num(u.ID), name: str(u.NAME) };
};
