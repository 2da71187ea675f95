// One ssh2 connection per host, shared by every command and tunnel for that host.
//
// - Channels: a semaphore per host keeps exec channels below OpenSSH's MaxSessions (10); extra commands
//   queue. The stop helper (kill) bypasses it, which is why the default is 8, not 10.
// - Reconnect: after an unexpected loss the pool reconnects by itself with exponential backoff; a
//   command that arrives meanwhile connects at once (a waiting admin beats the backoff).
// - Host keys: verified before credentials are sent; unknown → 'hostkey-unknown', changed → the host is
//   'blocked': commands are refused at once (no reconnect loop against a suspect key) until the admin
//   acts. connect() on a blocked host makes a fresh handshake (the stored key back → connected; another
//   key → blocked with the key seen now); fetchHostKey() reads the key presented now without logging
//   in; acceptHostKey() stores a fingerprint only if the server presents exactly that key at accept
//   time; resetBlock() forgets the block after the host's address or port changed.
// - State changes are emitted as 'state' events (ConnectionState) for the renderer.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { addressKind, type Capabilities, type ConnectionState, type HostConnection } from '../../../shared/domain/host';
import type { RemoteRunner, RunOptions, RunResult } from '../remote/runner';
import { openClient, validateHost } from './connect';
import { isSshError, isTransient, SshError } from './errors';
import type { StoredHostKey } from './hostkeys';
import { defaultKnownHostsFiles } from './knownhosts';
import { probeCapabilities } from './probe';
import { Semaphore } from './semaphore';
import type { HostConn, HostKeyCheck, SshPoolEvents, SshPoolOptions } from './pool-types';
import { runCommand, SshRunner } from './pool-run';
import { blockedError, readKeyNow, refuseUnconfirmedKey } from './pool-hostkeys';

// Settings and commands live in pool-types.ts and pool-run.ts; importers keep using this path.
export type { HostKeyCheck, HostResolver, ResolvedHost, SshPoolEvents, SshPoolOptions } from './pool-types';
export { SshRunner } from './pool-run';

export class SshPool extends EventEmitter<SshPoolEvents> {
  private readonly conns = new Map<string, HostConn>();
  private readonly o: Required<Omit<SshPoolOptions, 'agentSocket' | 'reconnect'>> & {
    agentSocket: string | undefined;
    reconnect: { baseDelayMs: number; maxDelayMs: number; maxAttempts: number };
  };
  private closed = false;

  constructor(opts: SshPoolOptions) {
    super();
    this.o = {
      resolver: opts.resolver,
      hostKeys: opts.hostKeys,
      knownHostsFiles: opts.knownHostsFiles ?? defaultKnownHostsFiles(),
      agentSocket: opts.agentSocket ?? process.env.SSH_AUTH_SOCK,
      maxChannels: opts.maxChannels ?? 8,
      keepaliveIntervalMs: opts.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: opts.keepaliveCountMax ?? 3,
      readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
      defaultTimeoutMs: opts.defaultTimeoutMs ?? 10 * 60_000,
      killGraceMs: opts.killGraceMs ?? 3_000,
      reconnect: {
        baseDelayMs: opts.reconnect?.baseDelayMs ?? 1_000,
        maxDelayMs: opts.reconnect?.maxDelayMs ?? 30_000,
        maxAttempts: opts.reconnect?.maxAttempts ?? 6,
      },
      probeOnConnect: opts.probeOnConnect ?? false,
    };
  }

  // ---------- public API ----------

  /** A RemoteRunner bound to the host; cheap, create as many as you like. */
  runner(hostId: string): RemoteRunner {
    return new SshRunner(this, hostId);
  }

  state(hostId: string): ConnectionState {
    return { ...(this.conns.get(hostId)?.state ?? { hostId, state: 'idle' }) };
  }

  states(): ConnectionState[] {
    return [...this.conns.values()].map((c) => ({ ...c.state }));
  }

  /** Exec channels in use and commands waiting for one (for the UI and tests). */
  channels(hostId: string): { inUse: number; queued: number; limit: number } {
    const sem = this.conns.get(hostId)?.sem;
    return { inUse: sem?.inUse ?? 0, queued: sem?.queued ?? 0, limit: sem?.capacity ?? this.o.maxChannels };
  }

  /**
   * Connects (or reuses the connection). Throws SshError; 'hostkey-unknown' carries the key to show.
   * An explicit connect of a blocked host makes a fresh handshake: the key is checked again as presented now.
   */
  async connect(hostId: string): Promise<void> {
    await this.ensure(hostId, { recheckBlocked: true });
  }

  /** The key the host presented on the last attempt (to show before accepting). */
  presentedHostKey(hostId: string): { type: string; fingerprint: string } | null {
    const p = this.conns.get(hostId)?.presented;
    return p ? { type: p.type, fingerprint: p.fingerprint } : null;
  }

  /**
   * The key the server presents now (a handshake without logging in) and the key on record (ours, or a
   * known_hosts entry when we hold none). Read-only: the stored key and the connection state stay as they are.
   */
  async fetchHostKey(hostId: string): Promise<HostKeyCheck> {
    return (await this.readKeyNow(this.conn(hostId))).check;
  }

