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
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('error', reject);
      p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      p.stdin.on('error', () => undefined);
      p.stdin.end(opts.stdin ?? '');
    });
  }
}
