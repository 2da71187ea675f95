// npm run bench -- startup
// Browser mode, from process start to the first interactive frame of the Hosts page in Chromium,
// vs the same for a minimal page built with the same stack and served the same way, alternately in
// one run (the order rotates every round). `ratio: R` = ours median / minimal median (lower is
// better; 1.0 would mean the console starts as fast as an empty React + MUI page).
//
// What one sample measures, identically for both arms:
//   t0       just before the server process is spawned (`node .../server.cjs`, a fresh data folder
//            for ours), with Chromium already running and a blank tab open: the browser an admin
//            already has, into which the console's link opens. Chromium's own start is not counted.
//   +        the server writes its URL to a 0600 file; it is read (ours through
//            e2e/support/console-server.ts, the e2e suite's own helper, so the one-time bootstrap
//            link is handled as the suite handles it: that helper spends the console's first link
//            and mints a fresh one for the page, two local HTTP requests ours pays and a browser
//            opened by the console would not; the minimal one by a copy of its 50 ms poll loop);
//   +        the tab navigates to that URL;
//   t1       "interactive": the page's main button ("Add host": the empty Hosts page's action for
//            ours, the only button for the minimal page) is visible, enabled and stable (Playwright's
//            actionability checks: attached, visible, stable over two animation frames, enabled,
//            receiving pointer events at its centre), it is clicked, and the click handler's effect
//            (a role=dialog element, the Add host dialog / the minimal page's dialog) is in the DOM
//            and visible. t1 - t0 is the sample.
// The times until the server's URL was read and until the button was first found visible are
// printed too, for information.
//
// Both are built fresh into a private 0700 folder (bench/private-dir.ts) at the start: ours with
// renderer/vite.config.ts and the esbuild options of scripts/build-main.mjs (server.cjs), the
// minimal one (bench/startup-minimal/) with the same vite + React plugin setup and the same esbuild
// options. Chromium is Debian's /usr/bin/chromium (PORTICO_CHROMIUM overrides) with the launch
// arguments of playwright.config.ts. Rounds: STARTUP_ROUNDS (default 9). STARTUP_TREE=REV builds
// ours from that commit (`git archive`) instead of the working tree, e.g. while the tree is mid-edit.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { median } from './compare';
import { privateDir } from './private-dir';
import { startConsoleServer } from '../e2e/support/console-server';

const REPO = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 9);
const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// The same esbuild options as scripts/build-main.mjs uses for dist/electron/server.cjs.
const ESBUILD_NODE = { bundle: true, platform: 'node', format: 'cjs', sourcemap: true, logLevel: 'warning', target: 'node20' } as const;
const EXTERNAL = ['electron', 'better-sqlite3', 'ssh2', 'cpu-features'];

interface Started {
  url: string;
  stop(): Promise<void>;
}

/** The source ours is built from: the working tree, or STARTUP_TREE's commit unpacked into `dir/src`. */
function oursSource(dir: string): string {
  const rev = process.env.STARTUP_TREE;
  if (!rev) return REPO;
  const src = join(dir, 'src');
  mkdirSync(src);
  execFileSync('bash', ['-c', 'git -C "$1" archive --format=tar "$2" -- electron shared renderer package.json tsconfig.json | tar -x -C "$3"', 'archive', REPO, rev, src]);
  symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'));
  return src;
}

async function buildAll(dir: string): Promise<string> {
  // Externals (better-sqlite3, ssh2) resolve from the build folder, as from the repo's dist/.
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  const src = oursSource(dir);
  await Promise.all([
    viteBuild({ configFile: join(src, 'renderer/vite.config.ts'), logLevel: 'warn', build: { outDir: join(dir, 'dist/renderer'), emptyOutDir: true } }),
    esbuild({ ...ESBUILD_NODE, entryPoints: [join(src, 'electron/server.ts')], outfile: join(dir, 'dist/electron/server.cjs'), external: EXTERNAL }),
  ]);
  await Promise.all([
    viteBuild({ configFile: join(REPO, 'bench/startup-minimal/vite.config.ts'), logLevel: 'warn', build: { outDir: join(dir, 'minimal/renderer'), emptyOutDir: true } }),
    esbuild({ ...ESBUILD_NODE, entryPoints: [join(REPO, 'bench/startup-minimal/server.ts')], outfile: join(dir, 'minimal/server.cjs'), external: EXTERNAL }),
  ]);
  return src === REPO ? 'the working tree' : `commit ${process.env.STARTUP_TREE}`;
}

