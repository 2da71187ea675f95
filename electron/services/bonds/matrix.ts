// A bond's path matrix: hosts x (network, target). The cells are the paths the bond means now plus
// the paths Portico applied earlier (a recorded path no longer meant, e.g. its NIC vanished after a
// reboot, is "missing", not silently absent). All cells are checked at once; a refresh asked while
// one runs joins it; host states come from the rules; each result goes to the path-health store.
import { hostState } from '../../../shared/domain/bond-rules';
import { pathKey } from '../../../shared/domain/bond-rules';
import type { BondView, MatrixCell, MatrixLun, MatrixView } from '../../../shared/domain/bond';
import type { PathHealthStore } from '../path-health';
import { checkCells, type CellChecker, type CellSpec } from './path-check';
import { desiredPaths, type BondHosts, type KeyedPath } from './planner';
import type { BondStore } from './store';

export const DEFAULT_CELL_TIMEOUT_MS = 5000;

/**
 * Which netdev the host's kernel routes each address out of (`ip route get`), per host. The check's
 * TCP stream is opened by sshd, which cannot bind to the bonded NIC (see path-check.ts), so the
 * matrix asks the routing table whether the path really leaves through the NIC it means.
 */
export type RouteProbe = (hostId: string, addresses: string[]) => Promise<Map<string, string | null>>;
export const DEFAULT_CONCURRENCY = 64;

export class MatrixService {
  private readonly running = new Map<string, Promise<MatrixView>>();
  private readonly last = new Map<string, MatrixView>();

  constructor(
    private readonly store: BondStore,
    private readonly hosts: BondHosts,
    private readonly check: CellChecker,
    private readonly paths: PathHealthStore,
    private readonly o: { concurrency?: number; routes?: RouteProbe } = {},
  ) {}

  /** The last result (or an unchecked matrix of intended cells); refresh: check now, joining a running check. */
  async matrix(bond: BondView, o: { refresh: boolean; timeoutMs?: number }): Promise<MatrixView> {
    const run = this.running.get(bond.id);
    if (run) return o.refresh ? run : { ...(this.last.get(bond.id) ?? this.skeleton(bond)), running: true };
    if (!o.refresh && this.last.has(bond.id)) return this.last.get(bond.id)!;
    if (!o.refresh) return this.skeleton(bond);
    const p = this.refresh(bond, o.timeoutMs ?? DEFAULT_CELL_TIMEOUT_MS).finally(() => this.running.delete(bond.id));
    this.running.set(bond.id, p);
    return p;
  }

  forget(bondId: string): void {
    this.last.delete(bondId);
    this.paths.forget(`bond:${bondId}`);
  }

  private networkName = (id: string | null) => (id ? (this.store.network(id)?.name ?? id) : 'default network');

  /** Intended cells: meant now, plus recorded ones no longer meant (missing). */
  private intended(bond: BondView): { specs: CellSpec[]; missing: { path: KeyedPath; why: string }[] } {
    const desired = desiredPaths(this.store, this.hosts, bond);
    const want = new Set(desired.flatMap((h) => h.paths.map((p) => p.key)));
    const specs: CellSpec[] = desired.flatMap((h) =>
      h.paths.map((p) => {
        const conn = this.store.connection(p.path.connectionId);
        const secret = conn?.chap ? this.store.chapSecret(conn.id) : null;
        return {
          hostId: h.host.id, hostName: h.host.name, networkId: p.path.networkId, networkName: this.networkName(p.path.networkId), connectionId: p.path.connectionId,
          iqn: p.path.iqn, address: p.path.address, port: p.path.port, tpgt: p.path.tpgt, nic: p.path.nic,
          chap: conn?.chap && secret ? { user: conn.chap.user, secret } : null,
          bridge: p.path.netIfaceName !== p.path.nic ? p.path.netIfaceName : null,
          initiatorName: h.host.capabilities?.initiatorName ?? null,
        };
      }),
    );
    const missing = this.store
      .applied(bond.id)
      .filter((a) => !want.has(pathKey(a)))
      .map((a) => {
        const host = this.hosts.find(a.hostId);
        const why = !host
          ? 'the host is no longer in the inventory'
          : a.nic && a.networkId
            ? `${a.nic} no longer carries ${this.networkName(a.networkId)} on ${host.name} (after a reboot or a NIC change?): probe the host, fix its interface, or apply the bond to log the path out`
            : 'the bond no longer means this path: apply the bond to log it out';
        return { path: { key: pathKey(a), path: a }, why };
      });
    return { specs, missing };
  }

  private skeleton(bond: BondView): MatrixView {
    const { specs, missing } = this.intended(bond);
    const cells: MatrixCell[] = [
      ...specs.map((s): MatrixCell => ({ ...this.ids(s), state: 'checking', tcp: false, login: false, luns: [], message: 'not checked yet', elapsedMs: 0 })),
      ...missing.map((m) => this.missingCell(m)),
    ];
    return this.view(bond, cells, null, false, null);
  }

