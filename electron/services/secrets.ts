// SecretStore: CHAP secrets, SSH passwords and key passphrases, encrypted before they touch disk.
// The cipher is pluggable: Electron's safeStorage in the desktop app (electron/main.ts supplies it),
// a passphrase-derived key (scrypt + AES-256-GCM) in browser mode.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Db } from './db';
import { PorticoError } from '../../shared/contract-kit';

export interface SecretCipher {
  /** Shown to the admin: where the key lives and whether the OS protects it. */
  readonly backend: { kind: string; protected: boolean; note: string };
  encrypt(plain: Buffer): string;
  decrypt(blob: string): Buffer;
}

export class SecretStore {
  constructor(
    private readonly db: Db,
    private readonly cipher: SecretCipher,
  ) {}

  get backend() {
    return this.cipher.backend;
  }

  set(name: string, value: string): void {
    this.db.prepare('INSERT INTO secrets (name, blob) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET blob = excluded.blob').run(name, this.cipher.encrypt(Buffer.from(value, 'utf8')));
  }

  get(name: string): string | null {
    const row = this.db.prepare('SELECT blob FROM secrets WHERE name = ?').get(name) as { blob: string } | undefined;
    return row ? this.cipher.decrypt(row.blob).toString('utf8') : null;
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name);
  }

  deletePrefix(prefix: string): void {
    this.db.prepare("DELETE FROM secrets WHERE substr(name, 1, ?) = ?").run(prefix.length, prefix);
  }
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const VERIFIER_TEXT = Buffer.from('portico-secret-store-v1');

/**
 * AES-256-GCM with a key derived by scrypt from the admin's passphrase. The salt and a verifier
 * (the encrypted known text) live in the settings table, so a wrong passphrase is detected at start.
 */
export class PassphraseCipher implements SecretCipher {
  private readonly key: Buffer;
  readonly backend: SecretCipher['backend'];

  constructor(db: Db, passphrase: string, backend?: SecretCipher['backend']) {
    if (passphrase.length < 8) throw new PorticoError('weak-passphrase', 'The secrets passphrase must have at least 8 characters.');
    const get = (k: string) => (db.prepare('SELECT value FROM settings WHERE key = ?').get(k) as { value: string } | undefined)?.value;
    const put = (k: string, v: string) => db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(k, v);
    let salt = get('secrets.salt');
    if (!salt) {
      salt = randomBytes(16).toString('base64');
      put('secrets.salt', salt);
    }
    this.key = scryptSync(passphrase, Buffer.from(salt, 'base64'), 32, SCRYPT);
    this.backend = backend ?? { kind: 'passphrase', protected: true, note: 'Secrets are encrypted with a key derived from your passphrase (scrypt, AES-256-GCM).' };
    const verifier = get('secrets.verifier');
    if (!verifier) put('secrets.verifier', this.encrypt(VERIFIER_TEXT));
    else {
      let ok = false;
      try {
        const v = this.decrypt(verifier);
        ok = v.length === VERIFIER_TEXT.length && timingSafeEqual(v, VERIFIER_TEXT);
      } catch {
        ok = false;
      }
      if (!ok) throw new PorticoError('wrong-passphrase', 'The secrets passphrase is wrong: it does not open the secrets stored in this data folder.');
    }
  }

  encrypt(plain: Buffer): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([c.update(plain), c.final()]);
    return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
  }

  decrypt(blob: string): Buffer {
    const [v, iv, tag, ct] = blob.split(':');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('secret blob has an unknown format');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]);
  }
}
