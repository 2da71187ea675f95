// Day-2 on one target, through its detail page: a target made by hand with tgtadm shows as
// unmanaged and is adopted; then add a LUN (keyboard only; the list shows the new count without a
// reload), grow LUN 1, make it read-only, add a CHAP account and rotate its secret (keyboard only:
// the old secret is refused, the new one accepted, by libiscsi), alias, a held session disconnected,
// remove LUN 2 with its file. Each step is checked on stor1 with tgtadm.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { labSkipReason, loadLab, requireLab } from './lab/labinfo';
import { execOnHost } from './lab/hosts';
import { boundAccounts, liveLuns, removeTarget } from './support/lab-targets';
import { ConsolePage } from './pages/console';
import { TargetsPage, shots, tabTo } from './pages/targets';
import { ensureLabHost } from './support/lab-hosts';
import { noteSecret } from './support/secrets';
import { holdSession } from '../electron/test-support/iscsi-hold';

const reason = labSkipReason();
const NAME = 'h2detail';
const IQN = `iqn.2026-11.test.h2:${NAME}`;
const TID = 2601;
const USER = `${NAME}-user`;

async function cleanup() {
  const lab = loadLab();
  if (!lab) return;
  const stor1 = lab.hosts.stor1;
  await removeTarget(stor1, IQN);
  await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--mode', 'account', '--user', USER], { allowFail: true });
  // The conf file adopt wrote (named after the IQN's last part), its .prev, and the LUN files.
  await execOnHost(stor1, ['sh', '-c', `grep -l -F -- '${IQN}' /etc/tgt/conf.d/* 2>/dev/null | xargs -r rm -f; rm -f ${stor1.storageDir}/${NAME}* /var/lib/portico/storage/${NAME}*; rmdir /var/lib/portico/storage /var/lib/portico 2>/dev/null; true`], { allowFail: true });
}

