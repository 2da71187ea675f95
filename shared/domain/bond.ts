// iSCSI bonds (multipath), issue 14: data centers, logical networks, each host's NIC per network,
// storage connections and bonds. Input schemas (shared by the renderer forms and main) and the views
// main answers with. Messages name the field and say how to fix it; no view ever carries a secret.
import { z } from 'zod';
import { Id } from '../contract-kit';
import { chapSecretSchema, chapUserSchema, IscsiPortalAddressSchema, IscsiPortSchema, IscsiTargetNameSchema } from './iscsi';

// ---------------------------------------------------------------- fields

/** Engine rule (IscsiBondValidator): at most 50 of [A-Za-z0-9._-]. */
export const BOND_NAME_MAX = 50;
export const BOND_NAME_RE = /^[A-Za-z0-9._-]+$/;
export const BOND_DESCRIPTION_MAX = 4000;

export const BondNameSchema = z
  .string({ error: 'name: enter a bond name' })
  .trim()
  .min(1, { error: 'name: enter a bond name, e.g. iscsi-ab' })
  .max(BOND_NAME_MAX, { error: `name: at most ${BOND_NAME_MAX} characters` })
  .regex(BOND_NAME_RE, { error: 'name: use only letters, digits, ".", "_" and "-" (no spaces)' });

const DescriptionSchema = z
  .string()
  .max(BOND_DESCRIPTION_MAX, { error: `description: at most ${BOND_DESCRIPTION_MAX} characters` })
  .refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s), { error: 'description: remove control characters' })
  .default('');

const PlainName = (field: string, max = 64) =>
  z
    .string({ error: `${field}: enter a name` })
    .trim()
    .min(1, { error: `${field}: enter a name` })
    .max(max, { error: `${field}: at most ${max} characters` })
    .regex(/^[A-Za-z0-9._-]+$/, { error: `${field}: use only letters, digits, ".", "_" and "-"` });

/** Linux netdev names: 1-15 characters, no "/", whitespace or ":" (IFNAMSIZ 16 with the NUL). */
export const NicNameSchema = z
  .string({ error: 'nic: enter the interface name, e.g. eth1' })
  .min(1, { error: 'nic: enter the interface name, e.g. eth1' })
  .max(15, { error: 'nic: Linux interface names have at most 15 characters' })
  .regex(/^[A-Za-z0-9_.@-]+$/, { error: 'nic: letters, digits, "_", ".", "-" and "@" only, e.g. eth1 or eth1.20' });

/** IPv4 CIDR, e.g. 192.0.2.0/24 (host bits are allowed and ignored). */
export const CidrSchema = z
  .string({ error: 'cidr: enter the network as address/prefix, e.g. 192.0.2.0/24' })
  .trim()
  .refine((s) => parseCidr(s) !== null, { error: 'cidr: enter an IPv4 network as address/prefix, e.g. 192.0.2.0/24 (prefix 0-32)' });

export function parseCidr(s: string): { base: number; prefix: number } | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s.trim());
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  const ip = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ip & mask) >>> 0, prefix };
}

export function ipv4ToInt(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1, 5).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

/** Whether an IPv4 address lies in the CIDR. */
export function inCidr(address: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  const ip = ipv4ToInt(address);
  if (!c || ip === null) return false;
  const mask = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
  return ((ip & mask) >>> 0) === c.base;
}

const IdList = (field: string) => z.array(Id, { error: `${field}: give a list of ids` }).max(256, { error: `${field}: at most 256` });

// ---------------------------------------------------------------- inputs

export const DataCenterInputSchema = z
  .object({
    id: Id.optional(),
    name: PlainName('name'),
    description: DescriptionSchema,
    /** Hypervisor hosts of the data center (inventory host ids). */
    hostIds: IdList('hostIds').default([]),
  })
  .strict();
export type DataCenterInput = z.input<typeof DataCenterInputSchema>;

export const NetworkInputSchema = z
  .object({
    id: Id.optional(),
    dcId: Id,
    name: PlainName('name', 15),
    cidr: CidrSchema,
    vlan: z.number({ error: 'vlan: a VLAN id from 1 to 4094, or leave empty' }).int({ error: 'vlan: a whole number' }).min(1, { error: 'vlan: 1 to 4094' }).max(4094, { error: 'vlan: 1 to 4094' }).nullable().default(null),
    /** Required in its clusters: such a network cannot be part of a bond (engine rule). */
    required: z.boolean({ error: 'required: choose yes or no' }).default(false),
    /** Bridged (VM) network: the bridge is named after the network, VDSM binds to it (netIfaceName = network name). */
    bridged: z.boolean({ error: 'bridged: choose yes or no' }).default(false),
  })
  .strict();