/** The minimal server, started and awaited the way startConsoleServer starts browser mode. */
async function startMinimal(dir: string): Promise<Started> {
  const runDir = mkdtempSync(join(tmpdir(), 'portico-startup-minimal-'));
  const urlFile = join(runDir, 'url');
  const child = spawn(process.execPath, [join(dir, 'minimal/server.cjs')], { env: { ...process.env, PORTICO_URL_FILE: urlFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 20_000;
  while (!existsSync(urlFile) || !readFileSync(urlFile, 'utf8').trim()) {
    if (child.exitCode !== null) throw new Error(`minimal server exited early (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`minimal server did not start within 20 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: readFileSync(urlFile, 'utf8').trim(),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** One sample, ms from t0: [URL read, button first visible, the click's dialog visible]. */
async function sample(browser: Browser, start: () => Promise<Started>): Promise<[number, number, number]> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  const page = await context.newPage();
  let server: Started | undefined;
  try {
    const t0 = performance.now();
    server = await start();
    const listening = performance.now() - t0;
    await page.goto(server.url, { waitUntil: 'commit' });
    const button = page.getByRole('button', { name: 'Add host', exact: true });
    await button.waitFor({ state: 'visible', timeout: 30_000 });
    const seen = performance.now() - t0;
    await button.click({ timeout: 30_000 }); // waits until visible, stable, enabled and hit-testable
    await page.getByRole('dialog').waitFor({ state: 'visible', timeout: 30_000 });
    return [listening, seen, performance.now() - t0];
  } finally {
    await context.close();
    await server?.stop();
  }
}

export default async function main(): Promise<void> {
  const dir = mkdtempSync(join(privateDir('startup'), 'build-'));
  const cwd = process.cwd();
  let browser: Browser | undefined;
  try {
    const b0 = performance.now();
    const from = await buildAll(dir);
    console.log(`startup: built ours (from ${from}) and the minimal page in ${((performance.now() - b0) / 1000).toFixed(1)} s into ${dir}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    // startConsoleServer starts ./dist/electron/server.cjs: run it from the fresh build.
    process.chdir(dir);
    const arms = [
      {
        name: 'ours',
        start: async (): Promise<Started> => {
          const c = await startConsoleServer();
          return { url: c.url, stop: () => c.stop() };
        },
      },
      { name: 'minimal', start: () => startMinimal(dir) },
    ];
    const got = arms.map(() => ({ url: [] as number[], seen: [] as number[], done: [] as number[] }));
    for (const a of arms) await sample(browser, a.start); // warm-up: page cache, Chromium's first tab
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < arms.length; k++) {
        const j = (r + k) % arms.length;
        const [url, seen, done] = await sample(browser, arms[j].start);
        got[j].url.push(url);
        got[j].seen.push(seen);
        got[j].done.push(done);
      }
    }
    const [o, m] = got.map((g) => ({ url: median(g.url), seen: median(g.seen), done: median(g.done) }));
    console.log(`${ROUNDS} rounds, arms alternating; Chromium ${browser.version()} already running, a fresh tab and a fresh server process per sample`);
    console.log(`info: server's URL read: ours ${o.url.toFixed(0)} ms, minimal ${m.url.toFixed(0)} ms; button first visible: ours ${o.seen.toFixed(0)} ms, minimal ${m.seen.toFixed(0)} ms (medians from t0, for information)`);
    console.log(`ours median (browser mode, Hosts page, "Add host" clicked and its dialog shown): ${o.done.toFixed(0)} ms`);
    console.log(`minimal median (React + MUI, one button clicked and its dialog shown): ${m.done.toFixed(0)} ms`);
    console.log(`ratio: ${(o.done / m.done).toFixed(2)} (ours / minimal, process start to first interactive frame, Chromium ${browser.version().split('.')[0]})`);
  } finally {
    process.chdir(cwd);
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