test.describe('target detail', () => {
  test.skip(!!reason, reason ?? '');
  test.beforeAll(cleanup);
  test.afterAll(cleanup);

  test('adopt a hand-made target, then every LUN, CHAP, alias and session action from its detail page', async ({ page }) => {
    test.setTimeout(300_000);
    const lab = requireLab();
    const stor1 = lab.hosts.stor1;
    const portal = stor1.tgt!.portals[0];
    const file = `${stor1.storageDir}/${NAME}.img`;
    for (const argv of [
      ['truncate', '-s', '32M', file],
      ['tgtadm', '--lld', 'iscsi', '--op', 'new', '--mode', 'target', '--tid', String(TID), '-T', IQN],
      ['tgtadm', '--lld', 'iscsi', '--op', 'new', '--mode', 'logicalunit', '--tid', String(TID), '--lun', '1', '-b', file],
      ['tgtadm', '--lld', 'iscsi', '--op', 'bind', '--mode', 'target', '--tid', String(TID), '-I', 'ALL'],
    ]) {
      const r = await execOnHost(stor1, argv);
      expect(r.code, r.stderr).toBe(0);
    }

    await new ConsolePage(page).open();
    await ensureLabHost(page, lab, 'stor1', ['Storage server']);
    const targets = await new TargetsPage(page).open();
    await targets.setServerSettings(stor1.storageDir!, 'iqn.2002-08.info.netmanager');
    await targets.pickServer('stor1');
    await targets.filterBy('Unmanaged');
    await expect(targets.row(IQN)).toContainText('unmanaged');
    await shots(page, 'targets-detail-1-unmanaged-in-list');
    await targets.filterBy('Unmanaged');

    // Adopt: the conf file is written from the live state; the target is managed and in sync.
    const detail = await targets.openDetail(IQN);
    await expect(page.getByLabel('Unmanaged target')).toBeVisible();
    await shots(page, 'targets-detail-2-unmanaged');
    await page.getByLabel('Unmanaged target').getByRole('button', { name: 'Adopt' }).click();
    await detail.reviewAndApply();
    await shots(page, 'targets-detail-3-adopted-job');
    await detail.close();
    await expect(page.getByText('managed by Portico', { exact: true })).toBeVisible({ timeout: 20_000 });
    const conf = await execOnHost(stor1, ['sh', '-c', `grep -l -F -- '<target ${IQN}>' /etc/tgt/conf.d/*.conf`]);
    expect(conf.stdout.trim()).toMatch(/\.conf$/);
    await expect(detail.section('Conf file')).toContainText(`<target ${IQN}>`);

    // Add LUN, keyboard only: focus the button, Enter; type the size, Enter reviews; Tab to Apply, Enter.
    await detail.section('LUNs').getByRole('button', { name: 'Add LUN' }).focus();
    await page.keyboard.press('Enter');
    await expect(detail.dialog().getByLabel('Size of LUN 2')).toBeFocused();
    await page.keyboard.type('48MB');
    await shots(page, 'targets-detail-4-add-lun-form');
    await page.keyboard.press('Enter');
    await expect(detail.dialog().getByLabel('Plan steps')).toBeVisible();
    await shots(page, 'targets-detail-5-add-lun-review');
    // The review focuses its first decision: the "I understand" box when the plan has a danger (Space ticks it).
    if (await detail.dialog().getByRole('alert', { name: 'This plan lowers protection' }).isVisible()) await page.keyboard.press('Space');
    await tabTo(page, 'Apply');
    await page.keyboard.press('Enter');
    await expect(detail.dialog().getByText(/All \d+ steps? done/)).toBeVisible({ timeout: 60_000 });
    await page.keyboard.press('Escape');
    await expect(detail.dialog()).toBeHidden();
    await expect(detail.lunRow(2)).toBeVisible({ timeout: 20_000 });
    expect((await liveLuns(stor1, IQN)).map((l) => [l.lun, l.sizeMb])).toEqual([[1, 34], [2, 50]]);
    // Back to the list (a hash change, no reload): the count is the new one.
    await page.getByRole('link', { name: /^Targets on stor1/ }).click();
    await expect(targets.row(IQN)).toContainText('2 LUN(s)');
    await targets.openDetail(IQN);

    // Grow LUN 1 from 32 MiB to 64 MiB: the file grows, tgt reports the new size.
    await detail.lunRow(1).getByRole('button', { name: 'Resize' }).click();
    await detail.dialog().getByLabel('New size').fill('10MB');
    await detail.dialog().getByRole('button', { name: 'Review plan' }).click();
    await expect(detail.dialog().getByText(/only growing|grow|smaller/i).first()).toBeVisible();
    await detail.dialog().getByLabel('New size').fill('64MB');
    await shots(page, 'targets-detail-6-resize');
    await detail.reviewAndApply();
    await detail.close();
    await expect.poll(async () => (await liveLuns(stor1, IQN)).find((l) => l.lun === 1)?.sizeMb).toBe(67);

    // Read-only on LUN 1.
    await detail.lunRow(1).getByRole('button', { name: 'Make read-only' }).click();
    await detail.reviewAndApply();
    await detail.close();
    await expect.poll(async () => (await liveLuns(stor1, IQN)).find((l) => l.lun === 1)?.readonly).toBe(true);
    await expect(detail.lunRow(1).getByRole('button', { name: 'Make writable' })).toBeVisible({ timeout: 20_000 });
    await detail.lunRow(1).getByRole('button', { name: 'Make writable' }).click();
    await detail.reviewAndApply();
    await detail.close();
    await expect.poll(async () => (await liveLuns(stor1, IQN)).find((l) => l.lun === 1)?.readonly).toBe(false);
    await expect(detail.lunRow(1).getByRole('button', { name: 'Make read-only' })).toBeVisible({ timeout: 20_000 });

    // CHAP: add an account (main generates the secret, shown once), libiscsi logs in with it.
    const cap = (creds: { user: string; secret: string } | null) => {
      const env = { ...process.env, ...(creds ? { LIBISCSI_CHAP_USERNAME: creds.user, LIBISCSI_CHAP_PASSWORD: creds.secret } : {}) };
      try {
        return execFileSync('iscsi-readcapacity16', ['-s', '-i', 'iqn.2026-11.org.portico:e2e-check', `iscsi://${portal}/${IQN}/2`], { encoding: 'utf8', stdio: 'pipe', env }).trim();
      } catch {
        return 'refused';
      }
    };
    expect(cap(null)).toBe(String(48 * 1024 ** 2));
    await detail.section('Access').getByRole('button', { name: 'Add CHAP account' }).click();
    await detail.dialog().getByLabel('CHAP user').fill(USER);
    await detail.reviewAndApply();
    const secretBox = detail.dialog().getByTestId('chap-secret');
    const first = (await secretBox.textContent())!.trim();
    noteSecret(first);
    expect(first).toMatch(/^[A-Za-z0-9._@+=-]{12,}$/);
    await shots(page, 'targets-detail-7-chap-added-secret-once', [secretBox]);
    await detail.close();
    expect(await boundAccounts(stor1, IQN)).toEqual([USER]);
    expect(cap(null)).toBe('refused');
    expect(cap({ user: USER, secret: first })).toBe(String(48 * 1024 ** 2));
    await expect(detail.section('Access')).not.toContainText(first);

    // Rotate, keyboard only: the old secret is refused, the new one accepted.
    const rotate = detail.section('Access').getByRole('row', { name: `CHAP ${USER}` }).getByRole('button', { name: 'Rotate secret' });
    await expect(rotate).toBeVisible({ timeout: 20_000 });
    await rotate.focus();
    await page.keyboard.press('Enter');
    await expect(detail.dialog()).toBeVisible();
    await tabTo(page, 'Review plan');
    await page.keyboard.press('Enter');
    await expect(detail.dialog().getByLabel('Plan steps')).toBeVisible();
    await expect(detail.dialog().getByLabel('Plan steps')).not.toContainText(first);
    await shots(page, 'targets-detail-8-rotate-review');
    if (await detail.dialog().getByRole('alert', { name: 'This plan lowers protection' }).isVisible()) await page.keyboard.press('Space');
    await tabTo(page, 'Apply');
    await page.keyboard.press('Enter');
    await expect(detail.dialog().getByText(/All \d+ steps? done/)).toBeVisible({ timeout: 60_000 });
    const second = (await secretBox.textContent())!.trim();
    noteSecret(second);
    expect(second).not.toBe(first);
    await tabTo(page, 'Copy');
    await shots(page, 'targets-detail-9-rotated-secret-once', [secretBox]);
    await page.keyboard.press('Escape');
    await expect(detail.dialog()).toBeHidden();
    expect(cap({ user: USER, secret: first })).toBe('refused');
    expect(cap({ user: USER, secret: second })).toBe(String(48 * 1024 ** 2));
    await expect(page.locator('body')).not.toContainText(second);

    // Alias: Portico metadata in the conf file.
    await detail.section('Identity').getByRole('button', { name: 'Alias and comment' }).click();
    await detail.dialog().getByLabel('Alias').fill('backup disks');
    await detail.dialog().getByLabel('Comment').fill('nightly <backup> & "restore"');
    await detail.reviewAndApply();
    await detail.close();
    await expect(detail.section('Identity')).toContainText('backup disks', { timeout: 20_000 });
    await expect(detail.section('Identity')).toContainText('nightly <backup> & "restore"');
    const meta = await execOnHost(stor1, ['sh', '-c', `grep -h -F -- '# portico-meta' $(grep -l -F -- '<target ${IQN}>' /etc/tgt/conf.d/*.conf)`]);
    expect(meta.stdout, 'alias and comment in the conf file').toContain('backup disks');

    // Under a held session: remove LUN 2 (refused until forced after seeing who is connected, its
    // file deleted on request), then disconnect the session (its initiator shown).
    const [host, port] = [portal.replace(/:\d+$/, ''), Number(portal.replace(/^.*:/, ''))];
    // The held session logs in without CHAP: remove the account first, as an admin would before maintenance.
    await detail.section('Access').getByRole('row', { name: `CHAP ${USER}` }).getByRole('button', { name: 'Remove' }).click();
    await detail.dialog().getByRole('button', { name: 'Review plan' }).click();
    await expect(detail.dialog().getByRole('alert', { name: 'This plan lowers protection' })).toBeVisible();
    await detail.dialog().getByLabel('I understand: this plan lowers protection').check();
    await detail.dialog().getByRole('button', { name: 'Apply' }).click();
    await expect(detail.dialog().getByText(/All \d+ steps? done/)).toBeVisible({ timeout: 60_000 });
    await detail.close();
    expect(await boundAccounts(stor1, IQN)).toEqual([]);
    const held = await holdSession({ host, port, targetName: IQN, initiatorName: 'iqn.2026-11.test.h2:holder' });
    try {
      expect(held.statusClass).toBe(0);
      const row = detail.section('Sessions').getByRole('row', { name: 'session iqn.2026-11.test.h2:holder' });
      await expect(row).toBeVisible({ timeout: 20_000 });

      const lun2File = (await liveLuns(stor1, IQN)).find((l) => l.lun === 2)?.path;
      expect(lun2File, 'LUN 2 backing file').toBeTruthy();
      await detail.lunRow(2).getByRole('button', { name: 'Remove' }).click();
      await expect(detail.dialog().getByLabel('Connected now')).toContainText('iqn.2026-11.test.h2:holder');
      await detail.dialog().getByLabel(/Also delete the backing file/).check();
      await detail.dialog().getByRole('button', { name: 'Review plan' }).click();
      await expect(detail.dialog().getByText(/^Force: .* has 1 connected session\(s\)/)).toBeVisible();
      await expect(detail.dialog().getByLabel('Plan steps')).toHaveCount(0);
      await shots(page, 'targets-detail-10-remove-lun-refused');
      expect((await liveLuns(stor1, IQN)).map((l) => l.lun)).toEqual([1, 2]);
      await detail.dialog().getByLabel('I have seen who is connected: remove it anyway').check();
      await shots(page, 'targets-detail-11-remove-lun');
      await detail.reviewAndApply({ confirmDangers: true }); // a disk taken from a connected initiator, and its file deleted
      await detail.close();
      await expect.poll(async () => (await liveLuns(stor1, IQN)).map((l) => l.lun)).toEqual([1]);
      expect(held.ended(), 'the session outlives the LUN removal').toBe(false);
      expect((await execOnHost(stor1, ['test', '-e', lun2File!], { allowFail: true })).code, `${lun2File} deleted`).not.toBe(0);
      expect((await execOnHost(stor1, ['test', '-e', file])).code, `${file} kept`).toBe(0);

      await row.getByRole('button', { name: 'Disconnect' }).click();
      await expect(detail.dialog()).toContainText('iqn.2026-11.test.h2:holder');
      await shots(page, 'targets-detail-12-disconnect');
      await detail.reviewAndApply();
      await detail.close();
      await held.whenEnded;
      expect(held.ended()).toBe(true);
    } finally {
      await held.close();
    }
    await expect(detail.lunRow(2)).toHaveCount(0, { timeout: 20_000 });
    await shots(page, 'targets-detail-13-page');
  });
});