export type NetworkInput = z.input<typeof NetworkInputSchema>;

/** Which NIC carries a network on a host; nic null = the host does not have that network. */
export const HostInterfaceInputSchema = z.object({ hostId: Id, networkId: Id, nic: NicNameSchema.nullable() }).strict();

const ChapInputSchema = z
  .object({
    user: chapUserSchema('chap.user'),
    /** Omitted on edit: keep the stored secret. Stored in the SecretStore, never in SQLite. */
    secret: chapSecretSchema('chap.secret').optional(),
  })
  .strict();

export const TpgtSchema = z.number({ error: 'tpgt: the target portal group tag from discovery (usually 1)' }).int({ error: 'tpgt: a whole number' }).min(0, { error: 'tpgt: 0 to 65535' }).max(65535, { error: 'tpgt: 0 to 65535' });

export const ConnectionInputSchema = z
  .object({
    id: Id.optional(),
    dcId: Id,
    iqn: IscsiTargetNameSchema,
    address: IscsiPortalAddressSchema,
    port: IscsiPortSchema.default(3260),
    tpgt: TpgtSchema.default(1),
    /** null: no CHAP. */
    chap: ChapInputSchema.nullable().default(null),
    /** Storage server in the inventory that serves this portal, when Portico manages it. */
    serverId: Id.nullable().default(null),
  })
  .strict();
export type ConnectionInput = z.input<typeof ConnectionInputSchema>;

export const CandidateSourceSchema = z.discriminatedUnion(
  'kind',
  [
    /** Targets of a storage server Portico manages (the targets feature's view): its portals and targets. */
    z.object({ kind: z.literal('managed'), serverId: Id }).strict(),
    /** SendTargets discovery by Portico's own initiator, from the workstation or through a host. */
    z.object({ kind: z.literal('discovery'), address: IscsiPortalAddressSchema, port: IscsiPortSchema.default(3260), via: Id.optional() }).strict(),
  ],
  { error: 'source: choose a managed storage server or a portal to discover' },
);

export const BondInputSchema = z
  .object({
    id: Id.optional(),
    dcId: Id,
    name: BondNameSchema,
    description: DescriptionSchema,
    networkIds: IdList('networkIds'),
    connectionIds: IdList('connectionIds'),
  })
  .strict();
export type BondInput = z.input<typeof BondInputSchema>;
export type BondParsed = z.output<typeof BondInputSchema>;

/** Removals that cascade: without confirm the call only answers what would go (nothing changes). */
export const RemoveInputSchema = z.object({ id: Id, confirm: z.boolean().default(false) }).strict();

export const PlacementInputSchema = z.object({ dcId: Id, networkIds: IdList('networkIds') }).strict();
export const MatrixInputSchema = z
  .object({
    bondId: Id,
    /** Check now (joins a check already running) instead of answering the last result. */
    refresh: z.boolean().default(false),
    /** Per-cell limit, ms (default 5000). */
    timeoutMs: z.number().int().min(200, { error: 'timeoutMs: at least 200 ms' }).max(120_000, { error: 'timeoutMs: at most 120000 ms' }).optional(),
  })
  .strict();

// ---------------------------------------------------------------- views

export interface DataCenterView {
  id: string;
  name: string;
  description: string;
  hostIds: string[];
}

export interface NetworkView {
  id: string;
  dcId: string;
  name: string;
  cidr: string;
  vlan: number | null;
  required: boolean;
  bridged: boolean;
}

export interface HostInterfaceView {
  hostId: string;
  networkId: string;
  nic: string | null;
  /** The host's address on the network (from the probe), when known. */
  address: string | null;
  /** discovered: from the probe's addresses; manual: set by the admin (a probe does not overwrite it). */
  source: 'discovered' | 'manual';
}

export interface ConnectionView {
  id: string;
  dcId: string;
  iqn: string;
  address: string;
  port: number;
  tpgt: number;
  /** CHAP user only; the secret never leaves main. */
  chap: { user: string } | null;
  serverId: string | null;
  /** Network whose CIDR holds the portal address, when one does. */
  networkId: string | null;
  /** Bonds using it and other users (hosted-engine domains...), for the reference count. */
  usedBy: string[];
}

