// Targets on a storage server: live view, per-server settings (storage folder, base IQN), and the
// plans of every target wizard, registered for review. The tgt planners live in ./tgt; every
// plan* method takes its call's parsed input (the schema's output: sizes already in bytes).
import { PorticoError } from '../../../shared/contract-kit';
import type { PlanView } from '../../../shared/plan';
import { PLACEHOLDER_AUTHORITY, type TargetSpec } from '../../../shared/domain/target';
import type { Db } from '../db';
import type { HostRepo } from '../hosts/host-repo';
import type { PlanRegistry } from '../jobs/registry';
import type { SshPool } from '../ssh/pool';
import { TgtDriver } from './tgt/driver';
import type { Plan } from '../jobs/operation';
import type { OperationRegistry } from '../jobs/kinds';
import { planAccessEdit, planLunAdd, planReconcile, planTargetCreate, planTargetDelete, type AccessEditSpec, type LunAddSpec, type TargetDeleteSpec, type TgtServerContext } from './tgt/planner';
import { tgtOperationKinds } from './tgt/ops';
import { tgtCheckKinds } from './tgt/checks';
import { readTargetsView } from './tgt/view';
import type { ChapAccount } from './tgt/conf';
import { inspect } from '../iscsi/initiator';
import type { LunRef, UsageRegistry } from '../usage';

export interface TgtSettings {
  storageDir: string;
  baseIqn: string;
}

export const DEFAULT_STORAGE_DIR = '/var/lib/portico/storage';

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** Top-level names no site owns on the Internet (mDNS, home routers, RFC 6761/6762): no naming authority. */
const PRIVATE_TLDS = new Set(['local', 'localdomain', 'localhost', 'lan', 'home', 'internal', 'intranet', 'corp', 'arpa', 'invalid']);

/**
 * The reversed DNS domain of a host name, as RFC 3720 writes a naming authority
 * (stor1.example.com -> com.example), or null when the name is an address, has no domain of at
 * least two labels, or ends in a private top-level name.
 */
export function reversedDomain(hostName: string): string | null {
  const n = hostName.trim().toLowerCase().replace(/\.$/, '');
  if (n.includes(':') || /^\d+(\.\d+){3}$/.test(n)) return null;
  const labels = n.split('.');
  if (labels.length < 3 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) return null;
  if (PRIVATE_TLDS.has(labels.at(-1)!)) return null;
  return labels.slice(1).reverse().join('.');
}

/**
 * A base IQN proposal: iqn.<year-month>.<the server's domain, reversed>:<server name>, e.g.
 * iqn.2026-12.com.example:stor1 for stor1.example.com. The domain comes from the host's address
 * (a DNS name) or its name; without one, the clearly marked placeholder authority
 * (invalid.set-your-domain) that the settings ask the admin to replace. The server name goes after
 * the colon: before it RFC 3720 puts only the naming authority, a domain the organisation owns;
 * what follows is the owner's own namespace, where a host name belongs (and stays valid if the
 * host is renamed in DNS). Target IQNs then read iqn.2026-12.com.example:stor1:xenserver.
 */
export function defaultBaseIqn(server: { name: string; address: string }, now = new Date()): string {
  const first = reversedDomain(server.name) !== null ? server.name.trim().split('.')[0] : server.name;
  const label = first.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'server';
  const authority = reversedDomain(server.address) ?? reversedDomain(server.name) ?? PLACEHOLDER_AUTHORITY;
  return `iqn.${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}.${authority}:${label}`;
}

export class TargetService {
  constructor(
    private readonly db: Db,
    private readonly hosts: HostRepo,
    private readonly pool: SshPool,
    private readonly plans: PlanRegistry,
    readonly usage?: UsageRegistry,
  ) {}

