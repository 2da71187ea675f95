// The pool's host-key side: reading the key a server presents now (without logging in) against the
// one on record, the checks before an admin's accept is stored, and the refusal of a blocked host.
import type { HostConnection } from '../../../shared/domain/host';
import { SshError } from './errors';
import { decideHostKey, fetchPresentedKey, type HostKeyStore, type StoredHostKey } from './hostkeys';
import { loadKnownHosts } from './knownhosts';
import type { HostConn, HostKeyCheck } from './pool-types';

/** What readKeyNow needs from the pool. */
export interface KeyCheckDeps {
  resolve(c: HostConn): Promise<HostConnection>;
  hostKeys: HostKeyStore;
  knownHostsFiles: string[];
  readyTimeoutMs: number;
}

/** The key presented now and the verdict on it (SshPool.fetchHostKey; acceptHostKey's fresh read). */
export async function readKeyNow(d: KeyCheckDeps, c: HostConn): Promise<{ check: HostKeyCheck; key: StoredHostKey }> {
  const hostId = c.hostId;
  const host = await d.resolve(c);
  const stored = await d.hostKeys.get(hostId);
  const { key, blob } = await fetchPresentedKey({
    hostId, address: host.address, port: host.port, user: host.user, preferType: stored?.type ?? null, timeoutMs: d.readyTimeoutMs,
  });
  c.presented = key;
  const verdict = decideHostKey(blob, stored, loadKnownHosts(d.knownHostsFiles), host.address, host.port);
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

/** Refuses an accept when the key presented now is not the one the admin confirmed, or is revoked. */
export function refuseUnconfirmedKey(c: HostConn, now: HostKeyCheck, fingerprint: string): void {
  if (now.presented.fingerprint !== fingerprint) {
    throw new SshError(
      'hostkey-mismatch',
      `not accepted: ${c.label} presents a different key now (${now.presented.type} ${now.presented.fingerprint}) than the one you confirmed (${fingerprint}). ` +
        'The key changed again since it was shown; compare the new fingerprint with the host before accepting it.',
      { hostId: c.hostId, hostKey: now.presented, ...(now.stored ? { expectedHostKey: now.stored } : {}) },
    );
  }
  if (now.revoked) {
    throw new SshError(
      'hostkey-mismatch',
      `not accepted: the key ${c.label} presents (${now.presented.type} ${now.presented.fingerprint}) is marked @revoked in known_hosts; it cannot be trusted again`,
      { hostId: c.hostId, hostKey: now.presented },
    );
  }
}

/** The refusal of a command on a blocked host (its key changed), with both keys when known. */
export function blockedError(c: HostConn): SshError {
  return new SshError('hostkey-mismatch', c.state.reason ?? `the host key of ${c.label} changed; re-accept it first`, {
    hostId: c.hostId,
    ...(c.state.hostKey ? { hostKey: c.state.hostKey } : {}),
    ...(c.state.expectedHostKey ? { expectedHostKey: c.state.expectedHostKey } : {}),
  });
}
