// Page object for the Targets page and the create-target wizard.
import { mkdirSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';
import { NavPage } from './console';
import { SCREEN_DIR, screen } from '../support/screens';

export interface NewTarget {
  name: string;
  luns: string[];
  initiators: string[];
  networks: string[];
  chap?: boolean;
}

/** The viewport in light and dark (NAME-light.png, NAME-dark.png); `mask` hides secrets on screen. */
export async function shots(page: Page, name: string, mask: Locator[] = []): Promise<void> {
  mkdirSync(SCREEN_DIR, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${SCREEN_DIR}/${name}-${colorScheme}.png`, mask });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Presses Tab until the focused element is the button named `name` (keyboard-only runs). */
export async function tabTo(page: Page, name: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    // textContent, not innerText: MUI buttons show their label upper-cased by CSS.
    const label = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    if (label === name) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached a button named ${name}`);
}

export class TargetsPage extends NavPage {
  protected readonly label = 'Targets' as const;

  wizard() {
    return this.page.getByLabel('Create target');
  }

  async setServerSettings(storageDir: string, baseIqn: string): Promise<void> {
    await this.page.getByLabel('Storage folder').fill(storageDir);
    await this.page.getByLabel('Base IQN').fill(baseIqn);
    const save = this.page.getByRole('button', { name: 'Save settings' });
    if (await save.isVisible()) await save.click();
    await expect(save).toBeHidden();
  }

  async next(label = 'Next'): Promise<void> {
    await this.wizard().getByRole('button', { name: label }).click();
  }

  async fillIdentity(t: NewTarget): Promise<void> {
    await this.page.getByRole('button', { name: 'Create target' }).first().click();
    await this.wizard().getByLabel('Target name').fill(t.name);
  }

  async fillLuns(t: NewTarget): Promise<void> {
    const w = this.wizard();
    for (let i = 0; i < t.luns.length; i++) {
      if (i > 0) await w.getByRole('button', { name: 'Add LUN' }).click();
      await w.getByLabel(`Size of LUN ${i + 1}`).fill(t.luns[i]);
    }
  }

  async fillAccess(t: NewTarget): Promise<void> {
    const w = this.wizard();
    await w.getByLabel('Allowed initiators (one IQN per line)').fill(t.initiators.join('\n'));
    await w.getByLabel('Allowed networks (address or CIDR, one per line)').fill(t.networks.join('\n'));
    if (t.chap) await w.getByLabel('Require CHAP').check();
  }

  /**
   * Opens the wizard and fills its identity, LUN and access steps, stopping before "Review plan";
   * returns the CHAP user and secret the wizard generated (empty without CHAP).
   */
  async fillWizard(t: NewTarget): Promise<{ user: string; secret: string }> {
    await this.fillIdentity(t);
    await this.next();
    await this.fillLuns(t);
    await this.next();
    await this.fillAccess(t);
    if (!t.chap) return { user: '', secret: '' };
    const secret = await this.wizard().getByLabel('CHAP secret').inputValue();
    const user = await this.wizard().getByLabel('CHAP user').inputValue();
    return { user, secret };
  }

  /** Walks the wizard to a succeeded job, taking a screenshot of each step. */
  async create(t: NewTarget, shots: string): Promise<void> {
    await this.fillIdentity(t);
    await screen(this.page, `${shots}-1-identity`);
    await this.next();
    await this.fillLuns(t);
    await screen(this.page, `${shots}-2-luns`);
    await this.next();
    await this.fillAccess(t);
    await screen(this.page, `${shots}-3-access`);
    await this.next('Review plan');
    await expect(this.wizard().getByLabel('Plan steps')).toBeVisible();
    await screen(this.page, `${shots}-4-review`);
    await this.next('Apply');
    await expect(this.wizard().getByText(/All \d+ steps done/)).toBeVisible({ timeout: 60_000 });
    await screen(this.page, `${shots}-5-apply`);
    await this.next('Verify');
    await expect(this.wizard().getByLabel('Verification')).toBeVisible();
    await screen(this.page, `${shots}-6-verify`);
  }

  row(iqn: string) {
    return this.page.getByRole('row', { name: iqn, exact: true });
  }

  /** The virtualised list of targets (aria-rowcount = how many the filters keep). */
  list() {
    return this.page.getByRole('table', { name: 'Targets' });
  }

  async pickServer(name: string): Promise<void> {
    await this.page.getByLabel('Storage server').click();
    await this.page.getByRole('option', { name }).click();
  }

  /** Toggles a count/filter button ("Open to ALL", "Has sessions", "Unmanaged", ...). */
  async filterBy(label: string): Promise<void> {
    await this.page.getByRole('group', { name: 'Filters' }).getByRole('button', { name: new RegExp(`^${label}: \\d+$`) }).click();
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Filter by IQN, initiator or address').fill(text);
  }

  async sortBy(label: 'IQN' | 'Size' | 'Sessions' | 'Drift'): Promise<void> {
    await this.page.getByRole('group', { name: 'Sort by' }).getByRole('button', { name: new RegExp(`^Sort by ${label}`) }).click();
  }

  /** Opens a target's detail page from its row (the IQN link). */
  async openDetail(iqn: string) {
    await this.row(iqn).getByRole('link', { name: iqn, exact: true }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: iqn })).toBeVisible();
    return new TargetDetail(this.page, iqn);
  }

  /** The Add LUN / Edit access / Delete / Reconcile dialog of one target. */
  actionDialog() {
    return this.page.getByRole('dialog', { name: /^(Add LUN|Edit access|Delete target|Reconcile with conf file): / });
  }

  /** Opens Access on a target's row: the rules filled in from the live target, CHAP "keep" chosen. */
  async openAccess(iqn: string) {
    await this.row(iqn).getByRole('button', { name: 'Access' }).click();
    const d = this.actionDialog();
    await expect(d.getByRole('radiogroup', { name: 'CHAP' })).toBeVisible();
    return d;
  }

  /** "Review plan" in the action dialog, then the review. */
  async reviewAction() {
    const d = this.actionDialog();
    await d.getByRole('button', { name: 'Review plan' }).click();
    await expect(d.getByLabel('Plan steps')).toBeVisible();
    return d;
  }

  async applyAction() {
    const d = this.actionDialog();
    await d.getByRole('button', { name: 'Apply' }).click();
    await expect(d.getByText(/All \d+ steps done/)).toBeVisible({ timeout: 60_000 });
  }

  /** The viewport (the dialog as the admin sees it) in the light and in the dark scheme: NAME-light.png, NAME-dark.png. */
  async dialogShots(name: string): Promise<void> {
    await shots(this.page, name);
  }

  portalCheck() {
    return this.page.getByRole('dialog', { name: 'Check portals' });
  }

  /** Opens "Check portals", waits for the servers' portals to fill in, adds `extra` lines. */
  async openPortalCheck(expectPortals: string[], extra: string[] = []): Promise<void> {
    await this.page.getByRole('button', { name: 'Check portals' }).click();
    const field = this.portalCheck().getByLabel('Portals (address:port, one per line)');
    for (const p of expectPortals) await expect(field).toHaveValue(new RegExp(p.replace(/[.[\]]/g, '\\$&')));
    if (extra.length) await field.fill(`${await field.inputValue()}\n${extra.join('\n')}`);
  }

  async runPortalCheck(from?: string): Promise<void> {
    const d = this.portalCheck();
    if (from) {
      await d.getByLabel('Check from').click();
      await this.page.getByRole('option', { name: new RegExp(`^${from} `) }).click();
    }
    await d.getByRole('button', { name: 'Check portals' }).click();
    await expect(d.getByRole('status')).toBeVisible({ timeout: 30_000 });
  }

  portalRow(portal: string) {
    return this.portalCheck().getByRole('row', { name: `portal ${portal}` });
  }
}

