// A bond's apply plan: the paths the bond means now on every host of its data center (the rules'
// per-NIC expansion), diffed against the paths Portico's earlier jobs applied. New paths are
// connected (VDSM: one connectStorageServer per host; plain Linux: iface, node record, login),
// dropped paths are logged out unless another bond still holds them (reference count) or another
// feature says it needs them (the usage registry's path users: the hosted-engine agent's own
// sessions), and the record of applied paths is updated by a journaled operation, so a rollback
// restores it too.
import { PorticoError } from '../../../shared/contract-kit';
import { intendedPaths, iscsiadmCommands, pathKey, releasable, holders, vdsmExpansion, ifaceNameFor, type HostNic } from '../../../shared/domain/bond-rules';
import type { BondHostKind, BondView, VdsmConnectionEntry } from '../../../shared/domain/bond';
import type { Operation, Plan, PlanStep } from '../jobs/operation';
import type { HostRecord } from '../hosts/host-repo';
import { ZERO_UUID } from '../vdsm/api';
import { IFACE, LOGIN, LOGOUT, NODE, NODE_DELETE, RECORD } from './ops';
import type { AppliedPath, BondStore } from './store';
import type { PathUser, UsageRegistry } from '../usage';

export interface BondHosts {
  find(id: string): HostRecord | null;
}

export const hostKind = (h: Pick<HostRecord, 'roles'>): BondHostKind => (h.roles.includes('ovirt-host') ? 'vdsm' : 'linux');
export const canRunIscsiadm = (h: Pick<HostRecord, 'capabilities'>) => !!h.capabilities?.tools.iscsiadm;

export interface KeyedPath {
  key: string;
  path: AppliedPath;
}

export interface HostDesired {
  host: HostRecord;
  kind: BondHostKind;
  paths: KeyedPath[];
  /** The connectStorageServer entries (real passwords: only for plans, which mask them). */
  vdsm: VdsmConnectionEntry[];
}

/** The NICs of the bond's networks on one host, in the bond's network order. */
export function hostNics(store: BondStore, bond: Pick<BondView, 'networkIds'>, hostId: string): HostNic[] {
  const ifs = store.interfaces();
  return bond.networkIds.flatMap((id) => {
    const n = store.network(id);
    const i = ifs.find((x) => x.hostId === hostId && x.networkId === id);
    return n && i?.nic ? [{ network: n, nic: i.nic }] : [];
  });
}

/** What the bond means on every host of its data center now. */
export function desiredPaths(store: BondStore, hosts: BondHosts, bond: BondView): HostDesired[] {
  const dc = store.dataCenter(bond.dcId);
  if (!dc) throw new PorticoError('not-found', `The bond's data center no longer exists.`);
  const conns = bond.connectionIds.map((id) => store.connection(id)).filter((c) => c !== null);
  return dc.hostIds.flatMap((hostId) => {
    const host = hosts.find(hostId);
    if (!host) return [];
    const kind = hostKind(host);
    const nics = hostNics(store, bond, hostId);
    const withSecrets = conns.map((c) => ({ id: c.id, address: c.address, port: c.port, iqn: c.iqn, tpgt: c.tpgt, user: c.chap?.user ?? '', password: c.chap ? (store.chapSecret(c.id) ?? '') : '' }));
    const entries = vdsmExpansion(withSecrets, nics);
    const intended = intendedPaths(hostId, conns, nics);
    // Both walk the connections and their NICs in the same order: entry i is path i.
    if (entries.length !== intended.length) throw new Error('bond planner: expansion and intended paths disagree');
    const paths = intended.map((p, i): KeyedPath => {
      const c = conns.find((x) => x.id === p.connectionId)!;
      const path: AppliedPath = {
        hostId, networkId: p.networkId, connectionId: c.id, nic: p.nic, netIfaceName: entries[i].netIfaceName ?? null, iqn: c.iqn, address: c.address, port: c.port, tpgt: c.tpgt,
        vdsmId: entries[i].id, kind, chapUser: c.chap?.user ?? null,
      };
      return { key: pathKey(path), path };
    });
    return [{ host, kind, paths, vdsm: entries }];
  });
}

