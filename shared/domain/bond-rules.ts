// The iSCSI bond rules of the seed (003) and the engine (IscsiBondValidator, ISCSIStorageHelper),
// as pure functions over the model: validation, removal cascades, per-host placement, the per-NIC
// expansion of connections, and the host state derived from path results. Main and the renderer
// both use them, so the review shows exactly what main applies.
import { BOND_NAME_MAX, BOND_NAME_RE, inCidr, type BondHostKind, type BondView, type ConnectionView, type HostInterfaceView, type HostBondState, type IntendedPath, type MatrixCell, type NetworkView, type PlacementHost, type PlacementResult, type VdsmConnectionEntry } from './bond';

export interface Problem {
  field: string;
  message: string;
}

export interface BondDraft {
  id?: string;
  dcId: string;
  name: string;
  networkIds: string[];
  connectionIds: string[];
}

export interface BondWorld {
  bonds: Pick<BondView, 'id' | 'dcId' | 'name' | 'networkIds' | 'connectionIds'>[];
  networks: NetworkView[];
  connections: Pick<ConnectionView, 'id' | 'dcId' | 'iqn' | 'address' | 'port'>[];
}

// ---------------------------------------------------------------- validation

/** Every rule a bond must meet before it is saved; [] = valid. */
export function validateBond(b: BondDraft, w: BondWorld): Problem[] {
  const out: Problem[] = [];
  const name = b.name.trim();
  if (!name) out.push({ field: 'name', message: 'name: enter a bond name, e.g. iscsi-ab' });
  else if (name.length > BOND_NAME_MAX) out.push({ field: 'name', message: `name: at most ${BOND_NAME_MAX} characters` });
  else if (!BOND_NAME_RE.test(name)) out.push({ field: 'name', message: 'name: use only letters, digits, ".", "_" and "-" (no spaces)' });
  // The engine compares names exactly (String.equals): "iSCSI-A" and "iscsi-a" may coexist.
  const clash = w.bonds.find((o) => o.dcId === b.dcId && o.id !== b.id && o.name === name);
  if (clash) out.push({ field: 'name', message: `name: the data center already has a bond named ${name}; choose another name` });

  if (b.networkIds.length === 0) out.push({ field: 'networkIds', message: 'networkIds: choose at least one logical network for the bond' });
  const seenNet = new Set<string>();
  b.networkIds.forEach((id, i) => {
    const field = `networkIds.${i}`;
    if (seenNet.has(id)) return out.push({ field, message: `${field}: network ${netName(w, id)} is chosen twice` });
    seenNet.add(id);
    const n = w.networks.find((x) => x.id === id);
    if (!n) return out.push({ field, message: `${field}: no network with id ${id}; reload the page` });
    if (n.dcId !== b.dcId) return out.push({ field, message: `${field}: network ${n.name} belongs to another data center; choose one of this data center's networks` });
    if (n.required) out.push({ field, message: `${field}: network ${n.name} is required in its clusters, and a required network cannot be part of an iSCSI bond; make it optional first or choose another network` });
  });

  const seenConn = new Set<string>();
  b.connectionIds.forEach((id, i) => {
    const field = `connectionIds.${i}`;
    if (seenConn.has(id)) return out.push({ field, message: `${field}: connection ${connName(w, id)} is already in the bond` });
    seenConn.add(id);
    const c = w.connections.find((x) => x.id === id);
    // Portico's connection table holds iSCSI connections only: anything else is not one.
    if (!c) return out.push({ field, message: `${field}: ${id} is not an iSCSI storage connection; add the target under Connections first` });
    if (c.dcId !== b.dcId) out.push({ field, message: `${field}: connection ${connName(w, id)} belongs to another data center` });
  });
  return out;
}

/** Adding one connection to a saved bond (the REST sub-collection's POST). */
export function validateAddConnection(bond: Pick<BondView, 'dcId' | 'connectionIds'>, connectionId: string, w: BondWorld): Problem[] {
  if (bond.connectionIds.includes(connectionId)) return [{ field: 'connectionId', message: `connectionId: connection ${connName(w, connectionId)} is already in the bond` }];
  const c = w.connections.find((x) => x.id === connectionId);
  if (!c) return [{ field: 'connectionId', message: `connectionId: ${connectionId} is not an iSCSI storage connection` }];
  if (c.dcId !== bond.dcId) return [{ field: 'connectionId', message: `connectionId: connection ${connName(w, connectionId)} belongs to another data center` }];
  return [];
}

