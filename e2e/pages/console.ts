// Page object for the console frame, shared by every spec.
import { expect, type Page } from '@playwright/test';
import { newLink } from '../support/console-server';

export const PAGE_LABELS = ['Dashboard', 'Hosts', 'Targets', 'Datastores', 'Bonds', 'Hosted engine', 'Activity'] as const;
export type PageLabel = (typeof PAGE_LABELS)[number];

export class ConsolePage {
  constructor(readonly page: Page) {}

  /** The console's origin (http://127.0.0.1:PORT), without any link or token. */
  static url(): string {
    const url = process.env.PORTICO_URL;
    if (!url) throw new Error('PORTICO_URL is not set: the e2e global setup starts the console');
    return url;
  }

  /** A fresh one-time link: each page (each test's browser context) spends its own. */
  static async link(): Promise<string> {
    const token = process.env.PORTICO_E2E_TOKEN;
    if (!token) throw new Error('PORTICO_E2E_TOKEN is not set: the e2e global setup starts the console');
    return newLink(ConsolePage.url(), token);
  }

  async open(): Promise<this> {
    await this.page.goto(await ConsolePage.link());
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