  private readKeyNow(c: HostConn): Promise<{ check: HostKeyCheck; key: StoredHostKey }> {
    return readKeyNow({ resolve: (x) => this.resolve(x), hostKeys: this.o.hostKeys, knownHostsFiles: this.o.knownHostsFiles, readyTimeoutMs: this.o.readyTimeoutMs }, c);
  }

  /**
   * Accepts (first contact) or re-accepts (after a change) the host key with this fingerprint, the one the
   * admin compared. The key is read again from the server first: if it presents another key now (it changed
   * again, or the fingerprint shown was stale), nothing is stored and the refusal names both fingerprints.
   * Unblocks the host.
   */
  async acceptHostKey(hostId: string, fingerprint: string): Promise<void> {
    const c = this.conn(hostId);
    const { check: now, key } = await this.readKeyNow(c);
    refuseUnconfirmedKey(c, now, fingerprint);
    await this.o.hostKeys.set(hostId, key);
    if (c.state.state === 'blocked' || c.state.code === 'hostkey-unknown') this.setState(c, { state: 'idle' });
  }

  /**
   * Forgets a block (the host's address or port changed: what was seen at the old endpoint says nothing
   * about the new one). The stored key stays: the next connect checks the key against it again.
   */
  resetBlock(hostId: string): void {
    const c = this.conns.get(hostId);
    if (!c) return;
    c.presented = null;
    if (c.state.state === 'blocked') this.setState(c, { state: 'idle' });
  }

  run(hostId: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return runCommand({ ensure: (id) => this.ensure(id), conn: (id) => this.conn(id), defaultTimeoutMs: this.o.defaultTimeoutMs, killGraceMs: this.o.killGraceMs }, hostId, argv, opts);
  }

  /** direct-tcpip: a TCP stream to dstAddr:dstPort opened by the host itself ("from the host's network"). */
  async forwardOut(hostId: string, dstAddr: string, dstPort: number): Promise<Duplex> {
    if (addressKind(dstAddr) === null) {
      throw new SshError('invalid-command', 'tunnel destination: not a valid IPv4/IPv6 address or host name', { hostId });
    }
    if (!Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535) {
      throw new SshError('invalid-command', 'tunnel destination port: must be from 1 to 65535', { hostId });
    }
    const client = await this.ensure(hostId);
    const c = this.conn(hostId);
    return new Promise<Duplex>((resolve, reject) => {
      try {
        client.forwardOut('127.0.0.1', 0, dstAddr, dstPort, (err, ch) => {
          if (err) {
            reject(new SshError('channel-open-failed', `${c.label} could not open a TCP connection to ${dstAddr}:${dstPort}: ${err.message}`, { hostId }));
          } else {
            resolve(ch);
          }
        });
      } catch (e) {
        reject(new SshError('connection-lost', `the connection to ${c.label} was lost before the tunnel opened`, { hostId, cause: e }));
      }
    });
  }

  /** Capability probe, cached per connection (refresh: run again). */
  probe(hostId: string, opts: { refresh?: boolean } = {}): Promise<Capabilities> {
    const c = this.conn(hostId);
    if (!c.capabilities || opts.refresh) {
      const p = probeCapabilities(this.runner(hostId)).then((caps) => {
        this.emit('capabilities', { hostId, capabilities: caps });
        return caps;
      });
      c.capabilities = p;
      p.catch(() => {
        if (c.capabilities === p) c.capabilities = null;
      });
    }
    return c.capabilities;
  }

  /** Closes the connection (e.g. after the host's settings changed); the next command reconnects. */
  async disconnect(hostId: string): Promise<void> {
    const c = this.conns.get(hostId);
    if (!c) return;
    this.clearRetry(c);
    const client = c.client;
    c.closing = true;
    c.client = null;
    c.capabilities = null;
    if (client) {
      await new Promise<void>((resolve) => {
        client.once('close', () => resolve());
        client.end();
        setTimeout(() => {
          client.destroy();
          resolve();
        }, 2000).unref();
      });
    }
    c.closing = false;
    if (c.state.state !== 'blocked') this.setState(c, { state: 'idle' });
  }

