// OpenNebula front-ends: a Portico host with the one-frontend role, its XML-RPC endpoint (reached
// directly or through the host's SSH connection) and its session string, kept in the SecretStore
// and never returned. Hands out an OnedClient per front-end.
import { PorticoError } from '../../../shared/contract-kit';
import type { FrontendInput } from '../../../shared/domain/opennebula';
import type { FrontendTestResult, FrontendView } from '../../../shared/domain/opennebula-views';
import { migrateFeature, type Db } from '../db';
import type { HostRepo } from '../hosts/host-repo';
import type { SecretStore } from '../secrets';
import type { SshPool } from '../ssh/pool';
import { OnedClient } from '../opennebula/client';
import { driversFor } from '../opennebula/drivers';
import { OnedError } from '../opennebula/errors';

interface Row { host_id: string; endpoint: string; via: 'direct' | 'ssh'; version: string | null; last_error: string | null }

export const sessionSecretName = (hostId: string) => `datastores:session:${hostId}`;

export class FrontendStore {
  constructor(
    private readonly db: Db,
    private readonly hosts: HostRepo,
    private readonly secrets: SecretStore,
    private readonly pool: Pick<SshPool, 'forwardOut'>,
  ) {
    migrateFeature(db, 'datastores', [
      'CREATE TABLE datastores_frontends (host_id TEXT PRIMARY KEY, endpoint TEXT NOT NULL, via TEXT NOT NULL, version TEXT, last_error TEXT, updated_at TEXT NOT NULL)',
    ]);
  }

  private row(hostId: string): Row | undefined {
    return this.db.prepare('SELECT * FROM datastores_frontends WHERE host_id = ?').get(hostId) as Row | undefined;
  }

  private view(r: Row): FrontendView {
    const h = this.hosts.find(r.host_id);
    const s = this.secrets.get(sessionSecretName(r.host_id));
    return { hostId: r.host_id, hostName: h?.name ?? r.host_id, endpoint: r.endpoint, via: r.via, hasSession: !!s, user: s ? s.slice(0, s.indexOf(':')) : null, version: r.version, lastError: r.last_error };
  }

  list(): FrontendView[] {
    return (this.db.prepare('SELECT * FROM datastores_frontends ORDER BY host_id').all() as Row[]).map((r) => this.view(r));
  }

  get(hostId: string): FrontendView {
    const r = this.row(hostId);
    if (!r) throw new PorticoError('not-found', `frontendId: ${this.hosts.find(hostId)?.name ?? hostId} is not set up as an OpenNebula front-end; add its endpoint on the Datastores page first.`, 'frontendId');
    return this.view(r);
  }

  ids(): string[] {
    return (this.db.prepare('SELECT host_id FROM datastores_frontends').all() as { host_id: string }[]).map((r) => r.host_id);
  }

  private checkRole(hostId: string): void {
    const h = this.hosts.find(hostId);
    if (!h) throw new PorticoError('not-found', `hostId: no host with id ${hostId}`, 'hostId');
    if (!h.roles.includes('one-frontend')) throw new PorticoError('invalid-input', `hostId: ${h.name} does not have the one-frontend role; add the role on the Hosts page first.`, 'hostId');
  }

  /** A client for an endpoint and session that are not stored (the test before saving). */
  clientFor(i: Pick<FrontendInput, 'hostId' | 'endpoint' | 'via'>, session: () => string): OnedClient {
    return new OnedClient({
      endpoint: i.endpoint,
      session,
      tunnel: i.via === 'ssh' ? (host, port) => this.pool.forwardOut(i.hostId, host, port) : undefined,
      timeoutMs: 20_000,
    });
  }

  client(hostId: string): OnedClient {
    const r = this.row(hostId);
    if (!r) this.get(hostId);
    return this.clientFor({ hostId, endpoint: r!.endpoint, via: r!.via }, () => {
      const s = this.secrets.get(sessionSecretName(hostId));
      if (!s) throw new OnedError('authentication', `No session string is stored for ${this.hosts.find(hostId)?.name ?? hostId}: enter it on the Datastores page.`, null, null, '');
      return s;
    });
  }

  async test(client: OnedClient): Promise<FrontendTestResult> {
    try {
      const version = await client.version();
      const user = await client.whoami();
      return { ok: true, version, drivers: driversFor(version), user, error: null };
    } catch (e) {
      return { ok: false, version: null, drivers: null, user: null, error: e instanceof Error ? e.message : String(e) };
    }
  }

  async testInput(i: FrontendInput): Promise<FrontendTestResult> {
    this.checkRole(i.hostId);
    const stored = this.secrets.get(sessionSecretName(i.hostId));
    const session = i.session ?? stored;
    if (!session) throw new PorticoError('invalid-input', 'session: enter the session string (user:password or user:token)', 'session');
    return this.test(this.clientFor(i, () => session));
  }

  async save(i: FrontendInput): Promise<{ frontend: FrontendView; test: FrontendTestResult }> {
    this.checkRole(i.hostId);
    if (!i.session && !this.secrets.get(sessionSecretName(i.hostId))) throw new PorticoError('invalid-input', 'session: enter the session string (user:password or user:token)', 'session');
    if (i.session) this.secrets.set(sessionSecretName(i.hostId), i.session);
    this.db
      .prepare('INSERT INTO datastores_frontends (host_id, endpoint, via, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(host_id) DO UPDATE SET endpoint = excluded.endpoint, via = excluded.via, updated_at = excluded.updated_at')
      .run(i.hostId, i.endpoint, i.via, new Date().toISOString());
    const test = await this.testStored(i.hostId);
    return { frontend: this.get(i.hostId), test };
  }

  async testStored(hostId: string): Promise<FrontendTestResult> {
    this.get(hostId);
    const t = await this.test(this.client(hostId));
    this.db.prepare('UPDATE datastores_frontends SET version = COALESCE(?, version), last_error = ? WHERE host_id = ?').run(t.version, t.error, hostId);
    return t;
  }

  remove(hostId: string): { removed: true } {
    this.get(hostId);
    this.db.prepare('DELETE FROM datastores_frontends WHERE host_id = ?').run(hostId);
    this.secrets.delete(sessionSecretName(hostId));
    return { removed: true };
  }
}
