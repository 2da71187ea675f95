// The bonds feature's calls over its store: CRUD with the rules (refusals name their fields),
// removal cascades that say what they take before doing it, interface discovery from the hosts'
// probed addresses, connection candidates from managed servers or discovery, placement, preview,
// plans and the REST export.
import { XMLBuilder } from 'fast-xml-parser';
import { PorticoError } from '../../../shared/contract-kit';
import { inCidr, type BondExport, type BondParsed, type BondPreview, type BondsOverview, type BondView, type CandidateConnection, type ConnectionView, type DataCenterView, type HostInterfaceView, type NetworkView, type PlacementResult, type RemoveResult } from '../../../shared/domain/bond';
import { connectionRemoval, dataCenterRemoval, iscsiadmCommands, networkRemoval, placement, validateBond, type BondWorld, type Problem } from '../../../shared/domain/bond-rules';
import { MASK, type PlanView } from '../../../shared/plan';
import type { Capabilities } from '../../../shared/domain/host';
import { discover } from '../iscsi/initiator';
import { IscsiError } from '../iscsi/errors';
import type { HostRecord } from '../hosts/host-repo';
import type { PlanRegistry } from '../jobs/registry';
import type { SshPool } from '../ssh/pool';
import { desiredPaths, hostKind, planBond } from './planner';
import type { BondStore } from './store';
import type { UsageRegistry } from '../usage';

export interface BondHostRepo {
  find(id: string): HostRecord | null;
  list(): HostRecord[];
}

function refuse(problems: Problem[]): never {
  const fields = Object.fromEntries(problems.map((p) => [p.field, p.message]));
  throw new PorticoError('invalid-input', problems.map((p) => p.message).join('\n'), problems[0].field, { fields, messages: problems.map((p) => p.message) });
}

const isHypervisor = (h: HostRecord) => h.roles.includes('hypervisor') || h.roles.includes('ovirt-host');

export class BondService {
  constructor(
    private readonly store: BondStore,
    private readonly hosts: BondHostRepo,
    private readonly plans: PlanRegistry,
    private readonly pool: Pick<SshPool, 'probe' | 'forwardOut'>,
    /** Other features' path users (the hosted-engine agent's sessions), asked before any logout. */
    private readonly usage?: Pick<UsageRegistry, 'pathUsers'>,
  ) {}

  private world(): BondWorld {
    return { bonds: this.store.bonds(), networks: this.store.networks(), connections: this.store.connections() };
  }

  private dc(id: string, field = 'dcId'): DataCenterView {
    const d = this.store.dataCenter(id);
    if (!d) throw new PorticoError('not-found', `${field}: no data center with id ${id}; reload the page`, field);
    return d;
  }

  bond(id: string, field = 'bondId'): BondView {
    const b = this.store.bond(id);
    if (!b) throw new PorticoError('not-found', `${field}: no bond with id ${id}; reload the page`, field);
    return b;
  }

  overview(): BondsOverview {
    return {
      dataCenters: this.store.dataCenters(),
      networks: this.store.networks(),
      interfaces: this.store.interfaces(),
      connections: this.store.connections(),
      bonds: this.store.bonds(),
      hosts: this.hosts.list().filter(isHypervisor).map((h) => ({ hostId: h.id, name: h.name, kind: hostKind(h) })),
    };
  }