export interface BondView {
  id: string;
  dcId: string;
  name: string;
  description: string;
  networkIds: string[];
  connectionIds: string[];
  /** Paths applied on hosts by Portico's last job (host x network x connection), for edits and removals. */
  appliedPaths: number;
}

/** How Portico talks to a host of the data center: VDSM (oVirt host) or iscsiadm (plain Linux). */
export type BondHostKind = 'vdsm' | 'linux';

export interface BondHostView {
  hostId: string;
  name: string;
  kind: BondHostKind;
}

export interface BondsOverview {
  dataCenters: DataCenterView[];
  networks: NetworkView[];
  interfaces: HostInterfaceView[];
  connections: ConnectionView[];
  bonds: BondView[];
  hosts: BondHostView[];
}

/** What a removal takes with it, in words, and whether it happened (confirm). */
export interface RemoveResult {
  removed: boolean;
  /** "bond iscsi-ab loses network B", "bond iscsi-a is deleted (no network left)". */
  effects: string[];
}

export interface CandidateConnection {
  iqn: string;
  address: string;
  port: number;
  tpgt: number;
  serverId: string | null;
  networkId: string | null;
  /** Already a connection of the data center (its id). */
  existingId: string | null;
}

export interface PlacementHost {
  hostId: string;
  name: string;
  kind: BondHostKind;
  /** One entry per requested network: the NIC carrying it on this host, or null. */
  networks: { networkId: string; nic: string | null; address: string | null }[];
  /**
   * bonded: has every network; partial: has some (the rest are listed in missing); default-network:
   * has none of them, so it keeps connecting through its default route (seed rule).
   */
  status: 'bonded' | 'partial' | 'default-network';
  missing: { networkId: string; fix: string }[];
}

export interface PlacementResult {
  hosts: PlacementHost[];
  /** Rule problems with the chosen networks (required, other data center), field-named. */
  problems: { field: string; message: string }[];
}

/** One connectStorageServer entry exactly as sent (password masked). */
export interface VdsmConnectionEntry {
  id: string;
  connection: string;
  port: string;
  iqn: string;
  tpgt: string;
  user: string;
  password: string;
  ifaceName?: string;
  netIfaceName?: string;
}

/** One intended path: host x network x connection (network null: default route). */
export interface IntendedPath {
  hostId: string;
  networkId: string | null;
  connectionId: string;
  nic: string | null;
}

export interface PreviewHost {
  hostId: string;
  name: string;
  kind: BondHostKind;
  paths: IntendedPath[];
  /** VDSM hosts: the connectStorageServer connectionParams. */
  vdsm: VdsmConnectionEntry[];
  /** Plain Linux hosts: the iscsiadm commands (iface, node, login), secrets masked. */
  commands: string[];
}

export interface BondPreview {
  problems: { field: string; message: string }[];
  placement: PlacementResult;
  hosts: PreviewHost[];
}

export type CellState = 'ok' | 'degraded' | 'failed' | 'missing' | 'checking';

export interface MatrixCell {
  hostId: string;
  networkId: string | null;
  connectionId: string;
  iqn: string;
  portal: string;
  nic: string | null;
  state: CellState;
  tcp: boolean;
  login: boolean;
  /** LUNs seen through this path (GUIDs). */
  luns: { lun: number | null; guid: string | null; sizeBytes: number | null }[];
  /** Why it failed, or what was seen, in words. */
  message: string;
  elapsedMs: number;
}

export type HostBondState = 'ok' | 'degraded' | 'non-operational' | 'default-network' | 'unknown';

export interface MatrixHost {
  hostId: string;
  name: string;
  state: HostBondState;
  reason: string;
}

export interface MatrixLun {
  guid: string;
  /** Paths per host that should reach this LUN (bonded networks x portals) and that do. */
  perHost: { hostId: string; expected: number; seen: number }[];
}

export interface MatrixView {
  bondId: string;
  /** When the shown result was taken; null before the first check. */
  at: string | null;
  running: boolean;
  networks: { id: string | null; name: string }[];
  cells: MatrixCell[];
  hosts: MatrixHost[];
  luns: MatrixLun[];
  elapsedMs: number | null;
}

export interface BondExport {
  method: 'POST';
  /** /api/datacenters/{dcId}/iscsibonds, Portico's ids in place of the engine's (replace them). */
  path: string;
  contentType: 'application/xml';
  body: string;
}
