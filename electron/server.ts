// Browser mode entry: the same services as the desktop app, served to a local browser over a
// token-protected WebSocket on 127.0.0.1. Used where the Electron binary is not installed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { createServices, defaultDataDir } from './services/app';
import { startBrowserHost } from './host/browser-host';
import { browserModeCipher } from './host/passphrase';

async function main() {
  const dataDir = defaultDataDir();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // PORTICO_KNOWN_HOSTS: colon-separated known_hosts files to honour (empty: none); default the user's and system's.
  const kh = process.env.PORTICO_KNOWN_HOSTS;
  const services = createServices({
    dataDir,
    mode: 'browser',
    cipher: await browserModeCipher(dataDir),
    knownHostsFiles: kh === undefined ? undefined : kh.split(':').filter(Boolean),
  });
  const here = dirname(process.argv[1] ?? '.');
  const staticDir = process.env.PORTICO_STATIC_DIR ?? resolve(here, '..', 'renderer');
  const host = await startBrowserHost({
    router: services.router,
    events: services.events,
    staticDir,
    port: process.env.PORTICO_PORT ? Number(process.env.PORTICO_PORT) : 0,
  });
  // Tests and scripts read the URL from a 0600 file rather than from logs.
  if (process.env.PORTICO_URL_FILE) writeFileSync(process.env.PORTICO_URL_FILE, host.url + '\n', { mode: 0o600 });
  console.log(`Portico is running in browser mode. Open this URL (it carries a one-time token):\n\n  ${host.url}\n`);
  console.log(`Data folder: ${dataDir}. Secrets: ${services.secrets.backend.note}`);
  if (!process.env.PORTICO_NO_OPEN && process.env.DISPLAY) {
    spawn('xdg-open', [host.url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
  }
  const stop = async () => {
    await host.close();
    await services.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`Portico could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

