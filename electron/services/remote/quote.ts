// The single place where an argument vector becomes a POSIX shell command line.
// Every value is single-quoted unless it is made only of characters no shell treats specially.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteArg(arg: string): string {
  if (arg.includes('\0')) throw new Error('argument contains a NUL byte, which no remote command can carry');
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(quoteArg).join(' ');
}

/** `sudo -n -- argv…`: -n fails at once ("a password is required") instead of waiting for a password no one can type. */
export function sudoLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return shellLine(['sudo', '-n', '--', ...argv]);
}

/**
 * Line for a command we may have to stop: the login shell prints its PID on the first stdout line, then
 * `exec`s the command. sshd makes that shell a session and process-group leader (setsid), so the PID is
 * also the process group of everything the command starts and `kill -- -PID` stops all of it.
 */
export function pidReportingLine(argv: readonly string[], opts: { sudo?: boolean } = {}): string {
  const cmd = opts.sudo ? sudoLine(argv) : shellLine(argv);
  return `echo $$; exec ${cmd}`;
}

/**
 * Signals a process group started by pidReportingLine. A sudo'ed command runs as root, so the login
 * user's own kill may be refused; then it is retried through `sudo -n kill` (fails fast if not allowed).
 */
export function killGroupLine(pid: number, signal: 'TERM' | 'KILL', opts: { sudo?: boolean } = {}): string {
  if (!Number.isInteger(pid) || pid < 2) throw new Error('invalid process id');
  const argv = ['kill', `-${signal}`, '--', `-${pid}`];
  const own = `${shellLine(argv)} 2>/dev/null`;
  return opts.sudo ? `${own} || ${sudoLine(argv)}` : own;
}