  private ids(s: CellSpec) {
    return { hostId: s.hostId, networkId: s.networkId, connectionId: s.connectionId, iqn: s.iqn, portal: s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`, nic: s.nic };
  }

  private missingCell(m: { path: KeyedPath; why: string }): MatrixCell {
    const p = m.path.path;
    return { hostId: p.hostId, networkId: p.networkId, connectionId: p.connectionId, iqn: p.iqn, portal: `${p.address}:${p.port}`, nic: p.nic, state: 'missing', tcp: false, login: false, luns: [], message: `missing: ${m.why}`, elapsedMs: 0 };
  }

  private async refresh(bond: BondView, timeoutMs: number): Promise<MatrixView> {
    const started = performance.now();
    const { specs, missing } = this.intended(bond);
    const routes = this.routeTable(specs);
    const results = await checkCells(specs, this.check, { concurrency: this.o.concurrency ?? DEFAULT_CONCURRENCY, timeoutMs });
    const table = await routes;
    const cells: MatrixCell[] = [...specs.map((s, i) => this.routed(s, { ...this.ids(s), ...results[i] }, table.get(s.hostId))), ...missing.map((m) => this.missingCell(m))];
    const at = new Date().toISOString();
    const v = this.view(bond, cells, at, false, Math.round(performance.now() - started));
    this.last.set(bond.id, v);
    this.paths.record(
      `bond:${bond.id}`,
      cells.map((c) => ({ fromHostId: c.hostId, portal: c.portal, iqn: c.iqn, network: this.networkName(c.networkId), state: c.state === 'ok' ? 'ok' : 'failed', message: c.message })),
      at,
    );
    return v;
  }

  /** One `ip route get` round per host, alongside the checks; a host that cannot answer is left unannotated. */
  private async routeTable(specs: CellSpec[]): Promise<Map<string, Map<string, string | null>>> {
    const out = new Map<string, Map<string, string | null>>();
    if (!this.o.routes) return out;
    const byHost = new Map<string, Set<string>>();
    for (const s of specs) if (s.nic) byHost.set(s.hostId, (byHost.get(s.hostId) ?? new Set()).add(s.address));
    await Promise.all([...byHost].map(async ([h, addrs]) => out.set(h, await this.o.routes!(h, [...addrs]).catch(() => new Map<string, string | null>()))));
    return out;
  }

  /** A path that logs in but leaves the host through another netdev than its bonded NIC is not the path the bond means. */
  private routed(s: CellSpec, c: MatrixCell, routes: Map<string, string | null> | undefined): MatrixCell {
    const dev = routes?.get(s.address);
    if (!s.nic || !dev || dev === s.nic || (s.bridge && dev === s.bridge)) return c;
    const note = `${s.hostName} routes ${s.address} out of ${dev}, not ${s.nic}: this path does not use the bonded NIC (give ${s.networkName} its own subnet or fix the host's routes)`;
    return c.state === 'ok' ? { ...c, state: 'degraded', message: `${c.message}; but ${note}` } : { ...c, message: `${c.message}; ${note}` };
  }

  private view(bond: BondView, cells: MatrixCell[], at: string | null, running: boolean, elapsedMs: number | null): MatrixView {
    const dc = this.store.dataCenter(bond.dcId);
    const hostIds = [...new Set([...(dc?.hostIds ?? []), ...cells.map((c) => c.hostId)])];
    const hosts = hostIds.map((id) => {
      const name = this.hosts.find(id)?.name ?? id;
      return { hostId: id, name, ...hostState(name, cells.filter((c) => c.hostId === id), this.networkName) };
    });
    const netIds = [...new Set(cells.map((c) => c.networkId))];
    const orderedNets = [...bond.networkIds.filter((id) => netIds.includes(id)), ...netIds.filter((id) => id === null || !bond.networkIds.includes(id))];
    return { bondId: bond.id, at, running, networks: orderedNets.map((id) => ({ id, name: this.networkName(id) })), cells, hosts, luns: lunPaths(cells), elapsedMs };
  }
}

/** Per LUN GUID and host: the paths that should reach it (every cell of its target) and the ones that do. */
export function lunPaths(cells: MatrixCell[]): MatrixLun[] {
  const byGuid = new Map<string, Set<string>>();
  for (const c of cells) for (const l of c.luns) if (l.guid) byGuid.set(l.guid, (byGuid.get(l.guid) ?? new Set()).add(c.iqn));
  return [...byGuid].map(([guid, iqns]) => {
    const hostIds = [...new Set(cells.map((c) => c.hostId))];
    return {
      guid,
      perHost: hostIds.map((hostId) => {
        const mine = cells.filter((c) => c.hostId === hostId && iqns.has(c.iqn));
        return { hostId, expected: mine.length, seen: mine.filter((c) => c.luns.some((l) => l.guid === guid)).length };
      }),
    };
  });
}
