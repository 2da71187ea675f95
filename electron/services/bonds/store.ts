// The bonds feature's own tables: data centers, logical networks, each host's NIC per network,
// iSCSI storage connections (CHAP secrets only as SecretStore names), bonds, and the paths
// Portico's jobs applied on hosts (what edits diff against and what the matrix expects).
import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import { migrateFeature } from '../db';
import type { SecretStore } from '../secrets';
import { inCidr, type BondView, type ConnectionView, type DataCenterView, type HostInterfaceView, type NetworkView } from '../../../shared/domain/bond';

const MIGRATIONS = [
  `CREATE TABLE bond_dcs (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL, host_ids TEXT NOT NULL);
   CREATE TABLE bond_networks (id TEXT PRIMARY KEY, dc_id TEXT NOT NULL REFERENCES bond_dcs(id) ON DELETE CASCADE, name TEXT NOT NULL, cidr TEXT NOT NULL,
     vlan INTEGER, required INTEGER NOT NULL, bridged INTEGER NOT NULL, UNIQUE (dc_id, name));
   CREATE TABLE bond_interfaces (host_id TEXT NOT NULL, network_id TEXT NOT NULL REFERENCES bond_networks(id) ON DELETE CASCADE, nic TEXT, address TEXT,
     source TEXT NOT NULL, PRIMARY KEY (host_id, network_id));
   CREATE TABLE bond_connections (id TEXT PRIMARY KEY, dc_id TEXT NOT NULL REFERENCES bond_dcs(id) ON DELETE CASCADE, iqn TEXT NOT NULL, address TEXT NOT NULL,
     port INTEGER NOT NULL, tpgt INTEGER NOT NULL, chap_user TEXT, server_id TEXT, UNIQUE (dc_id, iqn, address, port, tpgt));
   CREATE TABLE bonds (id TEXT PRIMARY KEY, dc_id TEXT NOT NULL REFERENCES bond_dcs(id) ON DELETE CASCADE, name TEXT NOT NULL, description TEXT NOT NULL,
     network_ids TEXT NOT NULL, connection_ids TEXT NOT NULL, UNIQUE (dc_id, name));
   CREATE TABLE bond_applied (bond_id TEXT NOT NULL, host_id TEXT NOT NULL, path_key TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (bond_id, path_key));`,
];

/** One path Portico connected for a bond on a host, with everything needed to log it out again. */
export interface AppliedPath {
  hostId: string;
  networkId: string | null;
  connectionId: string;
  nic: string | null;
  netIfaceName: string | null;
  iqn: string;
  address: string;
  port: number;
  tpgt: number;
  /** The connection id VDSM was given for this copy. */
  vdsmId: string;
  kind: 'vdsm' | 'linux';
  chapUser: string | null;
}

interface DcRow { id: string; name: string; description: string; host_ids: string }
interface NetRow { id: string; dc_id: string; name: string; cidr: string; vlan: number | null; required: number; bridged: number }
interface IfRow { host_id: string; network_id: string; nic: string | null; address: string | null; source: string }
interface ConnRow { id: string; dc_id: string; iqn: string; address: string; port: number; tpgt: number; chap_user: string | null; server_id: string | null }
interface BondRow { id: string; dc_id: string; name: string; description: string; network_ids: string; connection_ids: string }

export const chapSecretName = (connectionId: string) => `bonds/connection/${connectionId}/chap`;

