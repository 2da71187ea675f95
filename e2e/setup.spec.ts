// The setup assistant end to end, from an empty data folder: stor1 (host key compared), its storage
// settings, a first target made with the embedded create-target wizard — those three steps with the
// keyboard only — then the console is SIGKILLed and started again on the same folder, opens the
// assistant at the step it was on; hv1 and hv2 from a pasted list with one credential, each key
// accepted on its row; their initiator names put on the target's access list by a reviewed plan;
// the path check from each hypervisor; finally libiscsi on hv1 and hv2 logs in to the target.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labSkipReason, requireLab, loadLab } from './lab/labinfo';
import { execOnHost } from './lab/hosts';
import { removeTarget } from './support/lab-targets';
import { startConsoleServer, type ConsoleServer } from './support/console-server';
import { screen } from './support/screens';
import { SetupPage } from './pages/setup';

const reason = labSkipReason();
const NAME = 'h7setup';
const BASE = 'iqn.2026-12.test.portico:h7';
const IQN = `${BASE}:${NAME}`;
/** A name no host has: the target admits nobody until the access step adds the hypervisors. */
const PLACEHOLDER = 'iqn.2026-12.test.portico:nobody';

async function shots(page: Page, name: string): Promise<void> {
  // Full pages from the top: the fixed app bar stays where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await screen(page, `setup-${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function openAt(page: Page, link: string) {
  await page.goto(link);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

async function cleanup() {
  const lab = loadLab();
  if (!lab) return;
  const stor1 = lab.hosts.stor1;
  await removeTarget(stor1, IQN, [`${stor1.storageDir}/${NAME}*`, `/etc/tgt/conf.d/${NAME}.conf*`]);
}

test.describe('setup assistant', () => {
  test.skip(!!reason, reason ?? '');
  test.beforeAll(cleanup);
  test.afterAll(cleanup);
  test.setTimeout(600_000);

  test('from nothing to a target hv1 and hv2 log in to, surviving a console restart mid-way', async ({ page }) => {
    const lab = requireLab();
    const { stor1, hv1, hv2 } = lab.hosts;
    const key = lab.accounts.root.keyPath!;
    const dataDir = mkdtempSync(join(tmpdir(), 'portico-e2e-setup-'));
    const servers: ConsoleServer[] = [];
    try {
      const first = await startConsoleServer({ PORTICO_DATA_DIR: dataDir, PORTICO_KNOWN_HOSTS: '' });
      servers.push(first);
      await openAt(page, first.url);
      const s = new SetupPage(page);
      // First run: the assistant is the start page.
      await expect(s.heading()).toBeVisible();
      await expect(s.step('Storage servers')).toBeVisible();
      await shots(page, '1-servers');

      // ---- Step 1, keyboard only: the add-host dialog with its host key step.
      await s.press(page.getByRole('button', { name: 'Add a storage server' }));
      const dlg = page.getByRole('dialog', { name: 'Add host' });
      await expect(dlg).toBeVisible();
      await s.typeInto(dlg.getByLabel('Name', { exact: true }), 'stor1');
      await s.typeInto(dlg.getByLabel('Address'), stor1.ssh.host);
      await s.typeInto(dlg.getByRole('textbox', { name: 'Key file', exact: true }), key);
      await shots(page, '1a-add-host');
      await s.press(dlg.getByRole('button', { name: 'Connect' }));
      await expect(dlg.getByTestId('fingerprint')).toHaveText(stor1.ssh.hostKeyFingerprint);
      await shots(page, '1b-host-key');
      await s.press(dlg.getByRole('button', { name: 'Accept key and connect' }));
      await expect(dlg.getByText('Connected to stor1')).toBeVisible();
      await s.press(dlg.getByRole('button', { name: 'Done' }));
      await expect(dlg).toBeHidden();
      await expect(s.step('Storage servers').getByRole('list', { name: 'Storage servers' })).toContainText('stor1');
      await s.press(page.getByRole('button', { name: 'Continue' }));

      // ---- Step 2, keyboard only: storage folder (its filesystem and free space shown) and base IQN.
      const settings = s.step('Storage settings');
      await expect(settings).toBeVisible();
      const folder = settings.getByLabel('Storage folder on stor1');
      await expect(folder).not.toHaveValue('');
      await s.typeInto(folder, stor1.storageDir!);
      await s.typeInto(settings.getByLabel('Base IQN of stor1'), BASE);
      await expect(settings.getByRole('status')).toContainText(/The folder exists: \S+ filesystem .* free of /);
      await shots(page, '2-settings');
      await s.press(page.getByRole('button', { name: 'Save and continue' }));

      // ---- Step 3, keyboard only: the embedded create-target wizard.
      const step3 = s.step('First target');
      await expect(step3).toBeVisible();
      await shots(page, '3-target');
      await s.press(step3.getByRole('button', { name: 'Create a target' }));
      const wiz = page.getByLabel('Create target');
      await expect(wiz.getByLabel('Target name')).toBeFocused();
      await page.keyboard.type(NAME);
      await s.press(wiz.getByRole('button', { name: 'Next' }));
      await s.typeInto(wiz.getByLabel('Size of LUN 1'), '64MB');
      await s.press(wiz.getByRole('button', { name: 'Next' }));
      await s.typeInto(wiz.getByLabel('Allowed initiators (one IQN per line)'), PLACEHOLDER);
      await shots(page, '3a-wizard-access');
      await s.press(wiz.getByRole('button', { name: 'Review plan' }));
      await expect(wiz.getByLabel('Plan steps')).toBeVisible();
      await shots(page, '3b-wizard-review');
      await s.press(wiz.getByRole('button', { name: 'Apply' }));
      await expect(wiz.getByText(/All \d+ steps done/)).toBeVisible({ timeout: 60_000 });
      await s.press(wiz.getByRole('button', { name: 'Verify' }));
      await expect(wiz.getByLabel('Verification')).toBeVisible();
      await s.press(wiz.getByRole('button', { name: 'Close' }));
      await expect(step3.getByRole('radio', { name: new RegExp(IQN.replace(/\./g, '\\.')) })).toBeChecked();
      await shots(page, '3c-target-made');
      await s.press(page.getByRole('button', { name: 'Continue' }));
      await expect(s.step('Hypervisors')).toBeVisible();

      // ---- The console dies; started again on the same data folder it resumes at Hypervisors.
      first.child.kill('SIGKILL');
      await new Promise((r) => (first.child.exitCode !== null ? r(null) : first.child.once('exit', r)));
      const second = await startConsoleServer({ PORTICO_DATA_DIR: dataDir, PORTICO_KNOWN_HOSTS: '' });
      servers.push(second);
      await openAt(page, second.url);
      await expect(s.heading()).toBeVisible();
      await expect(s.step('Hypervisors')).toBeVisible();
      // What the first console's steps produced is still there: the step list shows them done.
      await expect(page.getByLabel('Setup steps').locator('[data-status="done"]')).toHaveCount(3);
      await shots(page, '4-hypervisors');

      // ---- Step 4: two hypervisors from a pasted list, one credential, each key accepted on its row.
      const step4 = s.step('Hypervisors');
      await step4.getByLabel('Hosts, one a line').fill(`hv1 ${hv1.ssh.host}\nhv2 ${hv2.ssh.host}`);
      await step4.getByRole('textbox', { name: 'Key file', exact: true }).fill(key);
      await step4.getByRole('button', { name: 'Add and probe' }).click();
      for (const hv of [hv1, hv2]) {
        await expect(step4.getByTestId(`fingerprint-${hv.name}`)).toHaveText(hv.ssh.hostKeyFingerprint, { timeout: 30_000 });
      }
      await shots(page, '4a-keys');
      for (const hv of [hv1, hv2]) await step4.getByRole('button', { name: `Accept key of ${hv.name}` }).click();
      for (const hv of [hv1, hv2]) await expect(step4.getByRole('row', { name: `hypervisor ${hv.name}` })).toContainText(hv.initiatorIqn, { timeout: 30_000 });
      await shots(page, '4b-probed');
      await step4.getByRole('button', { name: 'Continue' }).click();

      // ---- Step 5: the access plan, reviewed and applied.
      const step5 = s.step('Access');
      await expect(step5.getByText(`hv1 (${hv1.initiatorIqn})`, { exact: false })).toBeVisible();
      await step5.getByRole('button', { name: 'Review the access plan' }).click();
      await expect(step5.getByLabel('Plan steps')).toBeVisible();
      await shots(page, '5-access-plan');
      await step5.getByRole('button', { name: 'Apply' }).click();
      await expect(step5.getByText("Every hypervisor's initiator name is on the access list.")).toBeVisible({ timeout: 60_000 });
      await expect(step5.getByRole('list', { name: 'Access list now' })).toContainText(hv2.initiatorIqn);
      await shots(page, '5a-access-done');
      await step5.getByRole('button', { name: 'Continue' }).click();

      // ---- Step 6: the path check from each hypervisor, in words.
      const step6 = s.step('Path check');
      await step6.getByRole('button', { name: 'Check the paths' }).click();
      for (const hv of ['hv1', 'hv2']) await expect(step6.getByLabel(`paths from ${hv}`)).toContainText(`${hv} logs in through all`, { timeout: 60_000 });
      await shots(page, '6-paths');
      await step6.getByRole('button', { name: 'Continue' }).click();

      // ---- Step 7: what comes next, then the dashboard.
      const step7 = s.step('Next');
      await expect(step7).toContainText('Bonds');
      await shots(page, '7-next');
      await step7.getByRole('button', { name: 'Finish and open the dashboard' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
      // The path step's logins are recorded for the dashboard (other specs' targets may add their own failures).
      await expect(page.getByLabel('Path health')).toContainText(/[1-9]\d* ok · \d+ failed/, { timeout: 60_000 });
      await expect(page.getByLabel('Path health').getByRole('listitem').filter({ hasText: IQN })).toHaveCount(0);

      // ---- libiscsi on each hypervisor, as its own initiator: discovery offers the target, the LUN answers.
      const portal = stor1.tgt!.portals[0];
      for (const hv of [hv1, hv2]) {
        const ls = await execOnHost(hv, ['iscsi-ls', '-i', hv.initiatorIqn, `iscsi://${portal}`]);
        expect(ls.stdout, `iscsi-ls on ${hv.name}: ${ls.stderr}`).toContain(IQN);
        const inq = await execOnHost(hv, ['iscsi-inq', '-i', hv.initiatorIqn, `iscsi://${portal}/${IQN}/1`]);
        expect(inq.code, `iscsi-inq on ${hv.name}: ${inq.stderr}`).toBe(0);
      }
      // A host not on the list is refused: the login above was the access plan's doing.
      const other = await execOnHost(hv1, ['iscsi-inq', '-i', PLACEHOLDER.replace('nobody', 'stranger'), `iscsi://${portal}/${IQN}/1`], { allowFail: true });
      expect(other.code).not.toBe(0);
    } finally {
      // A console holding SSH sessions to several hosts may not exit on SIGTERM promptly: bounded, then SIGKILL.
      for (const x of servers) {
        const stopped = await Promise.race([x.stop().then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
        if (!stopped) x.child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
