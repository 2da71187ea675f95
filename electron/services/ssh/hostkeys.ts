// Host key fingerprints, the store of accepted keys and the verification decision (TOFU with a hard block
// on change). ssh2 accepts any key unless we verify, so every connection goes through verifyHostKey.
import { createHash } from 'node:crypto';
import type { HostKeyInfo } from '../../../shared/domain/host';
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
