// Page object for the Bonds page: data centers, logical networks, storage connections, the bond
// wizard and the path matrix.
import { expect } from '@playwright/test';
import { NavPage } from './console';
import { screenBothSchemes } from './hosts';
import { mkdirSync } from 'node:fs';
import { SCREEN_DIR } from '../support/screens';

export interface NewNetwork {
  name: string;
  cidr: string;
  vlan?: number;
  required?: boolean;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class BondsPage extends NavPage {
  protected readonly label = 'Bonds' as const;

  /** A full-page screenshot in the light and the dark scheme (NAME-light.png, NAME-dark.png). */
  async shots(name: string): Promise<void> {
    // From the top: the console's fixed bar would otherwise sit across the middle of a full-page shot.
    await this.page.evaluate(() => window.scrollTo(0, 0));
    await screenBothSchemes(this.page, name);
  }

  /** The viewport as the admin sees it (a dialog over the page), light and dark: NAME-light.png, NAME-dark.png. */
  async dialogShots(name: string): Promise<void> {
    mkdirSync(SCREEN_DIR, { recursive: true });
    for (const colorScheme of ['light', 'dark'] as const) {
      await this.page.emulateMedia({ colorScheme });
      await this.page.waitForTimeout(150);
      await this.page.screenshot({ path: `${SCREEN_DIR}/${name}-${colorScheme}.png` });
    }
    await this.page.emulateMedia({ colorScheme: 'light' });
  }

  section(name: 'Data centers' | 'Logical networks' | 'Host interfaces' | 'Storage connections' | 'Bonds') {
    return this.page.getByRole('region', { name });
  }

  dialog(name: string | RegExp) {
    return this.page.getByRole('dialog', { name });
  }

  /** Creates a data center with these hosts (by name), unless one of that name exists; selects it. */
  async ensureDataCenter(name: string, hosts: string[], shots?: string): Promise<void> {
    const dcs = this.section('Data centers');
    await expect(dcs).toBeVisible();
    if ((await dcs.getByRole('row', { name: new RegExp(`^${esc(name)}\\b`) }).count()) === 0) {
      await this.page.getByRole('button', { name: 'New data center' }).click();
      const d = this.dialog('New data center');
      await d.getByLabel('Data center name').fill(name);
      for (const h of hosts) await d.getByRole('checkbox', { name: new RegExp(`^${esc(h)}\\b`) }).check();
      if (shots) await this.dialogShots(shots);
      await d.getByRole('button', { name: 'Create' }).click();
      await expect(d).toBeHidden();
    }
    await this.selectDataCenter(name);
  }

  async selectDataCenter(name: string): Promise<void> {
    const row = this.section('Data centers').getByRole('row', { name: new RegExp(`^${esc(name)}\\b`) });
    const open = row.getByRole('button', { name: 'Open' });
    // The open data center's own button is disabled (the only one opens by itself).
    if (await open.isEnabled()) await open.click();
    await expect(this.page.getByRole('heading', { name: `Data center ${name}` })).toBeVisible();
  }

  networkRow(name: string) {
    return this.section('Logical networks').getByRole('row', { name: new RegExp(`^network ${esc(name)}$`) });
  }

  async addNetwork(n: NewNetwork, shots?: string): Promise<void> {
    if ((await this.networkRow(n.name).count()) > 0) return;
    await this.section('Logical networks').getByRole('button', { name: 'Add network' }).click();
    const d = this.dialog('Add logical network');
    await d.getByLabel('Network name').fill(n.name);
    await d.getByLabel('CIDR').fill(n.cidr);
    if (n.vlan !== undefined) await d.getByLabel('VLAN (optional)').fill(String(n.vlan));
    if (n.required) await d.getByRole('checkbox', { name: /^Required/ }).check();
    if (shots) await this.dialogShots(shots);
    await d.getByRole('button', { name: 'Add' }).click();
    await expect(d).toBeHidden();
    await expect(this.networkRow(n.name)).toBeVisible();
  }

  connectionRow(iqn: string, portal: string) {
    return this.section('Storage connections').getByRole('row', { name: `connection ${iqn} ${portal}` });
  }

  /** Adds the connections of a target a managed storage server runs, one per portal. */
  async addManagedConnections(server: string, iqn: string, portals: string[], shots?: string): Promise<void> {
    await this.section('Storage connections').getByRole('button', { name: 'Add storage connections' }).click();
    const d = this.dialog('Add storage connections');
    await d.getByRole('combobox', { name: 'Storage server' }).click();
    await this.page.getByRole('option', { name: new RegExp(`^${esc(server)}\\b`) }).click();
    await d.getByRole('combobox', { name: 'Target' }).click();
    await this.page.getByRole('option', { name: new RegExp(`^${esc(iqn)}`) }).click();
    for (const p of portals) await d.getByRole('checkbox', { name: p }).check();
    if (shots) await this.dialogShots(shots);
    await d.getByRole('button', { name: 'Add' }).click();
    await expect(d).toBeHidden();
    for (const p of portals) await expect(this.connectionRow(iqn, p)).toBeVisible();
  }

  wizard() {
    return this.page.getByRole('region', { name: 'New bond' });
  }

  async wizardButton(name: string): Promise<void> {
    await this.wizard().getByRole('button', { name, exact: true }).click();
  }

  bondRow(name: string) {
    return this.section('Bonds').getByRole('row', { name: new RegExp(`^bond ${esc(name)}$`) });
  }

  matrix() {
    return this.page.getByRole('table', { name: 'Path matrix' });
  }

  /** The matrix cell of one host on one network to one target (name: "hv1 network A iqn… "). */
  cell(host: string, network: string, iqn: string) {
    return this.matrix().getByRole('cell', { name: new RegExp(`^${esc(host)} on ${esc(network)} to ${esc(iqn)}: `) });
  }

  hostState(host: string) {
    return this.page.getByTestId(`host-state-${host}`);
  }

  /** Refresh the matrix now and wait for a check newer than the one shown to finish. */
  async refreshMatrix(): Promise<void> {
    const btn = this.page.getByRole('button', { name: /^(Refresh now|Checking…)$/ });
    await expect(btn).toHaveText('Refresh now', { timeout: 60_000 });
    const stamp = this.page.getByTestId('matrix-checked-at');
    const before = (await stamp.getAttribute('data-at')) ?? '';
    await btn.click();
    await expect(stamp).not.toHaveAttribute('data-at', before, { timeout: 60_000 });
    await expect(btn).toHaveText('Refresh now', { timeout: 60_000 });
  }

  /** Cells of the matrix in a state (ok, failed, missing, degraded, checking). */
  cellsIn(state: string) {
    return this.matrix().locator(`td[data-state="${state}"]`);
  }
}
