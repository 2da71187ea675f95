import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { algorithmsForKeyType, decideHostKey, describeKey, fingerprint, keyTypeOf, MemoryHostKeyStore } from './hostkeys';
import { parseKnownHosts } from './knownhosts';

function genKey(type: 'ed25519' | 'rsa' | 'ecdsa'): { blob: Buffer; b64: string; keygenFp: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hk-'));
  try {
    const f = join(dir, 'k');
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', f]);
    const b64 = readFileSync(`${f}.pub`, 'utf8').split(' ')[1];
    const keygenFp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${f}.pub`]).toString().split(' ')[1];
    return { blob: Buffer.from(b64, 'base64'), b64, keygenFp };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('fingerprint', () => {
  it.each(['ed25519', 'rsa', 'ecdsa'] as const)('matches ssh-keygen -l for %s', (t) => {
    const k = genKey(t);
    expect(fingerprint(k.blob)).toBe(k.keygenFp);
    expect(fingerprint(k.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
  it('reads the key type from the blob and refuses garbage', () => {
    const k = genKey('ed25519');
    expect(keyTypeOf(k.blob)).toBe('ssh-ed25519');
    expect(() => keyTypeOf(Buffer.from([0, 0, 0, 200, 1]))).toThrow();
    expect(() => keyTypeOf(Buffer.alloc(2))).toThrow();
    expect(algorithmsForKeyType('ssh-rsa')).toContain('rsa-sha2-512');
  });
});

describe('decideHostKey', () => {
  const a = genKey('ed25519');
  const b = genKey('ed25519');
  const r = genKey('rsa');

  it('unknown on first contact, match after storing, mismatch after change', () => {
    const store = new MemoryHostKeyStore();
    expect(decideHostKey(a.blob, store.get('h'), [], '192.0.2.5', 22).outcome).toBe('unknown');
    store.set('h', describeKey(a.blob));
    expect(decideHostKey(a.blob, store.get('h'), [], '192.0.2.5', 22)).toMatchObject({ outcome: 'match', source: 'store' });
    const v = decideHostKey(b.blob, store.get('h'), [], '192.0.2.5', 22);
    expect(v).toMatchObject({ outcome: 'mismatch', expected: { fingerprint: a.keygenFp }, presented: { fingerprint: b.keygenFp } });
  });

  it('honours known_hosts: plain, [host]:port and hashed entries', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[192.0.2.7]:2222').digest();
    const kh = parseKnownHosts(
      [
        `stor1,192.0.2.5 ssh-ed25519 ${a.b64} root@stor1`,
        `[192.0.2.6]:2200 ssh-ed25519 ${a.b64}`,
        `|1|${salt.toString('base64')}|${hash.toString('base64')} ssh-ed25519 ${a.b64}`,
      ].join('\n'),
    );
    expect(decideHostKey(a.blob, null, kh, '192.0.2.5', 22)).toMatchObject({ outcome: 'match', source: 'known_hosts' });
    expect(decideHostKey(a.blob, null, kh, '192.0.2.6', 2200)).toMatchObject({ outcome: 'match' });
    expect(decideHostKey(a.blob, null, kh, '192.0.2.6', 22).outcome).toBe('unknown');
    expect(decideHostKey(a.blob, null, kh, '192.0.2.7', 2222)).toMatchObject({ outcome: 'match' });
    // Same type, other key → changed; other type only → unknown (OpenSSH asks as well).
    expect(decideHostKey(b.blob, null, kh, '192.0.2.5', 22)).toMatchObject({ outcome: 'mismatch', source: 'known_hosts' });
    expect(decideHostKey(r.blob, null, kh, '192.0.2.5', 22).outcome).toBe('unknown');
  });

  it('treats @revoked as a mismatch even when the store has it', () => {
    const kh = parseKnownHosts(`@revoked * ssh-ed25519 ${a.b64}`);
    const v = decideHostKey(a.blob, describeKey(a.blob), kh, '192.0.2.5', 22);
    expect(v).toMatchObject({ outcome: 'mismatch', source: 'revoked', expected: null });
  });

  it('the store wins over known_hosts', () => {
    const kh = parseKnownHosts(`192.0.2.5 ssh-ed25519 ${b.b64}`);
    expect(decideHostKey(a.blob, describeKey(a.blob), kh, '192.0.2.5', 22).outcome).toBe('match');
  });
});
