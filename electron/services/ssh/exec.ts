// Runs one command on one exec channel.
//
// Stopping (timeout or AbortSignal): the command line reports the login shell's PID first and then
// execs the command (pidReportingLine). sshd made that shell a process-group leader, so on stop we open
// a second, small exec channel and send TERM to the whole group, then KILL after a grace period, then
// close the channel. We chose this over wrapping in `timeout(1)` because it serves cancellation as well
// as timeouts, needs nothing installed on the host, and does not depend on the server honouring SSH
// "signal" requests (OpenSSH < 7.9 and others ignore them).
import type { Client, ClientChannel } from 'ssh2';
import { killGroupLine, pidReportingLine } from '../remote/quote';
import type { RunOptions, RunResult } from '../remote/runner';
import { SshError } from './errors';
import { LineSplitter } from './lines';

export interface ExecContext {
  hostId: string;
  label: string;
  user: string;
  /** True once the connection is gone (set by the pool on close). */
  isDead: () => boolean;
  killGraceMs: number;
}

const SUDO_PASSWORD = /^sudo: (a password is required|a terminal is required|.*password)/m;

export function openExec(client: Client, line: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(line, (err, ch) => (err ? reject(err) : resolve(ch)));
    } catch (e) {
      reject(e);
    }
  });
}

/** Fire-and-forget helper channel (kill); bypasses the semaphore on purpose, which is why it stays below MaxSessions. */
function sideExec(client: Client, line: string): void {
  openExec(client, line).then(
    (ch) => {
      ch.on('data', () => {});
      ch.stderr.on('data', () => {});
      ch.end();
    },
    () => {},
  );
}

export async function execOnClient(
  client: Client,
  argv: readonly string[],
  opts: RunOptions & { useSudo: boolean; timeoutMs: number },
  ctx: ExecContext,
): Promise<RunResult> {
  const line = pidReportingLine(argv, { sudo: opts.useSudo });
  const prog = argv[0];
  const ch = await openExec(client, line);

  return new Promise<RunResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let header = '';
    let pid: number | null = null;
    let exit: { code: number | null; signal: string | null } | null = null;
    let stopping: 'timeout' | 'cancelled' | null = null;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const outLines = new LineSplitter((l) => opts.onLine?.('stdout', l));
    const errLines = new LineSplitter((l) => opts.onLine?.('stderr', l));

    const cleanup = () => {
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(e);
    };

    const sendKill = (sig: 'TERM' | 'KILL') => {
      if (pid !== null && pid > 1 && !ctx.isDead()) sideExec(client, killGroupLine(pid, sig, { sudo: opts.useSudo }));
    };
    const stop = (why: 'timeout' | 'cancelled') => {
      if (stopping || settled) return;
      stopping = why;
      sendKill('TERM');
      timers.push(
        setTimeout(() => sendKill('KILL'), ctx.killGraceMs),
        // Last resort: stop waiting even if the remote side never closes the channel.
        setTimeout(() => {
          ch.close();
          finishStopped();
        }, ctx.killGraceMs * 2 + 1000),
      );
    };
    const finishStopped = () => {
      const partial = { stdout, stderr };
      if (stopping === 'timeout') {
        fail(
          new SshError('command-timeout', `${prog} on ${ctx.label} did not finish within ${Math.round(opts.timeoutMs / 100) / 10} s and was stopped`, {
            hostId: ctx.hostId,
            partial,
          }),
        );
      } else {
        fail(new SshError('cancelled', `${prog} on ${ctx.label} was cancelled and stopped`, { hostId: ctx.hostId, partial }));
      }
    };
    const onAbort = () => stop('cancelled');

    ch.on('data', (chunk: Buffer) => {
      if (pid === null) {
        // The first stdout line is the PID from pidReportingLine; it is not the command's output.
        header += chunk.toString('latin1');
        const nl = header.indexOf('\n');
        if (nl < 0) return;
        pid = Number(header.slice(0, nl));
        if (!Number.isInteger(pid) || pid < 2) pid = -1;
        const rest = Buffer.from(header.slice(nl + 1), 'latin1');
        header = '';
        if (stopping) sendKill('TERM');
        if (rest.length) stdout += outLines.push(rest);
        return;
      }
      stdout += outLines.push(chunk);
    });
    ch.stderr.on('data', (chunk: Buffer) => {
      stderr += errLines.push(chunk);
    });
    ch.on('exit', (code: number | null, signal?: string) => {
      exit = { code: code ?? null, signal: signal ?? null };
    });
    ch.on('error', () => {
      /* surfaced through close */
    });
    ch.on('close', (code?: number | null, signal?: string) => {
      // ssh2 passes the recorded exit status to 'close' too; a status that came in the same TCP read as
      // the exec reply can precede our 'exit' listener, so this is the reliable source.
      if (!exit && (typeof code === 'number' || typeof signal === 'string')) exit = { code: code ?? null, signal: signal ?? null };
      stdout += outLines.end();
      stderr += errLines.end();
      if (settled) return;
      if (stopping) return finishStopped();
      if (!exit) {
        return fail(
          new SshError(
            'connection-lost',
            ctx.isDead()
              ? `the connection to ${ctx.label} was lost while ${prog} was running; it may or may not have finished on the host`
              : `${ctx.label} closed the channel of ${prog} without an exit status`,
            { hostId: ctx.hostId, partial: { stdout, stderr } },
          ),
        );
      }
      if (opts.useSudo && exit.code === 1 && SUDO_PASSWORD.test(stderr)) {
        return fail(
          new SshError(
            'sudo-password-required',
            `sudo on ${ctx.label} wants a password to run ${prog} as root; add a NOPASSWD sudoers rule for ${prog} for user ${ctx.user}, or log in as root`,
            { hostId: ctx.hostId },
          ),
        );
      }
      settled = true;
      cleanup();
      resolve({ code: exit.code, signal: exit.signal, stdout, stderr });
    });

    if (opts.signal) {
      if (opts.signal.aborted) stop('cancelled');
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }
    if (opts.timeoutMs > 0 && Number.isFinite(opts.timeoutMs)) timers.push(setTimeout(() => stop('timeout'), opts.timeoutMs));

    // EOF (so a command reading stdin does not wait forever) without ending our side of the stream:
    // a fully ended Duplex auto-destroys, and ssh2 would then send CHANNEL_CLOSE as soon as the server's
    // EOF arrives, racing the exit-status that follows it (sshd may then never send the status).
    if (opts.stdin !== undefined) ch.write(opts.stdin, () => ch.eof());
    else ch.eof();
  });
}
