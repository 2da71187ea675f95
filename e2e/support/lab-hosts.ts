// Makes sure a lab host is in the console (adds it through the wizard when it is not).
import { expect, type Page } from '@playwright/test';
import type { LabInfo } from '../lab/labinfo';
import { HostsPage, type HostDetails } from '../pages/hosts';

export async function ensureLabHost(page: Page, lab: LabInfo, name: string, roles: HostDetails['roles']): Promise<void> {
  const hosts = await new HostsPage(page).open();
  await expect(page.getByRole('heading', { level: 1, name: 'Hosts' })).toBeVisible();
  // Wait for the list (or the empty state) before deciding.
  await expect(page.getByRole('table', { name: 'Hosts' }).or(page.getByRole('heading', { name: 'Add your first storage server' }))).toBeVisible();
  if ((await hosts.row(name).count()) > 0) return;
  const h = lab.hosts[name];
  await hosts.addHost({ name, address: h.ssh.host, port: h.ssh.port, user: 'root', auth: { kind: 'key', keyPath: lab.accounts.root.keyPath! }, roles });
}
