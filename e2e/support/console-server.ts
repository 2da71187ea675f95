// Starts the built browser-mode console (dist/electron/server.cjs) on a throwaway data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConsoleServer {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the console printed (its log). */
  output(): string;
  /** Files of the data folder (SQLite, WAL, key file) and the log that contain any of `secrets`. */
  findSecrets(secrets: readonly string[]): string[];
  stop(): Promise<void>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
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
    output: () => output,
    findSecrets: (secrets) => {
      const found: string[] = [];
      const wanted = secrets.filter((x) => x.length >= 6);
      for (const f of filesUnder(dataDir)) {
        const bytes = readFileSync(f);
        for (const sec of wanted) if (bytes.includes(Buffer.from(sec))) found.push(`${f} contains a secret (${sec.length} chars)`);
      }
      for (const sec of wanted) if (output.includes(sec)) found.push(`the console log contains a secret (${sec.length} chars)`);
      return found;
    },
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
