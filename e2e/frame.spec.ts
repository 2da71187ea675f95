import { expect, test } from '@playwright/test';
import { ConsolePage, PAGE_LABELS } from './pages/console';
import { screen } from './support/screens';

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`console frame (${scheme})`, () => {
    test.use({ colorScheme: scheme });

    test('every page opens from the navigation, with an empty state that says what to do next', async ({ page }) => {
      const app = await new ConsolePage(page).open();
      // The one-time link left the address bar once spent.
      expect(page.url()).not.toContain('bootstrap=');
      // The start page follows the inventory: the setup assistant on a first run (no host yet, and
      // then the Hosts page says what to do), the dashboard once other specs on this shared console
      // added hosts (the assistant finished or never started there).
      const start = page.getByRole('heading', { level: 1 });
      await expect(start).toHaveText(/^(Setup assistant|Dashboard)$/);
      const startName = await start.textContent();
      await app.go('Hosts');
      const empty = page.getByRole('heading', { name: 'Add your first storage server' });
      await expect(empty.or(page.getByRole('table', { name: 'Hosts' }))).toBeVisible();
      expect(startName).toBe((await empty.isVisible()) ? 'Setup assistant' : 'Dashboard');
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

test('a page opened without a link says how to get in, and calls nothing', async ({ page }) => {
  await page.goto(ConsolePage.url() + '/');
  await expect(page.getByRole('alert')).toContainText('without its one-time link');
});

test('a link opens the console once; a second page with the same link gets a clear refusal', async ({ page, context }) => {
  const link = await ConsolePage.link();
  await page.goto(link);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  // The tab keeps its session across a reload (the token lives in sessionStorage, not the URL).
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  const second = await context.newPage();
  await second.goto(link);
  await expect(second.getByRole('alert')).toContainText('This link was already used');
  await expect(second.getByRole('alert')).toContainText('restart `npm start` or ask for a new link');
  await expect(second.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
});

test('a page with a wrong token is refused by main', async ({ page }) => {
  await page.addInitScript(() => sessionStorage.setItem('portico.token', 'wrong-token-value'));
  await page.goto(ConsolePage.url() + '/');
  await expect(page.getByRole('alert')).toContainText('refused this page');
});