const netName = (w: BondWorld, id: string) => w.networks.find((n) => n.id === id)?.name ?? id;
const connName = (w: BondWorld, id: string) => {
  const c = w.connections.find((x) => x.id === id);
  return c ? `${c.iqn} at ${c.address}:${c.port}` : id;
};

// ---------------------------------------------------------------- cascades

export interface Cascade {
  /** Bonds that keep existing with fewer members. */
  updated: { id: string; networkIds: string[]; connectionIds: string[] }[];
  deleted: string[];
  effects: string[];
}

/** Removing a network takes it out of every bond; a bond left with no network is deleted (it must have one). */
export function networkRemoval(networkId: string, w: BondWorld): Cascade {
  const net = w.networks.find((n) => n.id === networkId);
  const out: Cascade = { updated: [], deleted: [], effects: [] };
  for (const b of w.bonds) {
    if (!b.networkIds.includes(networkId)) continue;
    const left = b.networkIds.filter((n) => n !== networkId);
    if (left.length === 0) {
      out.deleted.push(b.id);
      out.effects.push(`bond ${b.name} is deleted: network ${net?.name ?? networkId} was its only network`);
    } else {
      out.updated.push({ id: b.id, networkIds: left, connectionIds: b.connectionIds });
      out.effects.push(`bond ${b.name} loses network ${net?.name ?? networkId}`);
    }
  }
  return out;
}

/** Removing a connection takes it out of every bond (a bond may have no connection yet). */
export function connectionRemoval(connectionId: string, w: BondWorld): Cascade {
  const out: Cascade = { updated: [], deleted: [], effects: [] };
  for (const b of w.bonds) {
    if (!b.connectionIds.includes(connectionId)) continue;
    out.updated.push({ id: b.id, networkIds: b.networkIds, connectionIds: b.connectionIds.filter((c) => c !== connectionId) });
    out.effects.push(`bond ${b.name} loses connection ${connName(w, connectionId)}`);
  }
  return out;
}

/** Removing a data center deletes its bonds, networks and connections. */
export function dataCenterRemoval(dcId: string, dcName: string, w: BondWorld): Cascade {
  const bonds = w.bonds.filter((b) => b.dcId === dcId);
  const nets = w.networks.filter((n) => n.dcId === dcId);
  const conns = w.connections.filter((c) => c.dcId === dcId);
  const effects = [
    ...bonds.map((b) => `bond ${b.name} is deleted`),
    ...(nets.length ? [`networks ${nets.map((n) => n.name).join(', ')} are deleted`] : []),
    ...(conns.length ? [`${conns.length} storage connection(s) are deleted`] : []),
  ];
  if (!effects.length) effects.push(`data center ${dcName} is empty: nothing else goes`);
  return { updated: [], deleted: bonds.map((b) => b.id), effects };
}

// ---------------------------------------------------------------- placement

export interface PlacementHostInput {
  hostId: string;
  name: string;
  kind: BondHostKind;
}

/** Which NIC carries each chosen network on each host; hosts missing some or all, with what to do. */
export function placement(hosts: PlacementHostInput[], networks: NetworkView[], interfaces: HostInterfaceView[]): PlacementResult {
  const out: PlacementHost[] = hosts.map((h) => {
    const rows = networks.map((n) => {
      const i = interfaces.find((x) => x.hostId === h.hostId && x.networkId === n.id);
      return { networkId: n.id, nic: i?.nic ?? null, address: i?.address ?? null };
    });
    const have = rows.filter((r) => r.nic);
    const missing = rows
      .filter((r) => !r.nic)
      .map((r) => {
        const n = networks.find((x) => x.id === r.networkId)!;
        return {
          networkId: r.networkId,
          fix:
            `${h.name} has no interface on ${n.name} (${n.cidr}${n.vlan ? `, VLAN ${n.vlan}` : ''}): give a NIC an address in ${n.cidr} ` +
            `and probe the host again, or set the NIC by hand under Interfaces` +
            (have.length === 0 ? `; until then ${h.name} connects through its default network` : `; until then ${h.name} has no path on ${n.name}`),
        };
      });
    const status: PlacementHost['status'] = have.length === 0 ? 'default-network' : missing.length ? 'partial' : 'bonded';
    return { hostId: h.hostId, name: h.name, kind: h.kind, networks: rows, status, missing };
  });
  return { hosts: out, problems: [] };
}

