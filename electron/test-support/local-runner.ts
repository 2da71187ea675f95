// Test support: a RemoteRunner that runs argv on this machine (no shell in between), so remote
// scripts and operation kinds can be tested without a server. `sudo` is ignored: tests run as
// the current user on files they own.
import { spawn } from 'node:child_process';
import type { RemoteRunner, RunOptions, RunResult } from '../services/remote/runner';

export class LocalRunner implements RemoteRunner {
  readonly argvs: string[][] = [];
  constructor(readonly label = 'local') {}

  run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    this.argvs.push([...argv]);
    return new Promise((resolve, reject) => {
      const p = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], signal: opts.signal, timeout: opts.timeoutMs });
      let stdout = '';
      let stderr = '';
      // Lines as they arrive (the job log's progress lines), as the SSH runner streams them.
      const lines = (stream: 'stdout' | 'stderr') => {
        let buf = '';
        return (d: Buffer) => {
          if (stream === 'stdout') stdout += d;
          else stderr += d;
          buf += d.toString('utf8');
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            opts.onLine?.(stream, buf.slice(0, i));
            buf = buf.slice(i + 1);
          }
        };
      };
      p.stdout.on('data', lines('stdout'));
      p.stderr.on('data', lines('stderr'));
      p.on('error', reject);
      p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      p.stdin.on('error', () => undefined);
      p.stdin.end(opts.stdin ?? '');
    });
  }
}
