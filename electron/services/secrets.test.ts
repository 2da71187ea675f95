import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from './db';
import { PassphraseCipher, SecretStore } from './secrets';

describe('PassphraseCipher', () => {
  it('round-trips, detects a wrong passphrase and tampering', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-sec-'));
    try {
      const db = openDb(join(dir, 'p.sqlite'));
      const store = new SecretStore(db, new PassphraseCipher(db, 'correct horse'));
      store.set('a', 'sekrit-value');
      expect(store.get('a')).toBe('sekrit-value');
      expect(() => new PassphraseCipher(db, 'wrong horse')).toThrow(/passphrase is wrong/);
      const blob = (db.prepare("SELECT blob FROM secrets WHERE name='a'").get() as { blob: string }).blob;
      expect(blob).not.toContain('sekrit');
      const parts = blob.split(':');
      parts[3] = Buffer.from('tampered').toString('base64');
      db.prepare("UPDATE secrets SET blob=? WHERE name='a'").run(parts.join(':'));
      expect(() => store.get('a')).toThrow();
      store.deletePrefix('a');
      expect(store.get('a')).toBeNull();
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
