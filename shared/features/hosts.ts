// Contract fragment of the Hosts feature: the inventory (storage servers, hypervisors), their SSH
// connection and capability probe, and the connection-state event.
import { z } from 'zod';
import { call, event, Id, type CallMap } from '../contract-kit';
import { HostInputSchema, type Capabilities, type ConnectionState, type HostKeyInfo, type HostRole } from '../domain/host';

/** A host as the Hosts page shows it. Secrets never appear here. */
export interface HostView {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  authKind: 'key' | 'agent' | 'password';
  keyPath: string | null;
  sudo: boolean;
  roles: HostRole[];
  group: string | null;
  hostKey: HostKeyInfo | null;
  capabilities: Capabilities | null;
  createdAt: string;
  connection: ConnectionState;
}

export interface AddHostResult {
  host: HostView;
  hostKey: HostKeyInfo | null;
  error: { code: string; message: string } | null;
}

/** hosts.fetchKey: the key the host presents now, next to the key on record. */
export interface HostKeyCheck {
  presented: HostKeyInfo;
  /** The accepted key (or the known_hosts entry it is checked against); null when there is none. */
  stored: HostKeyInfo | null;
  /** The host presents the key on record: a reconnect goes through. */
  matches: boolean;
  /** The presented key is marked @revoked in known_hosts: it cannot be accepted. */
  revoked: boolean;
}

export interface SshConfigAlias {
  alias: string;
  hostName: string;
  port: number;
  user: string | null;
  identityFile: string | null;
}

const byHost = z.object({ hostId: Id }).strict();
const Fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'fingerprint: expected the SHA256:... fingerprint that was shown');

export const hostsCalls = {
  'hosts.list': call(z.object({}).strict()).returns<HostView[]>(),
  'hosts.get': call(byHost).returns<HostView>(),
  'hosts.add': call(HostInputSchema, { mutates: true }).returns<AddHostResult>(),
  'hosts.update': call(z.object({ hostId: Id, host: HostInputSchema }).strict(), { mutates: true }).returns<AddHostResult>(),
  // Read-only, but it contacts the host: one SSH handshake, no login.
  'hosts.fetchKey': call(byHost).returns<HostKeyCheck>(),
  // Accepted only when the host presents this fingerprint at accept time (checked again).
  'hosts.acceptKey': call(z.object({ hostId: Id, fingerprint: Fingerprint }).strict(), { mutates: true }).returns<HostView>(),
  'hosts.remove': call(byHost, { mutates: true }).returns<{ removed: true }>(),
  'hosts.reconnect': call(byHost, { mutates: true }).returns<HostView>(),
  'hosts.probe': call(byHost).returns<HostView>(),
  'hosts.sshConfig': call(z.object({}).strict()).returns<SshConfigAlias[]>(),
} satisfies CallMap;

export const hostsEvents = {
  'host.state': event<ConnectionState>(),
};
