// Pure description of the lab: networks, hosts, addresses, interface names, ports.
// No side effects here; lab.ts turns this into namespaces, bridges and daemons.

export type NetName = 'mgmt' | 'a' | 'b';
export type HostRole = 'storage' | 'hypervisor' | 'frontend';

export interface NetworkSpec {
  name: NetName;
  /** Linux bridge in the root namespace. */
  bridge: string;
  /** Network prefix, e.g. "198.51.100" (always a /24 inside the lab). */
  base: string;
  prefixLen: number;
  /** Address of the workstation (root namespace) on this network, or null if it is not on it. */
  workstation: string | null;
  /** Interface name inside each lab host. */
  ifname: string;
}

export interface HostSpec {
  name: string;
  role: HostRole;
  /** Network namespace name (ip netns). */
  netns: string;
  /** Last octet used on every network the host is on. */
  octet: number;
  networks: NetName[];
  /** Addresses by network (only those in `networks`). */
  addresses: Partial<Record<NetName, string>>;
  /** Root-namespace end of the veth pair, by network. */
  veths: Partial<Record<NetName, string>>;
  sshd: boolean;
  tgtd: boolean;
  libvirtd: boolean;
  /** tgtd control port (-C); plain tgtadm inside the host still works (socket.0 links to it). */
  tgtControlPort: number | null;
  /** Folder that storage tests fill; a size-limited tmpfs inside the host. */
  storageDir: string | null;
  initiatorIqn: string;
  /** Documented port plan for doubles started with startOnHost. */
  ports: Record<string, number>;
}

export interface Topology {
  /** Prefix of namespaces ("portico-") and of root-side links ("pt-"). */
  netnsPrefix: string;
  linkPrefix: string;
  networks: Record<NetName, NetworkSpec>;
  hosts: HostSpec[];
  /** Size of each host's /srv tmpfs (the storage folder lives there). */
  srvSize: string;
}

export const PORTS = {
  ssh: 22,
  iscsi: 3260,
  /** VDSM double on hv1/hv2 (jsonrpc over TLS/STOMP in the real thing). */
  vdsm: 54321,
  /** OpenNebula oned XML-RPC double on fe1. */
  oned: 2633,
} as const;

export const IQN_PREFIX = 'iqn.2024-01.lab.portico';

export interface HostTemplate {
  name: string;
  role: HostRole;
  octet: number;
  networks: NetName[];
  tgtControlPort?: number;
  ports?: Record<string, number>;
}

export const DEFAULT_HOSTS: HostTemplate[] = [
  { name: 'stor1', role: 'storage', octet: 11, networks: ['mgmt', 'a', 'b'], tgtControlPort: 11 },
  { name: 'stor2', role: 'storage', octet: 12, networks: ['mgmt', 'a'], tgtControlPort: 12 },
  { name: 'hv1', role: 'hypervisor', octet: 21, networks: ['mgmt', 'a', 'b'], ports: { vdsm: PORTS.vdsm } },
  { name: 'hv2', role: 'hypervisor', octet: 22, networks: ['mgmt', 'a', 'b'], ports: { vdsm: PORTS.vdsm } },
  { name: 'fe1', role: 'frontend', octet: 31, networks: ['mgmt'], ports: { oned: PORTS.oned } },
];

export interface TopologyOptions {
  /** Short tag for root-side links, max 3 chars ("pt" by default). */
  linkPrefix?: string;
  netnsPrefix?: string;
  hosts?: HostTemplate[];
  /** Network prefixes ("198.51.100"); defaults are the documentation ranges. */
  bases?: Partial<Record<NetName, string>>;
  /** Prefix length of every lab network (24 by default; a second lab can use the upper /25). */
  prefixLen?: number;
  /** Last octet of the workstation's address on mgmt and A (1 by default). */
  workstationOctet?: number;
  srvSize?: string;
}

const NET_SUFFIX: Record<NetName, string> = { mgmt: 'm', a: 'a', b: 'b' };

export function makeTopology(opts: TopologyOptions = {}): Topology {
  const lp = opts.linkPrefix ?? 'pt';
  const np = opts.netnsPrefix ?? 'portico-';
  const bases: Record<NetName, string> = {
    mgmt: opts.bases?.mgmt ?? '198.51.100',
    a: opts.bases?.a ?? '203.0.113',
    b: opts.bases?.b ?? '192.0.2',
  };
  const len = opts.prefixLen ?? 24;
  const wo = opts.workstationOctet ?? 1;
  const networks: Record<NetName, NetworkSpec> = {
    mgmt: { name: 'mgmt', bridge: `${lp}-mgmt`, base: bases.mgmt, prefixLen: len, workstation: `${bases.mgmt}.${wo}`, ifname: 'eth0' },
    a: { name: 'a', bridge: `${lp}-stA`, base: bases.a, prefixLen: len, workstation: `${bases.a}.${wo}`, ifname: 'eth1' },
    b: { name: 'b', bridge: `${lp}-stB`, base: bases.b, prefixLen: len, workstation: null, ifname: 'eth2' },
  };
  const hosts = (opts.hosts ?? DEFAULT_HOSTS).map((t): HostSpec => {
    const addresses: Partial<Record<NetName, string>> = {};
    const veths: Partial<Record<NetName, string>> = {};
    for (const n of t.networks) {
      addresses[n] = `${bases[n]}.${t.octet}`;
      veths[n] = `${lp}-${t.name}-${NET_SUFFIX[n]}`;
      if (veths[n]!.length > 15) throw new Error(`interface name too long: ${veths[n]}`);
    }
    const storage = t.role === 'storage';
    return {
      name: t.name,
      role: t.role,
      netns: `${np}${t.name}`,
      octet: t.octet,
      networks: t.networks,
      addresses,
      veths,
      sshd: true,
      tgtd: storage,
      libvirtd: t.role === 'hypervisor',
      tgtControlPort: storage ? (t.tgtControlPort ?? t.octet) : null,
      storageDir: storage ? '/srv/portico' : null,
      initiatorIqn: `${IQN_PREFIX}:${t.name}`,
      ports: { ssh: PORTS.ssh, ...(storage ? { iscsi: PORTS.iscsi } : {}), ...(t.ports ?? {}) },
    };
  });
  return { netnsPrefix: np, linkPrefix: lp, networks, hosts, srvSize: opts.srvSize ?? '256m' };
}

/** Portal addresses ("ip:port") of a storage host: its A and B addresses. */
export function portalsOf(h: HostSpec): string[] {
  if (!h.tgtd) return [];
  const out: string[] = [];
  for (const n of ['a', 'b'] as const) if (h.addresses[n]) out.push(`${h.addresses[n]}:${PORTS.iscsi}`);
  return out;
}
