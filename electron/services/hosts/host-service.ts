// Hosts as the admin sees them: add (with trust-on-first-use of the host key), edit, remove,
// reconnect, probe. Connection state and capabilities come from the SSH pool.
import type { HostInput } from '../../../shared/domain/host';
import type { AddHostResult, HostKeyCheck, HostView } from '../../../shared/features/hosts';
import { PorticoError } from '../../../shared/contract-kit';
import type { EventBus } from '../events';
import { isSshError, SshError } from '../ssh/errors';
import type { SshPool } from '../ssh/pool';
import { readSshConfig, type SshConfigAlias } from '../ssh/sshconfig';
import type { HostRecord, HostRepo } from './host-repo';


function sshToPortico(e: unknown): never {
  if (e instanceof SshError) throw new PorticoError(e.code, e.message, undefined, e.hostKey ? { hostKey: e.hostKey, expectedHostKey: e.expectedHostKey } : undefined);
  throw e;
}

export class HostService {
  constructor(
    private readonly repo: HostRepo,
    private readonly pool: SshPool,
    events: EventBus,
  ) {
    pool.on('state', (s) => events.emit('host.state', s));
    pool.on('capabilities', ({ hostId, capabilities }) => {
      if (repo.find(hostId)) repo.setCapabilities(hostId, capabilities);
    });
  }

  view(h: HostRecord): HostView {
    return { ...h, connection: this.pool.state(h.id) };
  }

  list(): HostView[] {
    return this.repo.list().map((h) => this.view(h));
  }

  get(hostId: string): HostView {
    return this.view(this.repo.get(hostId));
  }

  /** Saves the host, then makes first contact. Unknown keys come back for the admin to accept. */
  async add(input: HostInput): Promise<AddHostResult> {
    const host = this.repo.add(input);
    return this.firstContact(host.id);
  }

  private async firstContact(hostId: string): Promise<AddHostResult> {
    try {
      await this.pool.connect(hostId);
      await this.pool.probe(hostId, { refresh: true });
      return { host: this.get(hostId), hostKey: null, error: null };
    } catch (e) {
      if (isSshError(e, 'hostkey-unknown')) return { host: this.get(hostId), hostKey: e.hostKey ?? this.pool.presentedHostKey(hostId), error: null };
      if (isSshError(e)) return { host: this.get(hostId), hostKey: null, error: { code: e.code, message: e.message } };
      throw e;
    }
  }

  /** The key the host presents now and the one on record, for the admin to compare before re-accepting. */
  async fetchKey(hostId: string): Promise<HostKeyCheck> {
    this.repo.get(hostId);
    return this.pool.fetchHostKey(hostId).catch(sshToPortico);
  }

  /**
   * The admin compared the fingerprint and accepts it (first contact or after a change). The pool checks
   * that the host presents exactly this key now; a stale fingerprint is refused.
   */
  async acceptKey(hostId: string, fingerprint: string): Promise<HostView> {
    this.repo.get(hostId);
    await this.pool.acceptHostKey(hostId, fingerprint).catch(sshToPortico);
    await this.pool.connect(hostId).catch(sshToPortico);
    await this.pool.probe(hostId, { refresh: true }).catch(sshToPortico);
    return this.get(hostId);
  }

  /**
   * Saves the new settings and reconnects. A new address or port clears a block (it was about the old
   * endpoint); the stored key stays, so the new endpoint must present it or the host is blocked again.
   */
  async update(hostId: string, input: HostInput): Promise<AddHostResult> {
    const before = this.repo.get(hostId);
    this.repo.update(hostId, input);
    await this.pool.disconnect(hostId);
    if (before.address !== input.address || before.port !== input.port) this.pool.resetBlock(hostId);
    return this.firstContact(hostId);
  }

  async remove(hostId: string): Promise<void> {
    this.repo.get(hostId);
    await this.pool.disconnect(hostId);
    this.repo.remove(hostId);
  }

  async reconnect(hostId: string): Promise<HostView> {
    this.repo.get(hostId);
    await this.pool.disconnect(hostId);
    await this.pool.connect(hostId).catch(sshToPortico);
    await this.pool.probe(hostId, { refresh: true }).catch(sshToPortico);
    return this.get(hostId);
  }

  async probe(hostId: string): Promise<HostView> {
    this.repo.get(hostId);
    await this.pool.probe(hostId, { refresh: true }).catch(sshToPortico);
    return this.get(hostId);
  }

  /** Host aliases of ~/.ssh/config (PORTICO_SSH_CONFIG names another file); none when unreadable. */
  async sshConfigAliases(): Promise<SshConfigAlias[]> {
    return readSshConfig(process.env.PORTICO_SSH_CONFIG || undefined).catch(() => []);
  }
}
