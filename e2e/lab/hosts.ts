// Running things "on" a lab host: inside its network, mount and UTS namespaces.
//
//   const h = lab.hosts.hv1;
//   const vdsm = startOnHost(h, [process.execPath, 'path/to/vdsm-double.js', '--port', '54321'], { env: { X: '1' } });
//   await vdsm.ready(() => tcpOpen(h.addresses.mgmt!, 54321));
//   ...
//   await vdsm.stop();            // or leave it: lab down kills every process of every host
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { isZombie, nsId, pidAlive, pidsInNs, procCmdline, procExe, run, sleep, waitFor, type RunOptions, type RunResult } from './util';

/** The part of a host description needed to act on it (LabHostInfo satisfies it). */
export interface HostRef {
  name: string;
  anchorPid: number;
  logDir: string;
}

export function nsenterArgs(host: HostRef): string[] {
  return ['-t', String(host.anchorPid), '-m', '-n', '-u', '--'];
}

/** A path inside the host's mount namespace, as seen from the workstation (/proc/PID/root/...). */
export function hostPath(host: HostRef, p: string): string {
  return `/proc/${host.anchorPid}/root${p.startsWith('/') ? p : `/${p}`}`;
}

/** Run a command inside the host (as root, like a root shell on it) and collect its output. */
export function execOnHost(host: HostRef, argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run('nsenter', [...nsenterArgs(host), ...argv], opts);
}

/** Start a long-running daemon in the host, detached, output appended to logDir/<name>.log. Returns its pid. */
export function spawnDaemon(host: HostRef, name: string, argv: string[], env?: NodeJS.ProcessEnv): number {
  mkdirSync(host.logDir, { recursive: true });
  const fd = openSync(join(host.logDir, `${name}.log`), 'a');
  try {
    const child = spawn('nsenter', [...nsenterArgs(host), ...argv], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: env ?? process.env,
    });
    child.on('error', () => undefined);
    child.unref();
    if (!child.pid) throw new Error(`could not start ${name} on ${host.name}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export interface StartOptions {
  /** Extra environment (merged over this process's environment unless cleanEnv). */
  env?: Record<string, string>;
  cleanEnv?: boolean;
  /** Working directory inside the host (default: this process's cwd if the host sees it, else /). */
  cwd?: string;
  /** 'pipe' (default: read child.stdout/stderr), 'inherit', or 'log' (appended to the host's logDir/<logName>.log). */
  stdio?: 'pipe' | 'inherit' | 'log';
  logName?: string;
}

export interface LabProcess {
  host: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  /** Polls `check` until it returns true (e.g. a port answers); fails early if the process exits. */
  ready(check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutMs. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Start a process "on" a lab host: it sees the host's addresses, /etc, /run, hostname.
 * Processes not stopped explicitly die with the lab (lab down kills every process in the host's namespace).
 */
export function startOnHost(host: HostRef, argv: string[], opts: StartOptions = {}): LabProcess {
  if (argv.length === 0) throw new Error('startOnHost: empty argv');
  let stdio: StdioOptions = 'pipe';
  let fd: number | null = null;
  if (opts.stdio === 'inherit') stdio = 'inherit';
  else if (opts.stdio === 'log') {
    mkdirSync(host.logDir, { recursive: true });
    fd = openSync(join(host.logDir, `${opts.logName ?? argv[0].split('/').pop()}.log`), 'a');
    stdio = ['ignore', fd, fd];
  }
  const env = opts.cleanEnv ? { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...opts.env } : { ...process.env, ...opts.env };
  // Entering a mount namespace resets the working directory: set it again inside the host
  // (default: this process's cwd when the host sees it, e.g. the repo; else /).
  const want = opts.cwd ?? process.cwd();
  const wd = existsSync(hostPath(host, want)) ? want : '/';
  if (opts.cwd && wd !== opts.cwd) throw new Error(`startOnHost: ${opts.cwd} does not exist on ${host.name}`);
  const child = spawn('nsenter', ['-t', String(host.anchorPid), '-m', '-n', '-u', `--wd=${wd}`, '--', ...argv], { stdio, env });
  if (fd !== null) closeSync(fd);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
    child.once('error', () => {
      exitCode = null;
      resolve(null);
    });
  });
  if (!child.pid) throw new Error(`startOnHost: could not spawn ${argv[0]} on ${host.name}`);
  const pid = child.pid;
  return {
    host: host.name,
    pid,
    child,
    exited,
    async ready(check, timeoutMs = 15_000) {
      await waitFor(`${argv[0]} on ${host.name} to be ready`, async () => {
        if (exitCode !== undefined) throw new Error(`${argv.join(' ')} on ${host.name} exited with ${exitCode}`);
        return check();
      }, timeoutMs, 50).catch((e) => {
        if (exitCode !== undefined) throw new Error(`${argv.join(' ')} on ${host.name} exited with ${exitCode} before it was ready`);
        throw e;
      });
    },
    async stop(timeoutMs = 3000) {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Every live process in the host's network namespace (daemons, ssh sessions, doubles). */
export function hostPids(host: HostRef): number[] {
  const id = nsId(host.anchorPid, 'net');
  if (!id) return [];
  return pidsInNs('net', id).filter((p) => !isZombie(p));
}

/** Pids of a daemon on the host by executable path; `match` filters on the command line. */
export function findDaemonPids(host: HostRef, exe: string, match?: (argv: string[]) => boolean): number[] {
  return hostPids(host).filter((p) => p !== host.anchorPid && procExe(p) === exe && (!match || match(procCmdline(p))));
}

export async function killAndWait(pids: number[], timeoutMs = 5000): Promise<void> {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await waitFor(`pids ${pids.join(',')} to exit`, () => pids.every((p) => !pidAlive(p) || isZombie(p)), timeoutMs, 20);
  await sleep(0);
}
