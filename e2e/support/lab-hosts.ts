// Makes sure a lab host is in the console (adds it through the wizard when it is not).
import { expect, type Page } from '@playwright/test';
import type { LabInfo } from '../lab/labinfo';
import { HostsPage, type HostDetails } from '../pages/hosts';

/** Returns true when it added the host (so the spec can remove it again: see removeLabHosts). */
export async function ensureLabHost(page: Page, lab: LabInfo, name: string, roles: HostDetails['roles']): Promise<boolean> {
  const hosts = await new HostsPage(page).open();
  await expect(page.getByRole('heading', { level: 1, name: 'Hosts' })).toBeVisible();
  // Wait for the list (or the empty state) before deciding.
  await expect(page.getByRole('table', { name: 'Hosts' }).or(page.getByRole('heading', { name: 'Add your first storage server' }))).toBeVisible();
  if ((await hosts.row(name).count()) > 0) return false;
  const h = lab.hosts[name];
  await hosts.addHost({ name, address: h.ssh.host, port: h.ssh.port, user: 'root', auth: { kind: 'key', keyPath: lab.accounts.root.keyPath! }, roles });
  return true;
}

/**
 * Removes hosts a spec added to the shared console (through the Hosts page's Remove), so the specs
 * after it find the inventory as it was: each spec adds its hosts with the roles it needs.
 */
export async function removeLabHosts(page: Page, names: string[]): Promise<void> {
  if (!names.length) return;
  const hosts = await new HostsPage(page).open();
  await expect(page.getByRole('table', { name: 'Hosts' }).or(page.getByRole('heading', { name: 'Add your first storage server' }))).toBeVisible();
  for (const name of names) {
    if ((await hosts.row(name).count()) === 0) continue;
    await hosts.row(name).click();
    await page.getByLabel(`Host ${name}`).getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog', { name: `Remove ${name}?` }).getByRole('button', { name: 'Remove host' }).click();
    await expect(hosts.row(name)).toHaveCount(0, { timeout: 15_000 });
  }
}
