// SSH into lab hosts from the workstation with the OpenSSH client and the lab's keys.
//   const r = await sshRun(lab, 'stor1', ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
import type { LabInfo } from './labinfo';
import { run, type RunOptions, type RunResult } from './util';

/** POSIX single-quote one word for the remote shell. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface SshOptions extends RunOptions {
  /** 'root' (default) or 'admin' (non-root user with sudo NOPASSWD); both by key. */
  as?: 'root' | 'admin';
  /** known_hosts file; default the lab's (use another to test host key checks). */
  knownHosts?: string;
  strictHostKeyChecking?: 'yes' | 'no' | 'accept-new';
  /** Connect to this address instead of the host's management address. */
  address?: string;
}

export function sshArgs(lab: LabInfo, host: string, opts: SshOptions = {}): string[] {
  const h = lab.hosts[host];
  if (!h) throw new Error(`no lab host ${host}`);
  const acct = opts.as === 'admin' ? lab.accounts.admin : lab.accounts.root;
  return [
    '-i', acct.keyPath!,
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${opts.knownHosts ?? lab.knownHostsPath}`,
    '-o', `StrictHostKeyChecking=${opts.strictHostKeyChecking ?? 'yes'}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'ConnectTimeout=5',
    '-o', 'LogLevel=ERROR',
    '-p', String(h.ssh.port),
    `${acct.user}@${opts.address ?? h.ssh.host}`,
  ];
}

/** Run argv on the host over SSH (each word quoted for the remote shell), or a raw shell string. */
export function sshRun(lab: LabInfo, host: string, command: string[] | string, opts: SshOptions = {}): Promise<RunResult> {
  const remote = typeof command === 'string' ? command : command.map(shellQuote).join(' ');
  return run('ssh', [...sshArgs(lab, host, opts), '--', remote], { timeoutMs: 20_000, ...opts });
}
