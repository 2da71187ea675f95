// Private key file checks for the add-host form and for every connect: readable, a private key ssh2
// can parse, and a passphrase that opens it. Each fault has its own code and sentence.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import ssh2 from 'ssh2';
import { SshError } from './errors';

export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return homedir() + path.slice(1);
  return path;
}

export interface LoadedKey {
  /** File contents, as ssh2 wants them (it parses again with the passphrase). */
  data: Buffer;
  type: string;
  encrypted: boolean;
}

const NEEDS_PASSPHRASE = /no passphrase given/i;
const BAD_PASSPHRASE = /bad passphrase|integrity check failed|decrypt/i;

/** Parses with ssh2's own parser so what passes here also works when connecting. */
export function checkKeyData(data: Buffer, passphrase: string | null | undefined, label = 'the key file'): LoadedKey {
  let parsed = ssh2.utils.parseKey(data, passphrase || undefined);
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (parsed instanceof Error) {
    if (NEEDS_PASSPHRASE.test(parsed.message)) {
      throw new SshError('key-passphrase-required', `${label} is encrypted: enter its passphrase`);
    }
    if (passphrase && BAD_PASSPHRASE.test(parsed.message)) {
      throw new SshError('key-passphrase-wrong', `the passphrase does not open ${label}: check it and try again`);
    }
    throw new SshError(
      'key-invalid',
      `${label} is not a private key ssh2 can read (OpenSSH, PEM/PKCS#1 or PKCS#8 with RSA, ECDSA or Ed25519); choose the private key, not the .pub file`,
    );
  }
  if (!parsed || !parsed.isPrivateKey()) {
    throw new SshError('key-invalid', `${label} holds a public key; choose the private key file (the one without .pub)`);
  }
  // Parsing succeeded without a passphrase → not encrypted; with one, check whether it was needed.
  const encrypted = !!passphrase && ssh2.utils.parseKey(data) instanceof Error;
  return { data, type: parsed.type, encrypted };
}

export async function loadKeyFile(path: string, passphrase?: string | null): Promise<LoadedKey> {
  const full = expandHome(path);
  let data: Buffer;
  try {
    data = await readFile(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read by this user (check its permissions)'
          : code === 'EISDIR'
            ? 'is a directory, not a file'
            : `cannot be read (${code ?? 'error'})`;
    throw new SshError('key-unreadable', `key file ${path} ${why}`);
  }
  if (data.length > 64 * 1024) throw new SshError('key-invalid', `key file ${path} is too large to be a private key`);
  return checkKeyData(data, passphrase, `key file ${path}`);
}
