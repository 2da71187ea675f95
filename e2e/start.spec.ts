// `npm start` (scripts/start.mjs after the build): where Electron's binary is absent it must print a
// one-time 127.0.0.1 link whose page is the console, and never the session token.
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain .mjs helper without types
import { electronBinary } from '../scripts/electron-binary.mjs';

test('npm start prints a one-time 127.0.0.1 link that opens the console (browser mode)', async ({ page }) => {
  test.skip(!!electronBinary(), 'the Electron binary is installed here, so npm start opens the desktop app (see electron.spec.ts)');
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-start-'));
  const child = spawn(process.execPath, ['scripts/start.mjs'], { env: { ...process.env, PORTICO_DATA_DIR: dataDir, PORTICO_NO_OPEN: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL within 20 s:\n${out}`)), 20_000);
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\/#bootstrap=[A-Za-z0-9_-]+/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[0]);
        }
      });
    });
    expect(out).toContain('browser mode');
    await page.goto(url);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    // An empty data folder: the setup assistant is the start page.
    await expect(page.getByRole('heading', { level: 1, name: 'Setup assistant' })).toBeVisible();
    // The token the page got is not in anything npm start printed.
    const token = await page.evaluate(() => sessionStorage.getItem('portico.token'));
    expect(token).toBeTruthy();
    expect(out).not.toContain(token!);
    expect(out).toContain('works once');
    // The printed link is spent: a second page gets the refusal, not the console.
    const again = await page.context().newPage();
    await again.goto(url);
    await expect(again.getByRole('alert')).toContainText('already used');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
