// Host key fingerprints, the store of accepted keys and the verification decision (TOFU with a hard block
// on change). ssh2 accepts any key unless we verify, so every connection goes through verifyHostKey.
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import type { AlgorithmList, ServerHostKeyAlgorithm } from 'ssh2';
import type { HostKeyInfo } from '../../../shared/domain/host';
import { classifyConnectError, SshError } from './errors';
import { lookupKnownHosts, type KnownHostEntry } from './knownhosts';

export interface StoredHostKey extends HostKeyInfo {
  /** Raw key blob, base64 (the second field of a known_hosts line). */
  keyBase64: string;
}

/** Accepted keys, one per host. The SQLite-backed implementation lives with the inventory. */
export interface HostKeyStore {
  get(hostId: string): Promise<StoredHostKey | null> | StoredHostKey | null;
  set(hostId: string, key: StoredHostKey): Promise<void> | void;
}

export class MemoryHostKeyStore implements HostKeyStore {
  private readonly keys = new Map<string, StoredHostKey>();
  get(hostId: string): StoredHostKey | null {
    return this.keys.get(hostId) ?? null;
  }
  set(hostId: string, key: StoredHostKey): void {
    this.keys.set(hostId, { ...key });
  }
  delete(hostId: string): void {
    this.keys.delete(hostId);
  }
}

/** OpenSSH's `SHA256:<base64 without padding>` of the raw key blob. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** The key type is the first SSH string inside the blob (uint32 length + bytes). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) throw new Error('host key blob is too short');
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) throw new Error('host key blob has no valid type field');
  const type = blob.subarray(4, 4 + len).toString('latin1');
  if (!/^[A-Za-z0-9@.+_-]+$/.test(type)) throw new Error('host key blob has no valid type field');
  return type;
}

export function describeKey(blob: Buffer): StoredHostKey {
  return { type: keyTypeOf(blob), fingerprint: fingerprint(blob), keyBase64: blob.toString('base64') };
}

/** Algorithms that produce a key of this type, for putting the stored type first in negotiation. */
export function algorithmsForKeyType(type: string): string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type];
}

export type HostKeyVerdict =
  | { outcome: 'match'; presented: StoredHostKey; source: 'store' | 'known_hosts' }
  | { outcome: 'unknown'; presented: StoredHostKey }
  /** expected is null when the presented key is marked @revoked in known_hosts. */
  | { outcome: 'mismatch'; presented: StoredHostKey; expected: HostKeyInfo | null; source: 'store' | 'known_hosts' | 'revoked' };

/**
 * Decides on a presented key. Our store wins; without a stored key, entries in known_hosts are honoured
 * (same key → match, other key of the same type or a revoked key → mismatch, as OpenSSH would decide).
 */
export function decideHostKey(
  presentedBlob: Buffer,
  stored: StoredHostKey | null,
  knownHosts: readonly KnownHostEntry[],
  address: string,
  port: number,
): HostKeyVerdict {
  const presented = describeKey(presentedBlob);
  const relevant = lookupKnownHosts(knownHosts, address, port);
  if (relevant.some((e) => e.marker === 'revoked' && e.keyBase64 === presented.keyBase64)) {
    return { outcome: 'mismatch', presented, expected: null, source: 'revoked' };
  }
  if (stored) {
    if (stored.keyBase64 === presented.keyBase64) return { outcome: 'match', presented, source: 'store' };
    return { outcome: 'mismatch', presented, expected: { type: stored.type, fingerprint: stored.fingerprint }, source: 'store' };
  }
  const plain = relevant.filter((e) => e.marker === null);
  if (plain.some((e) => e.keyBase64 === presented.keyBase64)) return { outcome: 'match', presented, source: 'known_hosts' };
  const sameType = plain.find((e) => e.keyType === presented.type);
  if (sameType) {
    const blob = Buffer.from(sameType.keyBase64, 'base64');
    return { outcome: 'mismatch', presented, expected: { type: sameType.keyType, fingerprint: fingerprint(blob) }, source: 'known_hosts' };
  }
  return { outcome: 'unknown', presented };
}

export interface KeyFetchParams {
  hostId: string;
  address: string;
  port: number;
  /** Only sent in the (unused) userauth request; ssh2 wants one. */
  user: string;
  /** Ask for this key type first (the stored one), as a real connect would. */
  preferType?: string | null;
  timeoutMs: number;
}

/**
 * The key the server presents NOW: an SSH handshake that stops right after the key exchange (the
 * verifier refuses), so no credential is loaded or sent and nothing runs on the host.
 */
export function fetchPresentedKey(p: KeyFetchParams): Promise<{ key: StoredHostKey; blob: Buffer }> {
  const where = p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let done = false;
    const finish = (err: unknown, got?: { key: StoredHostKey; blob: Buffer }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => {}); // late socket errors must not crash the process
      client.destroy();
      if (got) resolve(got);
      else reject(err);
    };
    const timer = setTimeout(
      () => finish(new SshError('timeout', `no answer from ${where} in time while reading its host key: the host may be down, or a firewall may drop SSH`, { hostId: p.hostId })),
      p.timeoutMs,
    );
    timer.unref?.();
    const prepend = p.preferType ? (algorithmsForKeyType(p.preferType) as ServerHostKeyAlgorithm[]) : null;
    let got: { key: StoredHostKey; blob: Buffer } | null = null;
    client.on('error', (e) => {
      if (got) return finish(null, got); // "host denied": our own refusal after reading the key
      const { code, reason } = classifyConnectError(e, where, p.address);
      finish(new SshError(code, reason, { hostId: p.hostId }));
    });
    client.on('close', () =>
      got ? finish(null, got) : finish(new SshError('connection-lost', `the connection to ${where} was closed by the other side before it presented a host key`, { hostId: p.hostId })),
    );
    try {
      client.connect({
        host: p.address,
        port: p.port,
        username: p.user,
        readyTimeout: p.timeoutMs,
        ...(prepend ? { algorithms: { serverHostKey: { prepend } as unknown as AlgorithmList<ServerHostKeyAlgorithm> } } : {}),
        hostVerifier: (blob: Buffer) => {
          try {
            got = { key: describeKey(blob), blob: Buffer.from(blob) };
            const g = got;
            setImmediate(() => finish(null, g));
          } catch (e) {
            const err = new SshError('protocol', `${where} presented a host key Portico cannot read: ${(e as Error).message}`, { hostId: p.hostId });
            setImmediate(() => finish(err));
          }
          return false;
        },
      });
    } catch (e) {
      finish(new SshError('protocol', `SSH to ${where} failed: ${(e as Error).message}`, { hostId: p.hostId }));
    }
  });
}
