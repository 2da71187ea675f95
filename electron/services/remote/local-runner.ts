// RemoteRunner for this machine: spawns the argv directly (no shell). Used by tests and local tools.
import { spawn } from 'node:child_process';
import type { RemoteRunner, RunOptions, RunResult } from './runner';

export class LocalRunner implements RemoteRunner {
  constructor(
    readonly label = 'localhost',
    private readonly env?: NodeJS.ProcessEnv,
  ) {}

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (argv.length === 0) return Promise.reject(new Error('empty command'));
    if (opts.sudo) return Promise.reject(new Error('LocalRunner does not support sudo; run the tests as root'));
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: this.env ?? process.env, signal: opts.signal });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
      const feed = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
        if (!opts.onLine) return;
        const text = pending[stream] + chunk.toString('utf8');
        const parts = text.split('\n');
        pending[stream] = parts.pop() ?? '';
        for (const p of parts) opts.onLine(stream, p);
      };
      child.stdout.on('data', (c: Buffer) => { out.push(c); feed('stdout', c); });
      child.stderr.on('data', (c: Buffer) => { err.push(c); feed('stderr', c); });
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') resolve({ code: 127, signal: null, stdout: '', stderr: `${argv[0]}: command not found` });
        else reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (opts.onLine) for (const s of ['stdout', 'stderr'] as const) if (pending[s]) opts.onLine(s, pending[s]);
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      // EPIPE when the program ignores stdin is not an error for us.
      child.stdin.on('error', () => {});
      if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
      else child.stdin.end();
    });
  }
}
