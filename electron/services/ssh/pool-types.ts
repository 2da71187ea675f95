// The pool's settings, events and per-host connection record.
import type { Client } from 'ssh2';
import type { Capabilities, ConnectionState, HostAuthKind, HostConnection } from '../../../shared/domain/host';
import type { SecretKind } from './connect';
import type { HostKeyStore, StoredHostKey } from './hostkeys';
import type { Semaphore } from './semaphore';

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

/** One host's connection as the pool keeps it (shared by the pool's lifecycle, command and host-key parts). */
export interface HostConn {
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