// ---------------------------------------------------------------- intended paths and the per-NIC expansion

export interface HostNic {
  network: Pick<NetworkView, 'id' | 'name' | 'cidr' | 'bridged'>;
  nic: string;
}

/**
 * The NICs a connection goes through on one host (engine ISCSIStorageHelper.updateIfaces): every
 * NIC carrying a bonded network; none = the default iface (kernel routing). Portico's one
 * refinement, for portals per network: a portal inside a bonded network's CIDR goes only through
 * that network's NIC (through another subnet's NIC it could never work).
 */
export function nicsFor(conn: Pick<ConnectionView, 'address'>, hostNics: HostNic[]): HostNic[] {
  const own = hostNics.filter((h) => inCidr(conn.address, h.network.cidr));
  return own.length ? own : hostNics;
}

/** Every path the bond means on one host: host x network x connection (network null: default route). */
export function intendedPaths(hostId: string, conns: Pick<ConnectionView, 'id' | 'address'>[], hostNics: HostNic[]): IntendedPath[] {
  return conns.flatMap((c): IntendedPath[] => {
    const nics = nicsFor(c, hostNics);
    if (!nics.length) return [{ hostId, networkId: null, connectionId: c.id, nic: null }];
    return nics.map((n) => ({ hostId, networkId: n.network.id, connectionId: c.id, nic: n.nic }));
  });
}

export interface ConnForExpansion {
  id: string;
  address: string;
  port: number;
  iqn: string;
  tpgt: number;
  user: string;
  password: string;
}

