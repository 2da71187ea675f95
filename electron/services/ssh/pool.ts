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
import {
  addressKind,
  type Capabilities,
  type ConnectionState,
  type HostAuthKind,
  type HostConnection,
} from '../../../shared/domain/host';
import type { RemoteRunner, RunOptions, RunResult } from '../remote/runner';
import { shellLine } from '../remote/quote';
import { openClient, validateHost, type SecretKind } from './connect';
import { isSshError, isTransient, SshError } from './errors';
import { execOnClient } from './exec';
import { decideHostKey, fetchPresentedKey, type HostKeyStore, type StoredHostKey } from './hostkeys';
import { defaultKnownHostsFiles, loadKnownHosts } from './knownhosts';
import { probeCapabilities } from './probe';
import { Semaphore } from './semaphore';

export interface ResolvedHost {
  /** Display name for messages; the hostId is used when absent. */
  name?: string;
  address: string;
  port: number;
  user: string;
  auth: HostAuthKind;
  keyPath?: string;
  sudo: boolean;
}

/** Where the pool gets host settings and secrets (inventory + SecretStore in the app, fixtures in tests). */
export interface HostResolver {
  getHost(hostId: string): Promise<ResolvedHost | null> | ResolvedHost | null;
  getSecret(hostId: string, kind: SecretKind): Promise<string | null> | string | null;
}

export interface SshPoolOptions {
  resolver: HostResolver;
  hostKeys: HostKeyStore;
  /** known_hosts files honoured for hosts without a stored key; default ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts. */
  knownHostsFiles?: string[];
  /** ssh-agent socket for agent auth; default SSH_AUTH_SOCK. */
  agentSocket?: string;
  /** Exec channels per connection (default 8; OpenSSH MaxSessions defaults to 10). */
  maxChannels?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  readyTimeoutMs?: number;
  /** Per-command timeout when the caller gives none (default 10 min). */
  defaultTimeoutMs?: number;
  /** TERM → KILL grace when stopping a command (default 3 s). */
  killGraceMs?: number;
  reconnect?: { baseDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  /** Run the capability probe after each successful connect and emit 'capabilities'. */
  probeOnConnect?: boolean;
}

/** What fetchHostKey() found: the key presented now and the one on record. */
export interface HostKeyCheck {
  presented: { type: string; fingerprint: string };
  /** Ours, or the known_hosts entry the presented key is checked against; null when none. */
  stored: { type: string; fingerprint: string } | null;
  /** The presented key is the one on record (a connect would go through). */
  matches: boolean;
  /** The presented key is marked @revoked in known_hosts. */
  revoked: boolean;
}

export interface SshPoolEvents {
  state: [ConnectionState];
  capabilities: [{ hostId: string; capabilities: Capabilities }];
}

interface HostConn {
  hostId: string;
  state: ConnectionState;
  client: Client | null;
  dead: boolean;
  host: HostConnection | null;
  label: string;
  sem: Semaphore;
  connecting: Promise<Client> | null;
  retryTimer: NodeJS.Timeout | null;
  attempts: number;
  closing: boolean;
  presented: StoredHostKey | null;
  capabilities: Promise<Capabilities> | null;
}

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

