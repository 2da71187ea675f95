// Running one command on a host's shared connection: the whole-command timeout and cancel (queueing
// and connecting included), a free exec channel from the host's semaphore, and the retries for a
// channel the server refused or a socket that died before the command started.
import type { Client } from 'ssh2';
import type { RemoteRunner, RunOptions, RunResult } from '../remote/runner';
import { shellLine } from '../remote/quote';
import { isSshError, SshError } from './errors';
import { execOnClient } from './exec';
import type { HostConn } from './pool-types';

/** The pool as an SshRunner uses it. */
export interface RemoteRunnerPool {
  label(hostId: string): string;
  run(hostId: string, argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

/** What runCommand needs from the pool. */
export interface CommandDeps {
  ensure(hostId: string): Promise<Client>;
  conn(hostId: string): HostConn;
  defaultTimeoutMs: number;
  killGraceMs: number;
}

const timeoutReason = new Error('timeout');

/** SshPool.run: argv on the host (validated; never a shell line built from it). */
export async function runCommand(d: CommandDeps, hostId: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string')) {
    throw new SshError('invalid-command', 'a command must be a non-empty list of strings', { hostId });
  }
  try {
    shellLine(argv); // refuses NUL before anything goes over the wire
  } catch (e) {
    throw new SshError('invalid-command', (e as Error).message, { hostId });
  }
  const timeoutMs = opts.timeoutMs ?? d.defaultTimeoutMs;
  const started = Date.now();
  // One controller covers queueing and connecting as well, so the timeout is for the whole command.
  const ac = new AbortController();
  const onAbort = () => ac.abort(opts.signal!.reason);
  if (opts.signal?.aborted) ac.abort(opts.signal.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(timeoutReason), timeoutMs);
  const c = d.conn(hostId);
  try {
    let release: (() => void) | null = null;
    try {
      await raceAbort(d.ensure(hostId), ac.signal);
      release = await c.sem.acquire(ac.signal);
      for (let attempt = 0; ; attempt++) {
        const client = await raceAbort(d.ensure(hostId), ac.signal);
        const host = c.host!;
        const useSudo = !!opts.sudo && host.user !== 'root';
        if (useSudo && !host.sudo) {
          throw new SshError(
            'sudo-not-allowed',
            `${argv[0]} needs root on ${c.label}, but the host is set up without sudo and the login user is ${host.user}; enable sudo for the host or log in as root`,
            { hostId },
          );
        }
        try {
          return await execOnClient(
            client,
            argv,
            {
              ...opts,
              // The user's signal; the timeout is passed as the time left so the stop reason stays right.
              signal: opts.signal,
              useSudo,
              timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
            },
            { hostId, label: c.label, user: host.user, isDead: () => c.dead || c.client !== client, killGraceMs: d.killGraceMs },
          );
        } catch (e) {
          if (isSshError(e)) {
            throw e;
          }
          // Channel open refused: the server allows fewer sessions than we assumed. Shrink and wait.
          if (/Channel open failure/i.test(String((e as Error)?.message)) && attempt < 5) {
            if (c.sem.inUse > 1) c.sem.setLimit(c.sem.inUse - 1);
            release();
            release = null;
            release = await c.sem.acquire(ac.signal);
            continue;
          }
          // ssh2 says "Not connected" when the socket died before the pool heard of it: the
          // command never started, so drop that client and run it on a fresh connection.
          if (/Not connected/i.test(String((e as Error)?.message)) && attempt < 5 && c.client === client) {
            c.dead = true;
            c.client = null;
            client.destroy();
            continue;
          }
          if (c.dead || c.client !== client) {
            throw new SshError('connection-lost', `the connection to ${c.label} was lost before ${argv[0]} could start`, { hostId });
          }
          throw new SshError('channel-open-failed', `${c.label} refused a new command channel: ${(e as Error)?.message ?? e}`, { hostId });
        }
      }
    } finally {
      release?.();
    }
  } catch (e) {
    if (ac.signal.aborted && !isSshError(e)) {
      // Aborted while queued or connecting: nothing ran on the host.
      throw ac.signal.reason === timeoutReason
        ? new SshError('command-timeout', `${argv[0]} on ${c.label} could not start within ${timeoutMs / 1000} s (waiting for the connection or a free channel)`, { hostId })
        : new SshError('cancelled', `${argv[0]} on ${c.label} was cancelled before it started`, { hostId });
    }
    throw e;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** RemoteRunner over the pool: what drivers get. */
export class SshRunner implements RemoteRunner {
  constructor(
    private readonly pool: RemoteRunnerPool,
    readonly hostId: string,
  ) {}
  get label(): string {
    return this.pool.label(this.hostId);
  }
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    return this.pool.run(this.hostId, argv, opts);
  }
}
