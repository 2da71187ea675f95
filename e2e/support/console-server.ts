// Starts the built browser-mode console (dist/electron/server.cjs) on a throwaway data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConsoleServer {
  url: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  if (!existsSync('dist/electron/server.cjs') || !existsSync('dist/renderer/index.html')) {
    throw new Error('The console is not built: run `npm run build` first (npm test does).');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-e2e-'));
  const urlFile = join(dataDir, 'url');
  const child = spawn(process.execPath, ['dist/electron/server.cjs'], {
    env: { ...process.env, PORTICO_DATA_DIR: dataDir, PORTICO_URL_FILE: urlFile, PORTICO_PASSPHRASE: 'e2e passphrase', PORTICO_NO_OPEN: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 20_000;
  while (!existsSync(urlFile) || !readFileSync(urlFile, 'utf8').trim()) {
    if (child.exitCode !== null) throw new Error(`console exited early (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`console did not start within 20 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: readFileSync(urlFile, 'utf8').trim(),
    dataDir,
    child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
