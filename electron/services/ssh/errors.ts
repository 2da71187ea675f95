// Errors of the SSH layer with a stable code for the UI and a sentence for people.
// Messages never contain secrets, command arguments (they may carry CHAP secrets) or which part of a
// login was wrong.
import type { ConnectionErrorCode, HostKeyInfo } from '../../../shared/domain/host';

export type CommandErrorCode =
  | 'command-timeout'
  | 'cancelled'
  | 'sudo-password-required'
  | 'sudo-not-allowed'
  | 'channel-open-failed'
  | 'invalid-command';

export type SshErrorCode = ConnectionErrorCode | CommandErrorCode;

export class SshError extends Error {
  readonly code: SshErrorCode;
  readonly hostId: string | undefined;
  readonly hostKey?: HostKeyInfo;
  readonly expectedHostKey?: HostKeyInfo;
  /** Output gathered before the command was stopped (timeout, cancel, connection lost). */
  readonly partial?: { stdout: string; stderr: string };

  constructor(
    code: SshErrorCode,
    message: string,
    extra: {
      hostId?: string;
      hostKey?: HostKeyInfo;
      expectedHostKey?: HostKeyInfo;
      partial?: { stdout: string; stderr: string };
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause !== undefined ? { cause: extra.cause } : undefined);
    this.name = 'SshError';
    this.code = code;
    this.hostId = extra.hostId;
    if (extra.hostKey) this.hostKey = extra.hostKey;
    if (extra.expectedHostKey) this.expectedHostKey = extra.expectedHostKey;
    if (extra.partial) this.partial = extra.partial;
  }
}

export function isSshError(e: unknown, code?: SshErrorCode): e is SshError {
  return e instanceof SshError && (code === undefined || e.code === code);
}

/** Codes worth retrying automatically; the others need the admin (credentials, host key, config). */
export function isTransient(code: SshErrorCode): boolean {
  return code === 'refused' || code === 'timeout' || code === 'connection-lost' || code === 'unreachable' || code === 'dns';
}

interface NodeishError extends Error {
  code?: string;
  level?: string;
}

/**
 * Maps what ssh2 or the socket reported during connect into a code and words.
 * `where` is "address:port" for messages (no user name, so a wrong user and a wrong password read alike).
 */
export function classifyConnectError(err: unknown, where: string, address: string): { code: ConnectionErrorCode; reason: string } {
  const e = (err ?? {}) as NodeishError;
  const sys = e.code ?? '';
  const msg = String(e.message ?? '');
  if (e.level === 'client-authentication') {
    return {
      code: 'auth-failed',
      reason: `authentication failed at ${where}: the server did not accept the user name and credentials; check both and try again`,
    };
  }
  if (sys === 'ENOTFOUND' || sys === 'EAI_AGAIN' || sys === 'EAI_NONAME' || e.level === 'client-dns') {
    return { code: 'dns', reason: `the name ${address} could not be resolved (DNS); check the spelling or use the IP address` };
  }
  if (sys === 'ECONNREFUSED') {
    return { code: 'refused', reason: `connection refused by ${where}: is sshd running and is the port right?` };
  }
  if (sys === 'ETIMEDOUT' || e.level === 'client-timeout' || /timed out/i.test(msg)) {
    return {
      code: 'timeout',
      reason: `no answer from ${where} in time: the host may be down, or a firewall may drop SSH`,
    };
  }
  if (sys === 'EHOSTUNREACH' || sys === 'ENETUNREACH' || sys === 'EADDRNOTAVAIL') {
    return { code: 'unreachable', reason: `${where} is unreachable from this machine: check the address and the network route` };
  }
  if (sys === 'ECONNRESET' || sys === 'EPIPE' || /connection lost|closed|no response/i.test(msg)) {
    return { code: 'connection-lost', reason: `the connection to ${where} was closed by the other side during the SSH handshake` };
  }
  return { code: 'protocol', reason: `SSH to ${where} failed: ${msg.slice(0, 200) || 'unknown error'}` };
}
