// The one interface every driver uses to run a program on a managed host.
// Implementation: SshRunner (pooled ssh2 connection, electron/services/ssh/pool.ts).
// Commands are argument vectors; only quote.ts turns them into a shell line.

export interface RunOptions {
  /** Run through `sudo -n` when the login user is not root. */
  sudo?: boolean;
  /** Bytes written to the command's stdin, then EOF (e.g. file contents for an atomic write). */
  stdin?: string | Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Streams output lines as they arrive (job log). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface RunResult {
  /** Exit code; null when killed by a signal. */
  code: number | null;
  signal?: string | null;
  stdout: string;
  stderr: string;
}

export interface RemoteRunner {
  /** Human label for messages, e.g. "stor1 (198.51.100.11)". */
  readonly label: string;
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

/** Thrown by helpers that require exit 0; carries the result for callers that tell errors apart by text. */
export class RemoteCommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: RunResult,
    message?: string,
  ) {
    super(message ?? `${argv[0]} exited ${result.code ?? result.signal}: ${result.stderr.trim() || result.stdout.trim()}`);
    this.name = 'RemoteCommandError';
  }
}

/** Runs and requires exit code 0. */
export async function runChecked(r: RemoteRunner, argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
  const res = await r.run(argv, opts);
  if (res.code !== 0) throw new RemoteCommandError(argv, res);
  return res;
}
