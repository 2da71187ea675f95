// CHAP with MD5 (RFC 1994 as used by RFC 7143 §12.1.3): R = MD5(id || secret || challenge).
// Secrets are only ever hashed here; nothing in this module logs or formats them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IscsiError } from './errors';

/** CHAP_A value for MD5; the only algorithm we offer (tgtd's 7 is not the 7 of other stacks). */
export const CHAP_MD5 = 5;

export function chapResponse(id: number, secret: string | Buffer, challenge: Buffer): Buffer {
  if (!Number.isInteger(id) || id < 0 || id > 255) throw new RangeError('CHAP identifier must be 0..255');
  const h = createHash('md5');
  h.update(Buffer.of(id)); // the id byte is hashed even when it is 0
  h.update(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
  h.update(challenge);
  return h.digest();
}

/** Our challenge for mutual CHAP: 16 random bytes and a random id. */
export function newChallenge(): { id: number; challenge: Buffer } {
  const b = randomBytes(17);
  return { id: b[0], challenge: b.subarray(1) };
}

export function responsesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * One secret for both directions defeats mutual CHAP (a peer could reflect our own response).
 * Throws with a message that names the problem but never the secret.
 */
export function assertDistinctSecrets(initiatorSecret: string, targetSecret: string): void {
  if (initiatorSecret === targetSecret) {
    throw new IscsiError(
      'auth-failed',
      'Mutual CHAP needs two different secrets: the target secret must differ from the initiator secret.',
    );
  }
}