function vdsmEntryOf(p: AppliedPath, password: string): VdsmConnectionEntry {
  return {
    id: p.vdsmId, connection: p.address, port: String(p.port), iqn: p.iqn, tpgt: String(p.tpgt), user: p.chapUser ?? '', password,
    ...(p.nic ? { ifaceName: p.nic, netIfaceName: p.netIfaceName ?? p.nic } : {}),
  };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface BondPlanResult {
  plan: Plan;
  /** Per host, the commands a plain Linux host without iscsiadm would need (shown, not run). */
  shownOnly: { hostId: string; commands: string[] }[];
}

export interface PlanBondOptions {
  remove: boolean;
  /** Asked for every path the plan would log out; a path with a user stays logged in. */
  usage?: Pick<UsageRegistry, 'pathUsers'>;
}

export async function planBond(store: BondStore, hosts: BondHosts, bond: BondView, o: PlanBondOptions): Promise<BondPlanResult> {
  const desired = o.remove ? [] : desiredPaths(store, hosts, bond);
  const applied = store.applied(bond.id);
  const want = new Map(desired.flatMap((h) => h.paths.map((p) => [p.key, p] as const)));
  const have = new Map(
    applied.map(({ bondId: _b, ...p }) => [pathKey(p), { key: pathKey(p), path: p as AppliedPath }] as const),
  );
  const toAdd = [...want.values()].filter((p) => !have.has(p.key));
  const toDrop = [...have.values()].filter((p) => !want.has(p.key));
  // Reference count: other bonds' applied paths keep a session alive.
  const others = holders(
    [...new Set(store.applied().filter((a) => a.bondId !== bond.id).map((a) => a.bondId))].map((id) => ({
      user: `bond ${store.bond(id)?.name ?? id}`,
      paths: store.applied(id),
    })),
  );
  const rel = releasable(toDrop.map((d) => d.path), others.keys());
  // Other features' users of the paths no bond holds any more (asked in parallel; the checks cache per host).
  const usage = o.usage;
  const featureUsers = new Map<string, PathUser[]>(
    usage
      ? (await Promise.all(rel.logout.map(async (p) => [pathKey(p), await usage.pathUsers({ hostId: p.hostId, iqn: p.iqn, address: p.address, port: p.port })] as const))).filter(([, u]) => u.length)
      : [],
  );
  const logoutKeys = new Set(rel.logout.map((p) => pathKey(p)).filter((k) => !featureUsers.has(k)));
  // Paths the plan connects that another feature already holds (the hosted engine's): connected
  // again, never disconnected by the plan's undo, as for a path another bond holds.
  const heldByFeatures = new Set<string>(
    usage
      ? (await Promise.all(toAdd.map(async (p) => [p.key, (await usage.pathUsers({ hostId: p.path.hostId, iqn: p.path.iqn, address: p.path.address, port: p.path.port })).length] as const))).filter(([, n]) => n > 0).map(([k]) => k)
      : [],
  );

  const secrets = new Set<string>();
  const password = (p: AppliedPath) => {
    if (!p.chapUser) return '';
    const s = store.chapSecret(p.connectionId) ?? '';
    if (s) secrets.add(s);
    return s;
  };
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const dangers: string[] = [];
  const shownOnly: BondPlanResult['shownOnly'] = [];
  const hostIds = [...new Set([...toAdd, ...toDrop].map((p) => p.path.hostId))];
  const label = (id: string) => hosts.find(id)?.name ?? id;
  const describePath = (p: AppliedPath) => `${p.iqn} at ${p.address}:${p.port}${p.nic ? ` through ${p.nic}` : ' through the default route'}`;

  for (const hostId of hostIds) {
    const host = hosts.find(hostId);
    const adds = toAdd.filter((p) => p.path.hostId === hostId);
    const drops = toDrop.filter((p) => p.path.hostId === hostId);
    const logouts = drops.filter((p) => logoutKeys.has(p.key));
    for (const d of drops.filter((p) => !logoutKeys.has(p.key))) {
      const users = featureUsers.get(d.key) ?? [];
      const names = [...(others.get(d.key) ?? []), ...users.map((u) => u.description)];
      warnings.push(`${label(hostId)}: ${describePath(d.path)} stays logged in: ${names.join(', ')} still uses it.${users.map((u) => ` ${cap(u.fix)}.`).join('')}`);
    }
    const kind = host ? hostKind(host) : (drops[0]?.path.kind ?? 'linux');
    if (!host && adds.length) continue;
    if (kind === 'vdsm') {
      if (adds.length) {
        const entries = adds.map((p) => vdsmEntryOf(p.path, password(p.path)));
        // A path another bond (or the hosted engine) already holds is connected again (VDSM answers "session exists") but never disconnected by our undo.
        const preConnected = adds.flatMap((p, i) => (others.has(p.key) || heldByFeatures.has(p.key) ? [i] : []));
        steps.push({
          title: `Connect ${label(hostId)} to ${adds.length} path(s) through ${[...new Set(adds.map((a) => a.path.nic ?? 'the default route'))].join(', ')}`,
          ops: [{ kind: 'vdsm.connectStorageServer', host: hostId, params: { storagepoolID: ZERO_UUID, domainType: 3, connectionParams: entries, preConnected, activePaths: [], rereadVg: null } }],
        });
      }
      if (logouts.length) {
        steps.push({
          title: `Disconnect ${label(hostId)} from ${logouts.length} path(s) the bond no longer has`,
          ops: [{ kind: 'vdsm.disconnectStorageServer', host: hostId, params: { storagepoolID: ZERO_UUID, domainType: 3, connectionParams: logouts.map((p) => vdsmEntryOf(p.path, password(p.path))) } }],
        });
      }
    } else if (host && canRunIscsiadm(host)) {
      const ops: Operation[] = [];
      const ifaces = new Set<string>();
      for (const a of adds) {
        const iface = a.path.nic ? ifaceNameFor(a.path.nic) : 'default';
        if (a.path.nic && !ifaces.has(iface)) {
          ifaces.add(iface);
          ops.push({ kind: IFACE, host: hostId, params: { iface, nic: a.path.nic } });
        }
        const ref = { iqn: a.path.iqn, address: a.path.address, port: a.path.port, tpgt: a.path.tpgt, iface };
        ops.push({ kind: NODE, host: hostId, params: { ...ref, chapUser: a.path.chapUser, chapSecret: a.path.chapUser ? password(a.path) : null } });
        ops.push({ kind: LOGIN, host: hostId, params: ref });
      }
      if (ops.length) steps.push({ title: `Log ${label(hostId)} in to ${adds.length} path(s) with iscsiadm`, ops });
      const outs: Operation[] = [];
      for (const d of logouts) {
        const ref = { iqn: d.path.iqn, address: d.path.address, port: d.path.port, tpgt: d.path.tpgt, iface: d.path.nic ? ifaceNameFor(d.path.nic) : 'default' };
        outs.push({ kind: LOGOUT, host: hostId, params: ref }, { kind: NODE_DELETE, host: hostId, params: ref });
      }
      if (outs.length) steps.push({ title: `Log ${label(hostId)} out of ${logouts.length} path(s) the bond no longer has`, ops: outs });
    } else {
      const commands = [
        ...adds.flatMap((a) => iscsiadmCommands({ nic: a.path.nic, iqn: a.path.iqn, address: a.path.address, port: a.path.port, tpgt: a.path.tpgt, chapUser: a.path.chapUser })),
        ...logouts.map((d) => `iscsiadm -m node -T ${d.path.iqn} -p ${d.path.address}:${d.path.port},${d.path.tpgt} -I ${d.path.nic ?? 'default'} --logout`),
      ];
      shownOnly.push({ hostId, commands: [...new Set(commands)] });
      warnings.push(`${label(hostId)} has no iscsiadm (open-iscsi is not installed): its ${adds.length + logouts.length} change(s) are shown, not run; Portico records the intended paths and checks them with its own initiator.`);
    }
    if (logouts.length) dangers.push(`${label(hostId)} logs out of ${logouts.length} path(s) (${logouts.map((d) => describePath(d.path)).join('; ')}): fewer paths to the storage, and a LUN left with no path is lost to the VMs on ${label(hostId)}.`);
    steps.push({
      title: `Record ${label(hostId)}'s bond paths in Portico (+${adds.length} -${drops.length})`,
      ops: [{ kind: RECORD, host: hostId, params: { bondId: bond.id, add: adds, remove: drops } }],
    });
  }
  if (!steps.length) throw new PorticoError('no-changes', `Bond ${bond.name} is already applied on every host: nothing to connect or log out.`);
  return {
    plan: {
      kind: 'bond-apply',
      title: o.remove ? `Remove bond ${bond.name}'s paths` : `Apply bond ${bond.name}`,
      hostIds,
      lockKeys: [...hostIds.map((h) => `host:${h}`), `bond:${bond.id}`],
      steps,
      warnings,
      dangers,
      artifacts: shownOnly.map((s) => ({ name: `iscsiadm commands for ${label(s.hostId)} (not run)`, content: s.commands.join('\n') + '\n' })),
      secrets: [...secrets],
    },
    shownOnly,
  };
}
