// Where browser mode gets the key for the SecretStore: the admin's passphrase (environment or a
// prompt on the terminal). Without either, a random key file (0600) is used and the UI says
// plainly that secrets are then protected only by file permissions.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Db } from '../services/db';
import { PassphraseCipher, type SecretCipher } from '../services/secrets';

async function promptHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const rlAny = rl as unknown as { _writeToOutput: (s: string) => void };
  const orig = rlAny._writeToOutput.bind(rl);
  let asked = false;
  rlAny._writeToOutput = (s: string) => (asked ? undefined : orig(s));
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    asked = true;
  });
}

export async function browserModeCipher(dataDir: string): Promise<(db: Db) => SecretCipher> {
  const fromEnv = process.env.PORTICO_PASSPHRASE;
  if (fromEnv) {
    delete process.env.PORTICO_PASSPHRASE; // keep it out of child processes
    return (db) => new PassphraseCipher(db, fromEnv);
  }
  if (process.stdin.isTTY) {
    const p = await promptHidden('Passphrase for Portico secrets (CHAP secrets, SSH passwords): ');
    return (db) => new PassphraseCipher(db, p);
  }
  const keyFile = join(dataDir, 'secrets.key');
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const key = readFileSync(keyFile, 'utf8').trim();
  return (db) =>
    new PassphraseCipher(db, key, {
      kind: 'key file',
      protected: false,
      note: `Secrets are encrypted with a random key kept in ${keyFile} (mode 0600): only file permissions protect it. Start with PORTICO_PASSPHRASE or from a terminal to use a passphrase instead.`,
    });
}