  // ---------------------------------------------------------------- data centers
  saveDataCenter(i: { id?: string; name: string; description: string; hostIds: string[] }): DataCenterView {
    if (i.id) this.dc(i.id, 'id');
    const problems: Problem[] = [];
    if (this.store.dataCenters().some((d) => d.name === i.name && d.id !== i.id)) problems.push({ field: 'name', message: `name: a data center named ${i.name} exists already; choose another name` });
    const seen = new Set<string>();
    i.hostIds.forEach((id, n) => {
      const h = this.hosts.find(id);
      if (seen.has(id)) problems.push({ field: `hostIds.${n}`, message: `hostIds.${n}: ${h?.name ?? id} is listed twice` });
      else if (!h) problems.push({ field: `hostIds.${n}`, message: `hostIds.${n}: no host with id ${id} in the inventory` });
      else if (!isHypervisor(h)) problems.push({ field: `hostIds.${n}`, message: `hostIds.${n}: ${h.name} is not a hypervisor (give it the hypervisor or oVirt host role on the Hosts page)` });
      else {
        const other = this.store.dataCenters().find((d) => d.id !== i.id && d.hostIds.includes(id));
        if (other) problems.push({ field: `hostIds.${n}`, message: `hostIds.${n}: ${h.name} already belongs to data center ${other.name}; a host is in one data center` });
      }
      seen.add(id);
    });
    if (problems.length) refuse(problems);
    const d = this.store.saveDataCenter(i);
    this.fillInterfaces(d.id);
    return d;
  }

  removeDataCenter(id: string, confirm: boolean): RemoveResult {
    const d = this.dc(id, 'id');
    const c = dataCenterRemoval(id, d.name, this.world());
    const applied = c.deleted.map((b) => this.store.bond(b)!).filter((b) => b.appliedPaths > 0);
    const effects = [...c.effects, ...applied.map((b) => `bond ${b.name} still has ${b.appliedPaths} path(s) logged in on hosts: remove its paths first (Apply → remove paths)`)];
    if (!confirm) return { removed: false, effects };
    if (applied.length) throw new PorticoError('paths-applied', `Data center ${d.name} was not removed: ${applied.map((b) => `bond ${b.name} still has ${b.appliedPaths} path(s) logged in`).join('; ')}. Plan removing those paths first, so nothing is left logged in without a record.`, 'id');
    this.store.tx(() => this.store.deleteDataCenter(id));
    return { removed: true, effects };
  }

  // ---------------------------------------------------------------- networks
  saveNetwork(i: Omit<NetworkView, 'id'> & { id?: string }): NetworkView {
    this.dc(i.dcId);
    const old = i.id ? this.store.network(i.id) : null;
    if (i.id && !old) throw new PorticoError('not-found', `id: no network with id ${i.id}; reload the page`, 'id');
    if (old && old.dcId !== i.dcId) throw new PorticoError('invalid-input', 'dcId: a network cannot move to another data center; remove it and add it there', 'dcId');
    if (this.store.networks().some((n) => n.dcId === i.dcId && n.name === i.name && n.id !== i.id)) refuse([{ field: 'name', message: `name: the data center already has a network named ${i.name}` }]);
    // Engine rule: a network in a bond cannot become required.
    if (i.required && old) {
      const users = this.store.bonds().filter((b) => b.networkIds.includes(old.id));
      if (users.length) refuse([{ field: 'required', message: `required: ${old.name} is part of bond(s) ${users.map((b) => b.name).join(', ')}, and a required network cannot be part of an iSCSI bond; take it out of the bond(s) first` }]);
    }
    const n = this.store.saveNetwork(i);
    this.fillInterfaces(i.dcId);
    return n;
  }

  removeNetwork(id: string, confirm: boolean): RemoveResult {
    const n = this.store.network(id);
    if (!n) throw new PorticoError('not-found', `id: no network with id ${id}; reload the page`, 'id');
    const c = networkRemoval(id, this.world());
    const logouts = this.store.applied().filter((a) => a.networkId === id);
    const byBond = [...new Set(logouts.map((a) => a.bondId))];
    const effects = [...c.effects, ...byBond.map((b) => `bond ${this.store.bond(b)?.name ?? b}: its ${logouts.filter((a) => a.bondId === b).length} path(s) on ${n.name} are logged out when you apply the bond next (review the plan)`)];
    if (c.deleted.some((b) => (this.store.bond(b)?.appliedPaths ?? 0) > 0)) {
      const names = c.deleted.map((b) => this.store.bond(b)!).filter((b) => b.appliedPaths > 0).map((b) => b.name);
      effects.push(`bond(s) ${names.join(', ')} would be deleted with paths still logged in: remove their paths first`);
      if (confirm) throw new PorticoError('paths-applied', `Network ${n.name} was not removed: it is the only network of bond(s) ${names.join(', ')}, which still have paths logged in on hosts. Remove those bonds' paths first.`, 'id');
    }
    if (!confirm) return { removed: false, effects };
    this.store.tx(() => {
      for (const u of c.updated) {
        const b = this.store.bond(u.id)!;
        this.store.saveBond({ ...b, networkIds: u.networkIds, connectionIds: u.connectionIds });
      }
      for (const b of c.deleted) this.store.deleteBond(b);
      this.store.deleteNetwork(id);
    });
    return { removed: true, effects };
  }

