// Browser mode entry: the same services as the desktop app, served to a local browser over a
// token-protected WebSocket on 127.0.0.1. Used where the Electron binary is not installed.
// What is printed and opened is a one-time link (its nonce works once, for two minutes); the
// session token itself is never printed, put in a URL or on a command line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServices, defaultDataDir } from './services/app';
import { startBrowserHost } from './host/browser-host';
import { browserModeCipher } from './host/passphrase';
import { installProcessGuards } from './host/process-guards';

async function main() {
  // Last resort: an error that escaped every layer is logged, and the console (and its jobs) keeps running.
  installProcessGuards();
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
  // Tests and scripts read a link from a 0600 file rather than from logs.
  if (process.env.PORTICO_URL_FILE) writeFileSync(process.env.PORTICO_URL_FILE, host.newLink() + '\n', { mode: 0o600 });
  const interactive = !!process.stdin.isTTY;
  const another = interactive ? 'press Enter here for a new link' : 'restart `npm start` for a new link';
  console.log('Portico is running in browser mode.');
  if (!process.env.PORTICO_NO_OPEN && process.env.DISPLAY) {
    // The browser's command line shows only this link's nonce, which the page spends at once.
    spawn('xdg-open', [host.url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
    console.log(`Opening it in your browser. If no browser came up, ${another}.`);
  } else {
    console.log(`Open this link within 2 minutes (it works once; ${another}):\n\n  ${host.url}\n`);
  }
  console.log(`Data folder: ${dataDir}. Secrets: ${services.secrets.backend.note}`);
  if (interactive) {
    createInterface({ input: process.stdin, terminal: false }).on('line', () => {
      console.log(`\nA new one-time link (valid 2 minutes):\n\n  ${host.newLink()}\n`);
    });
  }
  // A clean stop closes the page connections, then the features' and SSH connections. A peer that
  // never answers its close must not keep the console alive: after 5 s (or a second signal) it
  // exits anyway; the journal is already on disk, so nothing is lost.
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(0);
    stopping = true;
    let phase = 'the page connections';
    setTimeout(() => {
      console.error(`Portico: ${phase} did not close within 5 s; exiting anyway.`);
      process.exit(0);
    }, 5000).unref();
    await host.close();
    phase = 'the server connections';
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

