// A folder only this user can enter, for build products a bench executes (the netdelay relay, the
// startup bench's bundles). Never a fixed /tmp path: another local user could plant a binary there.
// Under $XDG_RUNTIME_DIR when the session has one, else ~/.cache/portico/NAME; created 0700 and
// checked before every use: a real folder (not a symlink), owned by this user, no group/other bits.
import { lstatSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Throws unless `dir` is a real folder owned by this user with mode 0700 or stricter. */
export function assertPrivateDir(dir: string): void {
  const st = lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) throw new Error(`${dir} is not a plain folder (symlink or file): refusing to use it`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new Error(`${dir} belongs to uid ${st.uid}, not to this user (${uid}): refusing to use it`);
  if (st.mode & 0o077) throw new Error(`${dir} has mode ${(st.mode & 0o777).toString(8)}; it must be 0700: refusing to use it`);
}

/** Where private folders go: $XDG_RUNTIME_DIR/portico when set, else ~/.cache/portico. */
export function privateBase(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const xdg = env.XDG_RUNTIME_DIR;
  return xdg && xdg.startsWith('/') ? join(xdg, 'portico') : join(home, '.cache', 'portico');
}

/** `base/name`, created 0700 if missing (base too), then checked with assertPrivateDir. */
export function privateDir(name: string, base = privateBase()): string {
  mkdirSync(base, { recursive: true, mode: 0o700 });
  assertPrivateDir(base);
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  assertPrivateDir(dir);
  return dir;
}