  private async readKeyNow(c: HostConn): Promise<{ check: HostKeyCheck; key: StoredHostKey }> {
    const hostId = c.hostId;
    const host = await this.resolve(c);
    const stored = await this.o.hostKeys.get(hostId);
    const { key, blob } = await fetchPresentedKey({
      hostId, address: host.address, port: host.port, user: host.user, preferType: stored?.type ?? null, timeoutMs: this.o.readyTimeoutMs,
    });
    c.presented = key;
    const verdict = decideHostKey(blob, stored, loadKnownHosts(this.o.knownHostsFiles), host.address, host.port);
    const info = (k: { type: string; fingerprint: string }) => ({ type: k.type, fingerprint: k.fingerprint });
    const onRecord = verdict.outcome === 'mismatch' ? verdict.expected : verdict.outcome === 'match' ? info(key) : null;
    const check = {
      presented: info(key),
      stored: stored ? info(stored) : onRecord,
      matches: verdict.outcome === 'match',
      revoked: verdict.outcome === 'mismatch' && verdict.source === 'revoked',
    };
    return { check, key };
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
    if (now.presented.fingerprint !== fingerprint) {
      throw new SshError(
        'hostkey-mismatch',
        `not accepted: ${c.label} presents a different key now (${now.presented.type} ${now.presented.fingerprint}) than the one you confirmed (${fingerprint}). ` +
          'The key changed again since it was shown; compare the new fingerprint with the host before accepting it.',
        { hostId, hostKey: now.presented, ...(now.stored ? { expectedHostKey: now.stored } : {}) },
      );
    }
    if (now.revoked) {
      throw new SshError(
        'hostkey-mismatch',
        `not accepted: the key ${c.label} presents (${now.presented.type} ${now.presented.fingerprint}) is marked @revoked in known_hosts; it cannot be trusted again`,
        { hostId, hostKey: now.presented },
      );
    }
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

  async run(hostId: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string')) {
      throw new SshError('invalid-command', 'a command must be a non-empty list of strings', { hostId });
    }
    try {
      shellLine(argv); // refuses NUL before anything goes over the wire
    } catch (e) {
      throw new SshError('invalid-command', (e as Error).message, { hostId });
    }
    const timeoutMs = opts.timeoutMs ?? this.o.defaultTimeoutMs;
    const started = Date.now();
    // One controller covers queueing and connecting as well, so the timeout is for the whole command.
    const ac = new AbortController();
    const onAbort = () => ac.abort(opts.signal!.reason);
    if (opts.signal?.aborted) ac.abort(opts.signal.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ac.abort(timeoutReason), timeoutMs);
    const c = this.conn(hostId);
    try {
      let release: (() => void) | null = null;
      try {
        await this.raceAbort(this.ensure(hostId), ac.signal);
        release = await c.sem.acquire(ac.signal);
        for (let attempt = 0; ; attempt++) {
          const client = await this.raceAbort(this.ensure(hostId), ac.signal);
          const host = c.host!;
          const useSudo = !!opts.sudo && host.user !== 'root';
          if (useSudo && !host.sudo) {
            throw new SshError(
              'sudo-not-allowed',
              `${argv[0]} needs root on ${c.label}, but the host is set up without sudo and the login user is ${host.user}; enable sudo for the host or log in as root`,
              { hostId },
            );
          }
          try {
            return await execOnClient(
              client,
              argv,
              {
                ...opts,
                // The user's signal; the timeout is passed as the time left so the stop reason stays right.
                signal: opts.signal,
                useSudo,
                timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
              },
              { hostId, label: c.label, user: host.user, isDead: () => c.dead || c.client !== client, killGraceMs: this.o.killGraceMs },
            );
          } catch (e) {
            if (isSshError(e)) {
              throw e;
            }
            // Channel open refused: the server allows fewer sessions than we assumed. Shrink and wait.
            if (/Channel open failure/i.test(String((e as Error)?.message)) && attempt < 5) {
              if (c.sem.inUse > 1) c.sem.setLimit(c.sem.inUse - 1);
              release();
              release = null;
              release = await c.sem.acquire(ac.signal);
              continue;
            }
            // ssh2 says "Not connected" when the socket died before the pool heard of it: the
            // command never started, so drop that client and run it on a fresh connection.
            if (/Not connected/i.test(String((e as Error)?.message)) && attempt < 5 && c.client === client) {
              c.dead = true;
              c.client = null;
              client.destroy();
              continue;
            }
            if (c.dead || c.client !== client) {
              throw new SshError('connection-lost', `the connection to ${c.label} was lost before ${argv[0]} could start`, { hostId });
            }
            throw new SshError('channel-open-failed', `${c.label} refused a new command channel: ${(e as Error)?.message ?? e}`, { hostId });
          }
        }
      } finally {
        release?.();
      }
    } catch (e) {
      if (ac.signal.aborted && !isSshError(e)) {
        // Aborted while queued or connecting: nothing ran on the host.
        throw ac.signal.reason === timeoutReason
          ? new SshError('command-timeout', `${argv[0]} on ${c.label} could not start within ${timeoutMs / 1000} s (waiting for the connection or a free channel)`, { hostId })
          : new SshError('cancelled', `${argv[0]} on ${c.label} was cancelled before it started`, { hostId });
      }
      throw e;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
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

  private raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  private clearRetry(c: HostConn): void {
    if (c.retryTimer) clearTimeout(c.retryTimer);
    c.retryTimer = null;
  }

  private blockedError(c: HostConn): SshError {
    return new SshError('hostkey-mismatch', c.state.reason ?? `the host key of ${c.label} changed; re-accept it first`, {
      hostId: c.hostId,
      ...(c.state.hostKey ? { hostKey: c.state.hostKey } : {}),
      ...(c.state.expectedHostKey ? { expectedHostKey: c.state.expectedHostKey } : {}),
    });
  }

  /**
   * The connected client, connecting if needed; concurrent callers share one attempt. A blocked host is
   * refused at once unless recheckBlocked (an explicit connect), which makes a fresh handshake.
   */
  ensure(hostId: string, opts: { recheckBlocked?: boolean } = {}): Promise<Client> {
    if (this.closed) return Promise.reject(new SshError('connection-lost', 'the SSH pool is closed', { hostId }));
    const c = this.conn(hostId);
    if (c.state.state === 'blocked' && !opts.recheckBlocked) return Promise.reject(this.blockedError(c));
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

const timeoutReason = new Error('timeout');

/** RemoteRunner over the pool: what drivers get. */
export class SshRunner implements RemoteRunner {
  constructor(
    private readonly pool: SshPool,
    readonly hostId: string,
  ) {}
  get label(): string {
    return this.pool.label(this.hostId);
  }
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    return this.pool.run(this.hostId, argv, opts);
  }
}
