// Page object for the setup assistant, with a keyboard-only way through its controls.
import { expect, type Locator, type Page } from '@playwright/test';

export class SetupPage {
  constructor(readonly page: Page) {}

  heading() {
    return this.page.getByRole('heading', { level: 1, name: 'Setup assistant' });
  }

  /** The current step's section, by its title ("Storage servers", "Hypervisors", ...). */
  step(title: string) {
    return this.page.getByRole('region', { name: title });
  }

  /** Presses Tab (only the keyboard) until `target` has the focus. */
  async tabTo(target: Locator, max = 60): Promise<void> {
    for (let i = 0; i < max; i++) {
      if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
      await this.page.keyboard.press('Tab');
    }
    await expect(target, `Tab never reached ${target.toString()}`).toBeFocused();
  }

  /** Tabs to a field and replaces its text by typing. */
  async typeInto(target: Locator, text: string): Promise<void> {
    await this.tabTo(target);
    await this.page.keyboard.press('ControlOrMeta+a');
    await this.page.keyboard.type(text);
  }

  /** Tabs to a button and presses Enter. */
  async press(target: Locator): Promise<void> {
    await this.tabTo(target);
    await expect(target).toBeEnabled();
    await this.page.keyboard.press('Enter');
  }
}