/** A target's detail page (#/targets/<serverId>/<iqn>) and its action dialogs. */
export class TargetDetail {
  constructor(readonly page: Page, readonly iqn: string) {}

  section(name: 'Identity' | 'LUNs' | 'Access' | 'Sessions' | 'Conf file' | 'Jobs') {
    return this.page.getByRole('region', { name });
  }

  lunRow(lun: number) {
    return this.section('LUNs').getByRole('row', { name: `LUN ${lun}`, exact: true });
  }

  dialog() {
    return this.page.getByRole('dialog');
  }

  /** Review plan, Apply (confirming dangers when asked), until every step is done. */
  async reviewAndApply(opts: { confirmDangers?: boolean } = {}): Promise<void> {
    const d = this.dialog();
    await d.getByRole('button', { name: 'Review plan' }).click();
    await expect(d.getByLabel('Plan steps')).toBeVisible();
    if (opts.confirmDangers) await d.getByLabel('I understand: this plan lowers protection').check();
    await expect(d.getByRole('button', { name: 'Apply' })).toBeEnabled();
    await d.getByRole('button', { name: 'Apply' }).click();
    await expect(d.getByText(/All \d+ steps? done/)).toBeVisible({ timeout: 60_000 });
  }

  async close(): Promise<void> {
    await this.dialog().getByRole('button', { name: 'Close' }).click();
    await expect(this.dialog()).toBeHidden();
  }
}
