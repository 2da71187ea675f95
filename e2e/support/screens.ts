// Screenshots kept as artifacts (artifacts/screenshots), one per wizard step / page and theme.
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

export const SCREEN_DIR = 'artifacts/screenshots';

export async function screen(page: Page, name: string): Promise<string> {
  mkdirSync(SCREEN_DIR, { recursive: true });
  const path = `${SCREEN_DIR}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
