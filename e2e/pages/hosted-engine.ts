// Page object for the Hosted engine page and its storage wizard.
import { expect } from '@playwright/test';
import { NavPage } from './console';
import { screen } from '../support/screens';

export interface HePortal {
  address: string;
  port?: number;
}

export class HostedEnginePage extends NavPage {
  protected readonly label = 'Hosted engine' as const;

  wizard() {
    return this.page.getByLabel('Hosted engine storage');
  }

  /** Screenshot named after the run and the step. */
  async shot(name: string): Promise<void> {
    await screen(this.page, name);
  }

  async button(name: string): Promise<void> {
    await this.wizard().getByRole('button', { name, exact: true }).click();
  }

  async chooseHost(name: string): Promise<void> {
    const w = this.wizard();
    await w.getByLabel('oVirt host').click();
    await this.page.getByRole('option', { name: new RegExp(`^${name} \\(`) }).click();
    await expect(this.page.getByRole('listbox')).toBeHidden();
  }

  async chooseStorageType(label: 'iSCSI' | 'NFS v3' | 'NFS v4'): Promise<void> {
    await this.wizard().getByRole('radio', { name: label }).check();
  }

  async fillPortals(portals: HePortal[], login: { user: string; password: string } | null): Promise<void> {
    const w = this.wizard();
    for (let i = 0; i < portals.length; i++) {
      if (i > 0 && (await w.getByLabel(`Portal ${i + 1} address`).count()) === 0) await w.getByRole('button', { name: 'Add portal' }).click();
      await w.getByLabel(`Portal ${i + 1} address`).fill(portals[i].address);
      await w.getByLabel(`Portal ${i + 1} port`).fill(String(portals[i].port ?? 3260));
    }
    if (login) {
      await w.getByLabel('Login CHAP user').fill(login.user);
      await w.getByLabel('Login CHAP password').fill(login.password);
    }
  }

  async discover(): Promise<void> {
    await this.button('Discover');
    await expect(this.wizard().getByRole('button', { name: 'Discovering…' })).toHaveCount(0, { timeout: 60_000 });
  }

  targetRadio(iqn: string) {
    return this.wizard().getByRole('radio', { name: new RegExp(iqn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  }

  async loginAndListLuns(): Promise<void> {
    await this.button('Log in and list LUNs');
    await expect(this.wizard().getByLabel('Engine disk size (GiB)')).toBeVisible({ timeout: 90_000 });
  }

  lunRow(guid: string) {
    return this.wizard().getByRole('row', { name: guid });
  }

  async chooseLun(guid: string): Promise<void> {
    await this.wizard().getByRole('radio', { name: `Use LUN ${guid}` }).check();
  }

  async reviewPlan(): Promise<void> {
    await this.button('Review plan');
    await expect(this.wizard().getByLabel('Plan steps')).toBeVisible({ timeout: 60_000 });
  }

  async applyAndWait(): Promise<void> {
    await this.button('Apply');
    await expect(this.wizard().getByText(/All \d+ steps done/)).toBeVisible({ timeout: 120_000 });
  }

  async showResult(): Promise<void> {
    await this.button('Show result');
    await expect(this.wizard().getByLabel('Result')).toBeVisible();
  }

  async answerFileText(): Promise<string> {
    return (await this.wizard().getByLabel('Answer file').locator('pre').textContent()) ?? '';
  }
}
