// Page object for the Datastores page: the OpenNebula front-end connection, the datastore wizard
// (both flavours), the image dialog, and the datastore / image / orphan lists.
import { mkdirSync } from 'node:fs';
import { expect, type Locator } from '@playwright/test';
import { NavPage } from './console';
import { SCREEN_DIR } from '../support/screens';

export interface FrontendDetails {
  host: string;
  endpoint?: string;
  via: 'direct' | 'ssh';
  session: string;
}

export interface LibvirtDatastore {
  name: string;
  /** One of the offered portals (host:port) or typed. */
  portal: string;
  chap?: { user: string; usage: string; secret: string };
  cluster?: string;
}

export interface ImageFromLun {
  name: string;
  server: string;
  iqn: string;
  lun: number;
  type?: 'DATABLOCK' | 'OS';
}

export class DatastoresPage extends NavPage {
  protected readonly label = 'Datastores' as const;

  frontend() {
    return this.page.getByRole('region', { name: 'OpenNebula front-end' });
  }

  wizard() {
    return this.page.getByRole('region', { name: 'Create datastore' });
  }

  imageDialog() {
    return this.page.getByRole('dialog', { name: /^Register images in / });
  }

  /** The plan dialog of a fix or a delete (title: what it does). */
  planDialog() {
    return this.page.getByRole('dialog', { name: /^(Delete|Fix): / });
  }

  /** Full page in the light and in the dark scheme: NAME-light.png, NAME-dark.png. */
  async shots(name: string, fullPage = true): Promise<void> {
    mkdirSync(SCREEN_DIR, { recursive: true });
    // From the top: a full-page shot of a scrolled page draws the sticky app bar mid-page.
    if (fullPage) await this.page.evaluate(() => window.scrollTo(0, 0));
    for (const colorScheme of ['light', 'dark'] as const) {
      await this.page.emulateMedia({ colorScheme });
      await this.page.waitForTimeout(150);
      await this.page.screenshot({ path: `${SCREEN_DIR}/${name}-${colorScheme}.png`, fullPage });
    }
    await this.page.emulateMedia({ colorScheme: 'light' });
  }

  /** Picks an option of a select field inside `scope` by the option's leading text. */
  private async choose(scope: Locator, field: string, option: string | RegExp): Promise<void> {
    await scope.getByLabel(field, { exact: true }).click();
    await this.page.getByRole('option', { name: option }).click();
    await expect(this.page.getByRole('listbox')).toBeHidden();
  }

  async fillFrontend(d: FrontendDetails): Promise<void> {
    const f = this.frontend();
    const edit = f.getByRole('button', { name: 'Change connection' });
    if (await edit.isVisible()) await edit.click();
    await this.choose(f, 'Front-end host', new RegExp(`^${d.host}\\b`));
    if (d.endpoint) await f.getByLabel('XML-RPC endpoint').fill(d.endpoint);
    await f.getByRole('radio', { name: d.via === 'direct' ? /^Directly/ : /^Through the host's SSH connection/ }).check();
    await f.getByLabel('Session string').fill(d.session);
  }

  async testFrontend(): Promise<void> {
    await this.frontend().getByRole('button', { name: 'Test connection' }).click();
    await expect(this.frontend().getByLabel('Connection test')).toBeVisible({ timeout: 30_000 });
  }

  async saveFrontend(): Promise<void> {
    await this.frontend().getByRole('button', { name: 'Save connection' }).click();
    await expect(this.frontend().getByLabel('Front-end in use')).toBeVisible({ timeout: 30_000 });
  }

  async next(label = 'Next'): Promise<void> {
    await this.wizard().getByRole('button', { name: label, exact: true }).click();
  }

  async startLibvirtDatastore(d: LibvirtDatastore): Promise<void> {
    await this.page.getByRole('button', { name: 'Create datastore' }).first().click();
    const w = this.wizard();
    await w.getByRole('radio', { name: /^Existing LUNs/ }).check();
    await this.next();
    await w.getByLabel('Name', { exact: true }).fill(d.name);
    await w.getByLabel('Portal (ISCSI_HOST)').fill(d.portal);
    if (d.cluster) await this.choose(w, 'Cluster', new RegExp(`^${d.cluster}\\b`));
    if (d.chap) {
      await w.getByLabel('CHAP', { exact: true }).check();
      await w.getByLabel('CHAP user (ISCSI_USER)').fill(d.chap.user);
      await w.getByLabel('Secret usage name (ISCSI_USAGE)').fill(d.chap.usage);
      await w.getByLabel('CHAP secret', { exact: true }).fill(d.chap.secret);
    }
  }

  datastoreRow(name: string) {
    return this.page.getByRole('table', { name: 'Datastores' }).getByRole('row', { name: new RegExp(`^${name} \\(id \\d+\\)$`) });
  }

  datastoreCard(name: string) {
    return this.page.getByRole('region', { name: `Datastore ${name}` });
  }

  images(datastore: string) {
    return this.page.getByRole('table', { name: `Images of ${datastore}` });
  }

  imageRow(datastore: string, name: string) {
    return this.images(datastore).getByRole('row').filter({ hasText: name });
  }

  orphans() {
    return this.page.getByRole('region', { name: 'Orphans' });
  }

  /** In the image dialog: a LUN of a target Portico does not manage. */
  async typeLun(iqn: string, lun: number): Promise<void> {
    const d = this.imageDialog();
    await d.getByLabel('Target IQN').fill(iqn);
    await d.getByLabel('LUN number').fill(String(lun));
    await d.getByRole('button', { name: 'Add', exact: true }).click();
  }

  async reviewImages(): Promise<void> {
    const d = this.imageDialog();
    await d.getByRole('button', { name: 'Review plan' }).click();
    await expect(d.getByLabel('Plan steps')).toBeVisible({ timeout: 30_000 });
  }

  /** Apply in a plan dialog, then the job done. */
  async applyDialog(d: Locator): Promise<void> {
    await d.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(d.getByText(/All \d+ steps done/)).toBeVisible({ timeout: 60_000 });
  }

  /** In the image dialog: the LUN's checkbox in the live list of a managed target. */
  async pickLun(server: string, iqn: string, lun: number): Promise<void> {
    const d = this.imageDialog();
    await this.choose(d, 'Storage server', new RegExp(`^${server}\\b`));
    await d.getByRole('checkbox', { name: `${iqn}/${lun}` }).check();
  }
}
