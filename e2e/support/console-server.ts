// Starts the built browser-mode console (dist/electron/server.cjs) on a throwaway data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConsoleServer {
  /** http://127.0.0.1:PORT (no link, no token). */
  origin: string;
  /**
   * The session token, obtained by spending the one-time link the console wrote to its URL file
   * (as a page would). Used only to mint fresh links (`link()`); never printed by the console.
   */
  token: string;
  /** An unspent one-time link (`ORIGIN/#bootstrap=NONCE`) for one page; `link()` makes more. */
  url: string;
  /** A fresh one-time link: every page open needs its own. */
  link(): Promise<string>;
  dataDir: string;
  child: ChildProcess;
  /** Everything the console printed (its log). */
  output(): string;
  /** Files of the data folder (SQLite, WAL, key file) and the log that contain any of `secrets` (the session token always included). */
  findSecrets(secrets: readonly string[]): string[];
  stop(): Promise<void>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Spends a one-time link the way the console page does (same-origin JSON POST); returns the token. */
export async function spendLink(link: string): Promise<string> {
  const url = new URL(link);
  const nonce = /^#bootstrap=([A-Za-z0-9_-]+)$/.exec(url.hash)?.[1];
  if (!nonce) throw new Error(`not a one-time link: ${url.origin}/${url.hash ? '#…' : ''}`);
  const res = await fetch(`${url.origin}/bootstrap`, {
    method: 'POST',
    headers: { Origin: url.origin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ nonce }),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || !body.token) throw new Error(`the console refused its own link (HTTP ${res.status}): ${body.error}`);
  return body.token;
}

/** Asks the console for a fresh one-time link, with the session token. */
export async function newLink(origin: string, token: string): Promise<string> {
  const res = await fetch(`${origin}/bootstrap/link`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { url?: string; error?: string };
  if (!res.ok || !body.url) throw new Error(`no new link from the console (HTTP ${res.status}): ${body.error}`);
  return body.url;
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
  const first = readFileSync(urlFile, 'utf8').trim();
  const origin = new URL(first).origin;
  const token = await spendLink(first);
  return {
    origin,
    token,
    url: await newLink(origin, token),
    link: () => newLink(origin, token),
    dataDir,
    child,
    output: () => output,
    findSecrets: (secrets) => {
      const found: string[] = [];
      const wanted = [...secrets, token].filter((x) => x.length >= 6);
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