export class BondStore {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
  ) {
    migrateFeature(db, 'bonds', MIGRATIONS);
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---------------------------------------------------------------- data centers
  dataCenters(): DataCenterView[] {
    return (this.db.prepare('SELECT * FROM bond_dcs ORDER BY name').all() as DcRow[]).map((r) => ({ id: r.id, name: r.name, description: r.description, hostIds: JSON.parse(r.host_ids) }));
  }
  dataCenter(id: string): DataCenterView | null {
    return this.dataCenters().find((d) => d.id === id) ?? null;
  }
  saveDataCenter(d: Omit<DataCenterView, 'id'> & { id?: string }): DataCenterView {
    const id = d.id ?? randomUUID();
    this.db
      .prepare('INSERT INTO bond_dcs (id, name, description, host_ids) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, host_ids = excluded.host_ids')
      .run(id, d.name, d.description, JSON.stringify(d.hostIds));
    return this.dataCenter(id)!;
  }
  deleteDataCenter(id: string): void {
    for (const c of this.connections().filter((x) => x.dcId === id)) this.secrets.delete(chapSecretName(c.id));
    const bondIds = this.bonds().filter((b) => b.dcId === id).map((b) => b.id);
    for (const b of bondIds) this.db.prepare('DELETE FROM bond_applied WHERE bond_id = ?').run(b);
    // Children first: foreign keys may be off on this connection.
    for (const t of ['bonds', 'bond_connections']) this.db.prepare(`DELETE FROM ${t} WHERE dc_id = ?`).run(id);
    for (const n of this.networks().filter((x) => x.dcId === id)) this.deleteNetwork(n.id);
    this.db.prepare('DELETE FROM bond_dcs WHERE id = ?').run(id);
  }

  // ---------------------------------------------------------------- networks
  networks(): NetworkView[] {
    return (this.db.prepare('SELECT * FROM bond_networks ORDER BY name').all() as NetRow[]).map((r) => ({ id: r.id, dcId: r.dc_id, name: r.name, cidr: r.cidr, vlan: r.vlan, required: !!r.required, bridged: !!r.bridged }));
  }
  network(id: string): NetworkView | null {
    return this.networks().find((n) => n.id === id) ?? null;
  }
  saveNetwork(n: Omit<NetworkView, 'id'> & { id?: string }): NetworkView {
    const id = n.id ?? randomUUID();
    this.db
      .prepare(
        'INSERT INTO bond_networks (id, dc_id, name, cidr, vlan, required, bridged) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT(id) DO UPDATE SET name = excluded.name, cidr = excluded.cidr, vlan = excluded.vlan, required = excluded.required, bridged = excluded.bridged',
      )
      .run(id, n.dcId, n.name, n.cidr, n.vlan, n.required ? 1 : 0, n.bridged ? 1 : 0);
    return this.network(id)!;
  }
  deleteNetwork(id: string): void {
    this.db.prepare('DELETE FROM bond_interfaces WHERE network_id = ?').run(id);
    this.db.prepare('DELETE FROM bond_networks WHERE id = ?').run(id);
  }

  // ---------------------------------------------------------------- interfaces
  interfaces(): HostInterfaceView[] {
    return (this.db.prepare('SELECT * FROM bond_interfaces ORDER BY host_id, network_id').all() as IfRow[]).map((r) => ({ hostId: r.host_id, networkId: r.network_id, nic: r.nic, address: r.address, source: r.source as HostInterfaceView['source'] }));
  }
  setInterface(i: HostInterfaceView): HostInterfaceView {
    this.db
      .prepare('INSERT INTO bond_interfaces (host_id, network_id, nic, address, source) VALUES (?, ?, ?, ?, ?) ON CONFLICT(host_id, network_id) DO UPDATE SET nic = excluded.nic, address = excluded.address, source = excluded.source')
      .run(i.hostId, i.networkId, i.nic, i.address, i.source);
    return this.interfaces().find((x) => x.hostId === i.hostId && x.networkId === i.networkId)!;
  }

  // ---------------------------------------------------------------- connections
  connections(): ConnectionView[] {
    const nets = this.networks();
    const bonds = this.bonds();
    return (this.db.prepare('SELECT * FROM bond_connections ORDER BY iqn, address').all() as ConnRow[]).map((r) => ({
      id: r.id,
      dcId: r.dc_id,
      iqn: r.iqn,
      address: r.address,
      port: r.port,
      tpgt: r.tpgt,
      chap: r.chap_user ? { user: r.chap_user } : null,
      serverId: r.server_id,
      networkId: nets.find((n) => n.dcId === r.dc_id && inCidr(r.address, n.cidr))?.id ?? null,
      usedBy: bonds.filter((b) => b.connectionIds.includes(r.id)).map((b) => `bond ${b.name}`),
    }));
  }
  connection(id: string): ConnectionView | null {
    return this.connections().find((c) => c.id === id) ?? null;
  }
  findConnection(dcId: string, c: { iqn: string; address: string; port: number; tpgt: number }): ConnectionView | null {
    return this.connections().find((x) => x.dcId === dcId && x.iqn === c.iqn && x.address === c.address && x.port === c.port && x.tpgt === c.tpgt) ?? null;
  }
  /** chap: undefined keeps the stored CHAP; null removes it; a user without secret keeps the stored secret. */
  saveConnection(c: { id?: string; dcId: string; iqn: string; address: string; port: number; tpgt: number; serverId: string | null; chap: { user: string; secret?: string } | null }): ConnectionView {
    const id = c.id ?? randomUUID();
    this.db
      .prepare(
        'INSERT INTO bond_connections (id, dc_id, iqn, address, port, tpgt, chap_user, server_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT(id) DO UPDATE SET iqn = excluded.iqn, address = excluded.address, port = excluded.port, tpgt = excluded.tpgt, chap_user = excluded.chap_user, server_id = excluded.server_id',
      )
      .run(id, c.dcId, c.iqn, c.address, c.port, c.tpgt, c.chap?.user ?? null, c.serverId);
    if (c.chap === null) this.secrets.delete(chapSecretName(id));
    else if (c.chap.secret !== undefined) this.secrets.set(chapSecretName(id), c.chap.secret);
    return this.connection(id)!;
  }
  chapSecret(connectionId: string): string | null {
    return this.secrets.get(chapSecretName(connectionId));
  }
  deleteConnection(id: string): void {
    this.secrets.delete(chapSecretName(id));
    this.db.prepare('DELETE FROM bond_connections WHERE id = ?').run(id);
  }

  // ---------------------------------------------------------------- bonds
  bonds(): BondView[] {
    const counts = new Map((this.db.prepare('SELECT bond_id, COUNT(*) AS n FROM bond_applied GROUP BY bond_id').all() as { bond_id: string; n: number }[]).map((r) => [r.bond_id, r.n]));
    return (this.db.prepare('SELECT * FROM bonds ORDER BY name').all() as BondRow[]).map((r) => ({
      id: r.id,
      dcId: r.dc_id,
      name: r.name,
      description: r.description,
      networkIds: JSON.parse(r.network_ids),
      connectionIds: JSON.parse(r.connection_ids),
      appliedPaths: counts.get(r.id) ?? 0,
    }));
  }
  bond(id: string): BondView | null {
    return this.bonds().find((b) => b.id === id) ?? null;
  }
  saveBond(b: { id?: string; dcId: string; name: string; description: string; networkIds: string[]; connectionIds: string[] }): BondView {
    const id = b.id ?? randomUUID();
    this.db
      .prepare(
        'INSERT INTO bonds (id, dc_id, name, description, network_ids, connection_ids) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, network_ids = excluded.network_ids, connection_ids = excluded.connection_ids',
      )
      .run(id, b.dcId, b.name, b.description, JSON.stringify(b.networkIds), JSON.stringify(b.connectionIds));
    return this.bond(id)!;
  }
  deleteBond(id: string): void {
    this.db.prepare('DELETE FROM bond_applied WHERE bond_id = ?').run(id);
    this.db.prepare('DELETE FROM bonds WHERE id = ?').run(id);
  }

  // ---------------------------------------------------------------- applied paths
  applied(bondId?: string): (AppliedPath & { bondId: string })[] {
    const rows = (bondId ? this.db.prepare('SELECT * FROM bond_applied WHERE bond_id = ?').all(bondId) : this.db.prepare('SELECT * FROM bond_applied').all()) as { bond_id: string; path: string }[];
    return rows.map((r) => ({ bondId: r.bond_id, ...(JSON.parse(r.path) as AppliedPath) }));
  }
  addApplied(bondId: string, key: string, p: AppliedPath): void {
    this.db.prepare('INSERT INTO bond_applied (bond_id, host_id, path_key, path) VALUES (?, ?, ?, ?) ON CONFLICT(bond_id, path_key) DO UPDATE SET path = excluded.path').run(bondId, p.hostId, key, JSON.stringify(p));
  }
  removeApplied(bondId: string, key: string): void {
    this.db.prepare('DELETE FROM bond_applied WHERE bond_id = ? AND path_key = ?').run(bondId, key);
  }
  hasApplied(bondId: string, key: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM bond_applied WHERE bond_id = ? AND path_key = ?').get(bondId, key);
  }
}