  settings(serverId: string): TgtSettings {
    const h = this.hosts.get(serverId);
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(`tgt:${serverId}`) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as TgtSettings) : { storageDir: DEFAULT_STORAGE_DIR, baseIqn: defaultBaseIqn(h) };
  }

  setSettings(serverId: string, s: TgtSettings): TgtSettings {
    this.hosts.get(serverId);
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(`tgt:${serverId}`, JSON.stringify(s));
    return s;
  }

  private storageServer(serverId: string) {
    const h = this.hosts.get(serverId);
    if (!h.roles.includes('storage')) throw new PorticoError('wrong-role', `${h.name} is not marked as a storage server: edit the host and add the role "Storage server".`, 'serverId');
    return h;
  }

  driver(serverId: string): TgtDriver {
    const h = this.storageServer(serverId);
    return new TgtDriver({ runner: this.pool.runner(serverId), sudo: h.sudo && h.user !== 'root', storageDir: this.settings(serverId).storageDir });
  }

  /** Adds the tgt operation and check kinds, resolving a host id to its driver through this service. */
  registerKinds(kinds: OperationRegistry): void {
    const hosts = { driver: (hostId: string) => this.driver(hostId) };
    kinds.add(...tgtOperationKinds(hosts).all);
    const usage = this.usage;
    kinds.addChecks(...tgtCheckKinds({ ...hosts, login: (hostId, p) => this.verifyFromWorkstation(hostId, p), ...(usage ? { usage: (ref) => usage.lunUsers(ref) } : {}) }).all);
  }

  ctx(serverId: string): TgtServerContext {
    const usage = this.usage;
    return { serverId, driver: this.driver(serverId), verifyLogin: true, ...(usage ? { usage: (ref: LunRef) => usage.lunUsers(ref) } : {}) };
  }

  /**
   * Logs in from the workstation to each portal tgtd listens on until one answers. When the
   * target admits only named initiators, it logs in as the first of them (always with a fresh ISID,
   * so no real session of that host is disturbed) and says so.
   */
  async verifyFromWorkstation(serverId: string, p: { iqn: string; chap?: ChapAccount; mutual?: ChapAccount }) {
    const hostAddress = this.hosts.get(serverId).address;
    const driver = this.driver(serverId);
    const state = await driver.readState();
    const target = state.targets.find((t) => t.iqn === p.iqn);
    const asName = target && target.aclNames.length && !target.aclAddresses.includes('ALL') ? target.aclNames[0] : undefined;
    const portals = state.portals.map((x) => ({ address: x.address === '0.0.0.0' || x.address === '::' ? hostAddress : x.address, port: x.port }));
    const chap = p.chap ? { user: p.chap.user, secret: p.chap.password, mutual: p.mutual ? { user: p.mutual.user, secret: p.mutual.password } : undefined } : undefined;
    // Every portal at once, the first login wins: a portal on a network the workstation cannot reach costs no wait.
    const tried: string[] = portals.map(() => '');
    const attempt = async (portal: (typeof portals)[number], i: number) => {
      try {
        const r = await inspect({ portal, target: p.iqn, chap, initiatorName: asName, timeoutMs: 3000 });
        return { portal: r.portal, initiatorName: r.initiatorName, asHost: !!asName, luns: r.luns.filter((l) => l.deviceType === 0).map((l) => ({ lun: l.lun, sizeBytes: l.sizeBytes ?? null, vendor: l.vendor, product: l.product, serial: l.serial ?? null, guid: l.guid ?? null })) };
      } catch (e) {
        tried[i] = `${portal.address}:${portal.port}: ${e instanceof Error ? e.message : String(e)}`;
        throw e;
      }
    };
    if (portals.length) {
      try {
        return await Promise.any(portals.map(attempt));
      } catch {
        // every portal refused or was unreachable: said below
      }
    }
    return { error: `No portal of this server accepted a login from the workstation (${tried.filter(Boolean).join('; ') || 'tgtd has no portals'}).` };
  }

  async view(serverId: string) {
    const v = await readTargetsView(this.driver(serverId));
    return { ...v, settings: this.settings(serverId) };
  }

  private async register(p: Promise<Plan>): Promise<PlanView> {
    return this.plans.register(await p);
  }

  planCreate(input: TargetSpec) {
    return this.register(planTargetCreate(this.ctx(input.serverId), input));
  }
  planLunAdd(input: LunAddSpec) {
    return this.register(planLunAdd(this.ctx(input.serverId), input));
  }
  planAccessEdit(input: AccessEditSpec) {
    return this.register(planAccessEdit(this.ctx(input.serverId), input));
  }
  planDelete(input: TargetDeleteSpec) {
    return this.register(planTargetDelete(this.ctx(input.serverId), input));
  }
  planReconcile(input: { serverId: string; iqn?: string }) {
    return this.register(planReconcile(this.ctx(input.serverId), input));
  }
}
