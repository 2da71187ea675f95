import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKeyFile } from './keyfile';

const dir = mkdtempSync(join(tmpdir(), 'kf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const gen = (name: string, pass: string, extra: string[] = []) => {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', pass, '-f', f, ...extra]);
  return f;
};

describe('loadKeyFile', () => {
  const plain = gen('plain', '', ['-t', 'ed25519']);
  const enc = gen('enc', 'correct horse', ['-t', 'ed25519']);
  const pem = gen('pem', 'correct horse', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']);

  it('loads plain and encrypted keys', async () => {
    expect(await loadKeyFile(plain)).toMatchObject({ type: 'ssh-ed25519', encrypted: false });
    expect(await loadKeyFile(enc, 'correct horse')).toMatchObject({ type: 'ssh-ed25519', encrypted: true });
    expect(await loadKeyFile(pem, 'correct horse')).toMatchObject({ type: 'ssh-rsa', encrypted: true });
  });

  it('gives a missing passphrase and a wrong one their own messages', async () => {
    await expect(loadKeyFile(enc)).rejects.toMatchObject({ code: 'key-passphrase-required', message: expect.stringMatching(/encrypted: enter its passphrase/) });
    await expect(loadKeyFile(enc, 'wrong')).rejects.toMatchObject({ code: 'key-passphrase-wrong', message: expect.stringMatching(/passphrase does not open/) });
    await expect(loadKeyFile(pem, 'wrong')).rejects.toMatchObject({ code: 'key-passphrase-wrong' });
  });

  it('never puts the passphrase into the message', async () => {
    const e = await loadKeyFile(enc, 'hunter2-secret').catch((x) => x);
    expect(String(e.message)).not.toContain('hunter2');
  });

  it('refuses unreadable, missing, public and garbage files', async () => {
    await expect(loadKeyFile(join(dir, 'nope'))).rejects.toMatchObject({ code: 'key-unreadable', message: expect.stringMatching(/does not exist/) });
    await expect(loadKeyFile(dir)).rejects.toMatchObject({ code: 'key-unreadable', message: expect.stringMatching(/directory/) });
    await expect(loadKeyFile(`${plain}.pub`)).rejects.toMatchObject({ code: 'key-invalid', message: expect.stringMatching(/public key/) });
    const junk = join(dir, 'junk');
    writeFileSync(junk, 'hello');
    await expect(loadKeyFile(junk)).rejects.toMatchObject({ code: 'key-invalid' });
    if (process.getuid?.() !== 0) {
      chmodSync(plain, 0o000);
      await expect(loadKeyFile(plain)).rejects.toMatchObject({ code: 'key-unreadable' });
    }
  });
});
