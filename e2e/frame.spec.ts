import { expect, test } from '@playwright/test';
import { ConsolePage, PAGE_LABELS } from './pages/console';
import { screen } from './support/screens';

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`console frame (${scheme})`, () => {
    test.use({ colorScheme: scheme });

    test('every page opens from the navigation, with an empty state that says what to do next', async ({ page }) => {
      const app = await new ConsolePage(page).open();
      // The token left the address bar once used.
      expect(page.url()).not.toContain('token=');
      await expect(page.getByRole('heading', { name: 'Add your first storage server' })).toBeVisible();
      for (const label of PAGE_LABELS) {
        await app.go(label);
        await screen(page, `frame-${label.toLowerCase().replace(/ /g, '-')}-${scheme}`);
      }
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg === 'rgb(255, 255, 255)').toBe(scheme === 'light');
    });
  });
}

test('keyboard reaches the navigation and switches pages', async ({ page }) => {
  await new ConsolePage(page).open();
  const targets = page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Targets' });
  for (let i = 0; i < 12 && !(await targets.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(targets).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Targets' })).toBeVisible();
});

test('a page opened without the token says how to get in, and calls nothing', async ({ page }) => {
  const url = new URL(ConsolePage.url());
  await page.goto(url.origin + '/');
  await expect(page.getByRole('alert')).toContainText('without its access token');
});

test('a page with a wrong token is refused by main', async ({ page }) => {
  const url = new URL(ConsolePage.url());
  await page.goto(`${url.origin}/#token=wrong-token-value`);
  await expect(page.getByRole('alert')).toContainText('refused this page');
});