  // ---------------------------------------------------------------- interfaces
  /** Fills each network's NIC on each host of the data center from the probed addresses; manual entries stay. */
  fillInterfaces(dcId: string, caps?: Map<string, Capabilities | null>): HostInterfaceView[] {
    const d = this.dc(dcId);
    const nets = this.store.networks().filter((n) => n.dcId === dcId);
    const existing = this.store.interfaces();
    this.store.tx(() => {
      for (const hostId of d.hostIds) {
        const c = caps?.get(hostId) ?? this.hosts.find(hostId)?.capabilities ?? null;
        for (const n of nets) {
          const cur = existing.find((x) => x.hostId === hostId && x.networkId === n.id);
          if (cur?.source === 'manual') continue;
          if (!c) {
            if (!cur) this.store.setInterface({ hostId, networkId: n.id, nic: null, address: null, source: 'discovered' });
            continue;
          }
          const hit = c.interfaces.flatMap((i) => i.addresses.filter((a) => a.family === 'inet' && inCidr(a.address, n.cidr)).map((a) => ({ nic: i.name, address: a.address }))).at(0);
          this.store.setInterface({ hostId, networkId: n.id, nic: hit?.nic ?? null, address: hit?.address ?? null, source: 'discovered' });
        }
      }
    });
    return this.store.interfaces().filter((i) => d.hostIds.includes(i.hostId) && nets.some((n) => n.id === i.networkId));
  }

  async discoverInterfaces(dcId: string): Promise<HostInterfaceView[]> {
    const d = this.dc(dcId);
    const caps = new Map<string, Capabilities | null>();
    await Promise.all(d.hostIds.map(async (h) => caps.set(h, await this.pool.probe(h, { refresh: true }).catch(() => null))));
    return this.fillInterfaces(dcId, caps);
  }

  setInterface(i: { hostId: string; networkId: string; nic: string | null }): HostInterfaceView {
    const n = this.store.network(i.networkId);
    if (!n) throw new PorticoError('not-found', `networkId: no network with id ${i.networkId}`, 'networkId');
    const d = this.dc(n.dcId);
    if (!d.hostIds.includes(i.hostId)) throw new PorticoError('invalid-input', `hostId: the host is not in data center ${d.name}; add it to the data center first`, 'hostId');
    const caps = this.hosts.find(i.hostId)?.capabilities;
    const nic = i.nic ? caps?.interfaces.find((x) => x.name === i.nic) : undefined;
    const address = nic?.addresses.find((a) => a.family === 'inet' && inCidr(a.address, n.cidr))?.address ?? null;
    return this.store.setInterface({ hostId: i.hostId, networkId: i.networkId, nic: i.nic, address, source: 'manual' });
  }

