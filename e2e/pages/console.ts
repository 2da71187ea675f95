// Page object for the console frame, shared by every spec.
import { expect, type Page } from '@playwright/test';

export const PAGE_LABELS = ['Hosts', 'Targets', 'Datastores', 'Bonds', 'Hosted engine', 'Activity'] as const;
export type PageLabel = (typeof PAGE_LABELS)[number];

export class ConsolePage {
  constructor(readonly page: Page) {}

  static url(): string {
    const url = process.env.PORTICO_URL;
    if (!url) throw new Error('PORTICO_URL is not set: the e2e global setup starts the console');
    return url;
  }

  async open(): Promise<this> {
    await this.page.goto(ConsolePage.url());
    await expect(this.nav()).toBeVisible();
    return this;
  }

  nav() {
    return this.page.getByRole('navigation', { name: 'Main' });
  }

  async go(label: PageLabel): Promise<void> {
    await this.nav().getByRole('button', { name: label }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: label })).toBeVisible();
  }
}

/** Base of the page objects of one navigation entry: `open()` goes there through the navigation. */
export abstract class NavPage {
  protected abstract readonly label: PageLabel;
  readonly app: ConsolePage;

  constructor(readonly page: Page) {
    this.app = new ConsolePage(page);
  }

  async open(): Promise<this> {
    await this.app.go(this.label);
    return this;
  }
}