  /** Drops the connection abruptly, as a network cut would (fault tests); commands in flight fail and the pool reconnects. */
  cut(hostId: string): void {
    this.conns.get(hostId)?.client?.destroy();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.conns.keys()].map((id) => this.disconnect(id)));
  }

  // ---------- internals ----------

  private conn(hostId: string): HostConn {
    let c = this.conns.get(hostId);
    if (!c) {
      c = {
        hostId,
        state: { hostId, state: 'idle' },
        client: null,
        dead: true,
        host: null,
        label: hostId,
        sem: new Semaphore(this.o.maxChannels),
        connecting: null,
        retryTimer: null,
        attempts: 0,
        closing: false,
        presented: null,
        capabilities: null,
      };
      this.conns.set(hostId, c);
    }
    return c;
  }

  label(hostId: string): string {
    return this.conns.get(hostId)?.label ?? hostId;
  }

  private setState(c: HostConn, s: Omit<ConnectionState, 'hostId'>): void {
    c.state = { hostId: c.hostId, ...s };
    this.emit('state', { ...c.state });
  }
  private clearRetry(c: HostConn): void {
    if (c.retryTimer) clearTimeout(c.retryTimer);
    c.retryTimer = null;
  }
  /**
   * The connected client, connecting if needed; concurrent callers share one attempt. A blocked host is
   * refused at once unless recheckBlocked (an explicit connect), which makes a fresh handshake.
   */
  ensure(hostId: string, opts: { recheckBlocked?: boolean } = {}): Promise<Client> {
    if (this.closed) return Promise.reject(new SshError('connection-lost', 'the SSH pool is closed', { hostId }));
    const c = this.conn(hostId);
    if (c.state.state === 'blocked' && !opts.recheckBlocked) return Promise.reject(blockedError(c));
    if (c.client && !c.dead) return Promise.resolve(c.client);
    if (c.connecting) return c.connecting;
    this.clearRetry(c);
    c.connecting = this.open(c).finally(() => {
      c.connecting = null;
    });
    return c.connecting;
  }

  /** The host's validated settings from the resolver (and its label for messages). */
  private async resolve(c: HostConn): Promise<HostConnection> {
    const hostId = c.hostId;
    const raw = await this.o.resolver.getHost(hostId);
    if (!raw) throw new SshError('unknown-host', `there is no host ${hostId} in the inventory`, { hostId });
    const host = validateHost(hostId, raw);
    c.host = host;
    c.label = `${raw.name ?? hostId} (${host.address})`;
    return host;
  }

  private async open(c: HostConn): Promise<Client> {
    const hostId = c.hostId;
    this.setState(c, { state: 'connecting' });
    try {
      const host = await this.resolve(c);
      const client = await openClient({
        hostId,
        host,
        getSecret: async (kind) => (await this.o.resolver.getSecret(hostId, kind)) ?? null,
        hostKeys: this.o.hostKeys,
        knownHostsFiles: this.o.knownHostsFiles,
        agentSocket: this.o.agentSocket,
        readyTimeoutMs: this.o.readyTimeoutMs,
        keepaliveIntervalMs: this.o.keepaliveIntervalMs,
        keepaliveCountMax: this.o.keepaliveCountMax,
        onPresentedKey: (k) => {
          c.presented = k;
        },
      });
      if (this.closed) {
        client.end();
        throw new SshError('connection-lost', 'the SSH pool is closed', { hostId });
      }
      c.client = client;
      c.dead = false;
      c.attempts = 0;
      c.capabilities = null;
      let lastError: unknown = null;
      client.on('error', (e) => {
        lastError = e;
      });
      client.on('close', () => this.onClosed(c, client, lastError));
      this.setState(c, { state: 'connected' });
      if (this.o.probeOnConnect) this.probe(hostId).catch(() => {});
      return client;
    } catch (e) {
      const err = isSshError(e)
        ? e
        : new SshError('protocol', `connecting to ${c.label} failed: ${(e as Error)?.message ?? e}`, { hostId });
      if (err.code === 'hostkey-mismatch') {
        this.setState(c, {
          state: 'blocked',
          code: 'hostkey-mismatch',
          reason: err.message,
          ...(err.hostKey ? { hostKey: err.hostKey } : {}),
          ...(err.expectedHostKey ? { expectedHostKey: err.expectedHostKey } : {}),
        });
      } else {
        const code = err.code as ConnectionState['code'];
        this.setState(c, { state: 'failed', code, reason: err.message, ...(err.hostKey ? { hostKey: err.hostKey } : {}) });
      }
      throw err;
    }
  }

  private onClosed(c: HostConn, client: Client, lastError: unknown): void {
    if (c.client !== client) return; // an old client, or one we closed on purpose
    c.client = null;
    c.dead = true;
    c.capabilities = null;
    if (this.closed || c.closing) return;
    const why = lastError instanceof Error && /keepalive/i.test(lastError.message) ? 'it stopped answering keepalives' : 'it was closed';
    this.scheduleReconnect(c, `connection to ${c.label} lost (${why})`);
  }

  private scheduleReconnect(c: HostConn, reason: string): void {
    const r = this.o.reconnect;
    if (c.attempts >= r.maxAttempts) {
      this.setState(c, { state: 'failed', code: 'connection-lost', reason: `${reason}; gave up reconnecting after ${c.attempts} attempts` });
      return;
    }
    const delay = Math.min(r.maxDelayMs, r.baseDelayMs * 2 ** c.attempts);
    c.attempts++;
    const retryAt = Date.now() + delay;
    this.setState(c, { state: 'failed', code: 'connection-lost', reason: `${reason}; reconnecting in ${Math.ceil(delay / 1000)} s`, retryAt });
    this.clearRetry(c);
    c.retryTimer = setTimeout(() => {
      c.retryTimer = null;
      if (c.connecting || (c.client && !c.dead)) return;
      this.ensure(c.hostId).catch((e) => {
        if (isSshError(e) && isTransient(e.code) && !this.closed) this.scheduleReconnect(c, e.message);
      });
    }, delay);
    c.retryTimer.unref?.();
  }
}