  // ---------------------------------------------------------------- connections
  async candidates(dcId: string, source: { kind: 'managed'; serverId: string } | { kind: 'discovery'; address: string; port: number; via?: string }): Promise<CandidateConnection[]> {
    this.dc(dcId);
    const nets = this.store.networks().filter((n) => n.dcId === dcId);
    let portals: { address: string; port: number; via?: string }[];
    let serverId: string | null = null;
    if (source.kind === 'managed') {
      const s = this.hosts.find(source.serverId);
      if (!s || !s.roles.includes('storage')) throw new PorticoError('not-found', 'source.serverId: not a storage server of the inventory', 'source.serverId');
      serverId = s.id;
      // The server's own addresses on the data center's networks are its portals (tgt listens on them);
      // discovery runs from the server itself, so every network it serves is reachable.
      const caps = await this.pool.probe(s.id).catch(() => s.capabilities);
      const addrs = (caps?.interfaces ?? []).flatMap((i) => i.addresses.filter((a) => a.family === 'inet' && !a.address.startsWith('127.')).map((a) => a.address));
      const inNets = addrs.filter((a) => nets.some((n) => inCidr(a, n.cidr)));
      portals = (inNets.length ? inNets : addrs).map((address) => ({ address, port: 3260, via: s.id }));
    } else {
      portals = [{ address: source.address, port: source.port, via: source.via }];
    }
    const out = new Map<string, CandidateConnection>();
    const errors: string[] = [];
    await Promise.all(
      portals.map(async (p) => {
        try {
          const r = await discover({ portal: p, connect: p.via ? () => this.pool.forwardOut(p.via!, p.address, p.port) : undefined, timeoutMs: 5000 });
          for (const t of r.targets) {
            for (const tp of t.portals) {
              const key = `${t.targetName} ${tp.address}:${tp.port},${tp.tpgt}`;
              if (out.has(key)) continue;
              const existing = this.store.findConnection(dcId, { iqn: t.targetName, address: tp.address, port: tp.port, tpgt: tp.tpgt });
              out.set(key, { iqn: t.targetName, address: tp.address, port: tp.port, tpgt: tp.tpgt, serverId, networkId: nets.find((n) => inCidr(tp.address, n.cidr))?.id ?? null, existingId: existing?.id ?? null });
            }
          }
        } catch (e) {
          errors.push(`${p.address}:${p.port}: ${e instanceof IscsiError || e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
    if (!out.size && errors.length) throw new PorticoError('iscsi-discovery', `Discovery found no target: ${errors.join('; ')}`, source.kind === 'managed' ? 'source.serverId' : 'source.address');
    return [...out.values()].sort((a, b) => a.iqn.localeCompare(b.iqn) || a.address.localeCompare(b.address));
  }

  saveConnection(i: { id?: string; dcId: string; iqn: string; address: string; port: number; tpgt: number; chap: { user: string; secret?: string } | null; serverId: string | null }): ConnectionView {
    this.dc(i.dcId);
    const old = i.id ? this.store.connection(i.id) : null;
    if (i.id && !old) throw new PorticoError('not-found', `id: no connection with id ${i.id}`, 'id');
    const dup = this.store.findConnection(i.dcId, i);
    if (dup && dup.id !== i.id) refuse([{ field: 'iqn', message: `iqn: ${i.iqn} at ${i.address}:${i.port} (TPGT ${i.tpgt}) is already a connection of this data center` }]);
    if (i.chap && i.chap.secret === undefined && !(old?.chap && this.store.chapSecret(old.id))) refuse([{ field: 'chap.secret', message: 'chap.secret: enter the CHAP secret (none is stored for this connection yet)' }]);
    if (i.serverId && !this.hosts.find(i.serverId)) refuse([{ field: 'serverId', message: 'serverId: no such storage server in the inventory' }]);
    return this.store.saveConnection(i);
  }

  removeConnection(id: string, confirm: boolean): RemoveResult {
    const c = this.store.connection(id);
    if (!c) throw new PorticoError('not-found', `id: no connection with id ${id}`, 'id');
    const cas = connectionRemoval(id, this.world());
    const applied = this.store.applied().filter((a) => a.connectionId === id);
    const effects = [...cas.effects, ...(applied.length ? [`${applied.length} path(s) to it stay logged in until you apply the bond(s) again (the plan logs them out)`] : [])];
    if (!confirm) return { removed: false, effects };
    this.store.tx(() => {
      for (const u of cas.updated) this.store.saveBond({ ...this.store.bond(u.id)!, connectionIds: u.connectionIds });
      this.store.deleteConnection(id);
    });
    return { removed: true, effects };
  }

  // ---------------------------------------------------------------- bonds
  placement(dcId: string, networkIds: string[]): PlacementResult {
    const d = this.dc(dcId);
    const nets = networkIds.map((id) => this.store.network(id)).filter((n) => n !== null);
    const problems = validateBond({ dcId, name: 'x', networkIds, connectionIds: [] }, this.world()).filter((p) => p.field.startsWith('networkIds'));
    const hosts = d.hostIds.flatMap((id) => {
      const h = this.hosts.find(id);
      return h ? [{ hostId: h.id, name: h.name, kind: hostKind(h) }] : [];
    });
    return { ...placement(hosts, nets, this.store.interfaces()), problems };
  }

  preview(b: BondParsed): BondPreview {
    this.dc(b.dcId);
    const problems = validateBond(b, this.world());
    const pl = this.placement(b.dcId, b.networkIds);
    const draft: BondView = { id: b.id ?? 'draft', dcId: b.dcId, name: b.name, description: b.description, networkIds: b.networkIds, connectionIds: b.connectionIds.filter((id) => this.store.connection(id)), appliedPaths: 0 };
    const hosts = desiredPaths(this.store, this.hosts, draft).map((h) => ({
      hostId: h.host.id,
      name: h.host.name,
      kind: h.kind,
      paths: h.paths.map((p) => ({ hostId: p.path.hostId, networkId: p.path.networkId, connectionId: p.path.connectionId, nic: p.path.nic })),
      vdsm: h.kind === 'vdsm' ? h.vdsm.map((e) => ({ ...e, password: e.password ? MASK : '' })) : [],
      commands: h.kind === 'linux' ? [...new Set(h.paths.flatMap((p) => iscsiadmCommands({ nic: p.path.nic, iqn: p.path.iqn, address: p.path.address, port: p.path.port, tpgt: p.path.tpgt, chapUser: p.path.chapUser })))] : [],
    }));
    return { problems, placement: pl, hosts };
  }

  save(b: BondParsed): BondView {
    this.dc(b.dcId);
    const old = b.id ? this.bond(b.id, 'id') : null;
    if (old && old.dcId !== b.dcId) refuse([{ field: 'dcId', message: 'dcId: a bond cannot move to another data center' }]);
    const problems = validateBond(b, this.world());
    if (problems.length) refuse(problems);
    return this.store.saveBond({ ...b, name: b.name.trim() });
  }

  remove(id: string, confirm: boolean): RemoveResult {
    const b = this.bond(id, 'id');
    const effects = [`bond ${b.name} is deleted from Portico`, ...(b.appliedPaths ? [`${b.appliedPaths} path(s) are still logged in on hosts: plan removing them first`] : [])];
    if (!confirm) return { removed: false, effects };
    if (b.appliedPaths) throw new PorticoError('paths-applied', `Bond ${b.name} was not deleted: ${b.appliedPaths} path(s) are still logged in on hosts. Plan removing its paths (apply with remove), then delete it.`, 'id');
    this.store.deleteBond(id);
    return { removed: true, effects };
  }

  async planApply(bondId: string, remove: boolean): Promise<PlanView> {
    const b = this.bond(bondId);
    if (!remove) {
      const problems = validateBond(b, this.world());
      if (problems.length) refuse(problems);
    }
    return this.plans.register((await planBond(this.store, this.hosts, b, { remove, usage: this.usage })).plan);
  }

  export(bondId: string): BondExport {
    const b = this.bond(bondId);
    const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: ' ', suppressEmptyNode: true });
    const body = xml.build({
      iscsi_bond: {
        name: b.name,
        ...(b.description ? { description: b.description } : {}),
        storage_connections: { storage_connection: b.connectionIds.map((id) => ({ '@_id': id })) },
        networks: { network: b.networkIds.map((id) => ({ '@_id': id })) },
      },
    }) as string;
    return { method: 'POST', path: `/api/datacenters/${b.dcId}/iscsibonds`, contentType: 'application/xml', body };
  }
}
