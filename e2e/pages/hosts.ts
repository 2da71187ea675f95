// Page object for the Hosts page and the add-host wizard.
import { expect, type Page } from '@playwright/test';
import { NavPage } from './console';
import { screen } from '../support/screens';

export interface HostDetails {
  name: string;
  address: string;
  port?: number;
  user: string;
  auth: { kind: 'key'; keyPath: string } | { kind: 'password'; password: string } | { kind: 'agent' };
  roles: ('Storage server' | 'Hypervisor' | 'OpenNebula front-end' | 'oVirt host')[];
  group?: string;
}

export class HostsPage extends NavPage {
  protected readonly label = 'Hosts' as const;

  dialog() {
    return this.page.getByRole('dialog', { name: 'Add host' });
  }

  async startAdd(): Promise<void> {
    await this.page.getByRole('button', { name: 'Add host' }).first().click();
    await expect(this.dialog()).toBeVisible();
  }

  /** Fills the connection step; `shots` names screenshots of each step when given. */
  async fillDetails(d: HostDetails): Promise<void> {
    const dlg = this.dialog();
    await dlg.getByLabel('Name', { exact: true }).fill(d.name);
    await dlg.getByLabel('Address').fill(d.address);
    await dlg.getByLabel('Port').fill(String(d.port ?? 22));
    await dlg.getByLabel('User').fill(d.user);
    if (d.group) await dlg.getByLabel('Group / data center').fill(d.group);
    if (d.auth.kind === 'key') {
      await dlg.getByRole('radio', { name: 'Private key file' }).check();
      await dlg.getByRole('textbox', { name: 'Key file', exact: true }).fill(d.auth.keyPath);
    } else if (d.auth.kind === 'password') {
      await dlg.getByRole('radio', { name: 'Password' }).check();
      await dlg.getByRole('textbox', { name: 'Password' }).fill(d.auth.password);
    } else await dlg.getByRole('radio', { name: 'ssh-agent' }).check();
    for (const role of ['Storage server', 'Hypervisor', 'OpenNebula front-end', 'oVirt host'] as const) {
      const box = dlg.getByRole('checkbox', { name: role });
      if (d.roles.includes(role)) await box.check();
      else await box.uncheck();
    }
  }

  async connect(): Promise<void> {
    await this.dialog().getByRole('button', { name: 'Connect' }).click();
  }

  async addHost(d: HostDetails, opts: { expectFingerprint?: string; shots?: string } = {}): Promise<void> {
    await this.startAdd();
    await this.fillDetails(d);
    if (opts.shots) await screen(this.page, `${opts.shots}-1-connection`);
    await this.connect();
    const fp = this.dialog().getByTestId('fingerprint');
    await expect(fp).toBeVisible();
    if (opts.expectFingerprint) await expect(fp).toHaveText(opts.expectFingerprint);
    if (opts.shots) await screen(this.page, `${opts.shots}-2-host-key`);
    await this.dialog().getByRole('button', { name: 'Accept key and connect' }).click();
    await expect(this.dialog().getByText(`Connected to ${d.name}`)).toBeVisible();
    if (opts.shots) await screen(this.page, `${opts.shots}-3-connected`);
    await this.dialog().getByRole('button', { name: 'Done' }).click();
    await expect(this.dialog()).toBeHidden();
  }

  row(name: string) {
    return this.page.getByRole('table', { name: 'Hosts' }).getByRole('row').filter({ hasText: name });
  }

  /** The detail panel of a host (shown for the selected row). */
  detail(name: string) {
    return this.page.getByLabel(`Host ${name}`);
  }

  /** The confirmation dialog of re-accepting a changed host key. */
  reacceptDialog(name: string) {
    return this.page.getByRole('dialog', { name: `Host key of ${name} changed` });
  }

  /** Opens the re-accept dialog from the blocked host's detail with the keyboard; waits for the key read now. */
  async openReaccept(name: string) {
    const open = this.detail(name).getByRole('button', { name: 'Review and re-accept…' });
    await open.focus();
    await this.page.keyboard.press('Enter');
    const dlg = this.reacceptDialog(name);
    await expect(dlg).toBeVisible();
    await expect(dlg.getByText(/Reading the key .* presents now/)).toHaveCount(0);
    return dlg;
  }
}

/** A screenshot in the light and in the dark colour scheme (NAME-light.png, NAME-dark.png). */
export async function screenBothSchemes(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await screen(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screen(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}
