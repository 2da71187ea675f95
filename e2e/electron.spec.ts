// The desktop app itself, driven by Playwright's Electron support. Runs only where the Electron
// binary is installed (it cannot be downloaded on our CI machines); otherwise it says so and skips.
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain .mjs helper without types
import { electronBinary } from '../scripts/electron-binary.mjs';
import { screen } from './support/screens';

const bin: string | null = electronBinary();
const reason = 'Electron binary not installed (node_modules/electron has no dist/ and ELECTRON_OVERRIDE_DIST_PATH is unset): the desktop spec needs it';
if (!bin) console.warn(`SKIP electron.spec.ts: ${reason}`);

test.describe('desktop app (Electron)', () => {
  test.skip(!bin, reason);

  test('opens a locked-down window showing the console frame', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portico-electron-'));
    const app = await electron.launch({ executablePath: bin!, args: ['.'], env: { ...process.env, PORTICO_DATA_DIR: dataDir } });
    try {
      const win = await app.firstWindow();
      await expect(win.getByRole('navigation', { name: 'Main' })).toBeVisible();
      expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      expect(await win.evaluate(() => Object.keys((window as unknown as { portico: object }).portico).sort())).toEqual(['invoke', 'on']);
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const w = BrowserWindow.getAllWindows()[0];
        return (w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences();
      });
      expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      await screen(win, 'electron-frame');
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
