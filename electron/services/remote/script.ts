// Runs a fixed shell script on a host with its arguments on stdin, never on a command line: the
// only argv is a constant bootstrap (`[sudo -n] bash -c BOOT`), so no value (and no secret) shows
// in /proc/*/cmdline or in sudo's auth log. The bootstrap reads the script and the arguments as
// NUL-terminated fields, then hands the rest of stdin to the script as its own stdin.
import type { RemoteRunner, RunOptions, RunResult } from './runner';

/** Reads: script, argument count, arguments (each NUL-terminated); then runs the script with them as $1... */
export const BOOTSTRAP =
  'IFS= read -r -d "" __s || exit 97; IFS= read -r -d "" __n || exit 97; __a=(); ' +
  'while [ "$__n" -gt 0 ]; do IFS= read -r -d "" __x || exit 97; __a+=("$__x"); __n=$((__n-1)); done; ' +
  'set -- "${__a[@]}"; unset __a __x __n; eval "$__s"';

/** How operation kinds reach a host (the SSH pool; a local runner in tests). */
export interface RemoteHosts {
  runner(hostId: string): RemoteRunner;
}

export interface ScriptOptions extends Omit<RunOptions, 'stdin' | 'sudo'> {
  /** Needs root: runs the whole script through one `sudo -n bash` where the login user is not root. */
  sudo?: boolean;
  /** Bytes the script reads from its stdin after the arguments. */
  input?: string | Buffer;
}

export function encodeScriptInput(script: string, args: readonly string[], input?: string | Buffer): Buffer {
  for (const a of args) if (a.includes('\0')) throw new Error('script arguments cannot contain NUL bytes');
  if (script.includes('\0')) throw new Error('scripts cannot contain NUL bytes');
  const head = Buffer.from([script, String(args.length), ...args].map((x) => x + '\0').join(''), 'utf8');
  return input === undefined ? head : Buffer.concat([head, typeof input === 'string' ? Buffer.from(input, 'utf8') : input]);
}

export function runScript(r: RemoteRunner, script: string, args: readonly string[], o: ScriptOptions = {}): Promise<RunResult> {
  const { input, sudo, ...rest } = o;
  return r.run(['bash', '-c', BOOTSTRAP], { ...rest, sudo, stdin: encodeScriptInput(script, args, input) });
}