/** A stable UUID-shaped id for the n-th copy of a connection (FNV-1a; the engine uses random ones, Portico must find them again to disconnect). */
export function copyId(connId: string, nic: string): string {
  const parts: string[] = [];
  let h = 0x811c9dc5;
  for (let round = 0; round < 4; round++) {
    for (const ch of `${round}:${connId}:${nic}`) {
      h ^= ch.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    parts.push(h.toString(16).padStart(8, '0'));
  }
  const hex = parts.join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * connectStorageServer's connectionParams for one host (reference §5.3): a connection without a
 * bonded NIC is sent unchanged; otherwise once per NIC, the first copy keeping the connection's
 * id, each with ifaceName = NIC and netIfaceName = network name when bridged, else the NIC.
 */
export function vdsmExpansion(conns: ConnForExpansion[], hostNics: HostNic[]): VdsmConnectionEntry[] {
  return conns.flatMap((c) => {
    const base = { connection: c.address, port: String(c.port), iqn: c.iqn, tpgt: String(c.tpgt), user: c.user, password: c.password };
    const nics = nicsFor(c, hostNics);
    if (!nics.length) return [{ id: c.id, ...base }];
    return nics.map((n, i) => ({ id: i === 0 ? c.id : copyId(c.id, n.nic), ...base, ifaceName: n.nic, netIfaceName: n.network.bridged ? n.network.name : n.nic }));
  });
}

// ---------------------------------------------------------------- plain Linux: iscsiadm

/** Portico's iscsiadm iface name for a NIC: one iface per netdev, like VDSM's (named after the NIC). */
export const ifaceNameFor = (nic: string) => nic;

export function portalArg(c: { address: string; port: number; tpgt: number }): string {
  const a = c.address.includes(':') ? `[${c.address}]` : c.address;
  return `${a}:${c.port},${c.tpgt}`;
}

/** The open-iscsi commands for one path, as the review shows them (secret masked). */
export function iscsiadmCommands(p: { nic: string | null; iqn: string; address: string; port: number; tpgt: number; chapUser: string | null }, mask = '******'): string[] {
  const iface = p.nic ? ifaceNameFor(p.nic) : 'default';
  const out: string[] = [];
  if (p.nic) out.push(`iscsiadm -m iface -I ${iface} -o new`, `iscsiadm -m iface -I ${iface} -o update -n iface.net_ifacename -v ${p.nic}`);
  out.push(`iscsiadm -m node -T ${p.iqn} -p ${portalArg(p)} -I ${iface} -o new`);
  if (p.chapUser) {
    out.push(
      `iscsiadm -m node -T ${p.iqn} -p ${portalArg(p)} -I ${iface} -o update -n node.session.auth.authmethod -v CHAP`,
      `iscsiadm -m node -T ${p.iqn} -p ${portalArg(p)} -I ${iface} -o update -n node.session.auth.username -v ${p.chapUser}`,
      `iscsiadm -m node -T ${p.iqn} -p ${portalArg(p)} -I ${iface} -o update -n node.session.auth.password -v ${mask}`,
    );
  }
  out.push(`iscsiadm -m node -T ${p.iqn} -p ${portalArg(p)} -I ${iface} --login`);
  return out;
}

// ---------------------------------------------------------------- reference counting

/** One session on a host: who else needs it decides whether it may be logged out. */
export const pathKey = (p: { hostId: string; iqn: string; address: string; port: number; nic: string | null }) => `${p.hostId} ${p.iqn} ${p.address}:${p.port} ${p.nic ?? 'default'}`;

/**
 * Of the paths a change no longer wants, the ones that may really be logged out: those no other
 * user (another bond's applied paths, a storage domain, anything registered) still holds.
 */
export function releasable<P extends { hostId: string; iqn: string; address: string; port: number; nic: string | null }>(dropped: P[], stillHeld: Iterable<string>): { logout: P[]; kept: { path: P; by: string }[] } {
  const held = new Set(stillHeld);
  const logout: P[] = [];
  const kept: { path: P; by: string }[] = [];
  for (const p of dropped) {
    if (held.has(pathKey(p))) kept.push({ path: p, by: 'another user' });
    else logout.push(p);
  }
  return { logout, kept };
}

/** Holders per path key: counts each user once (several bonds sharing a connection). */
export function holders(users: { user: string; paths: { hostId: string; iqn: string; address: string; port: number; nic: string | null }[] }[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const u of users) {
    for (const p of u.paths) {
      const k = pathKey(p);
      const l = m.get(k) ?? [];
      if (!l.includes(u.user)) l.push(u.user);
      m.set(k, l);
    }
  }
  return m;
}

// ---------------------------------------------------------------- host state

/** A bond's path results on one host turned into the seed's host state, with the reason in words. */
export function hostState(hostName: string, cells: Pick<MatrixCell, 'networkId' | 'iqn' | 'portal' | 'nic' | 'state' | 'message'>[], networkName: (id: string | null) => string): { state: HostBondState; reason: string } {
  if (!cells.length) return { state: 'unknown', reason: `${hostName}: the bond has no connections yet` };
  if (cells.some((c) => c.state === 'checking')) return { state: 'unknown', reason: `${hostName}: checking` };
  const bad = (c: { state: string }) => c.state === 'failed' || c.state === 'missing';
  const viaDefault = cells.every((c) => c.networkId === null);
  const byTarget = new Map<string, typeof cells>();
  for (const c of cells) byTarget.set(c.iqn, [...(byTarget.get(c.iqn) ?? []), c]);
  const lost = [...byTarget].filter(([, cs]) => cs.every(bad));
  const what = (c: (typeof cells)[number]) => `${networkName(c.networkId)}${c.nic ? ` (${c.nic})` : ''} to ${c.portal}: ${c.message}`;
  if (lost.length) {
    const reasons = lost.flatMap(([iqn, cs]) => [`${iqn} unreachable`, ...cs.map(what)]).join('; ');
    return viaDefault
      ? { state: 'non-operational', reason: `${hostName} has none of the bond's networks and cannot reach the storage through its default network: ${reasons}` }
      : { state: 'non-operational', reason: `${hostName} has the bond's networks but connects through none of them: ${reasons}` };
  }
  if (viaDefault) return { state: 'default-network', reason: `${hostName} has none of the bond's networks: it connects through its default network` };
  const failed = cells.filter((c) => bad(c) || c.state === 'degraded');
  if (failed.length) return { state: 'degraded', reason: `${failed.length} of ${cells.length} paths down: ${failed.map(what).join('; ')}` };
  return { state: 'ok', reason: `all ${cells.length} paths up` };
}
