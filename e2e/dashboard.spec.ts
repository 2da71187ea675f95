// The dashboard against the lab: two storage servers, a sparse target claiming more than its
// filesystem holds (stor2), a target whose running state drifted from its conf file (stor1) and a
// hypervisor whose host key changed (hv1). Each shows, links to the page that explains it, and
// clears when fixed (threshold raised, drift undone, key restored). Its own console and data folder.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labSkipReason, loadLab, requireLab, type LabHostInfo } from './lab/labinfo';
import { execOnHost } from './lab/hosts';
import { changeHostKey, restoreHostKey } from './lab/faults';
import { removeTarget } from './support/lab-targets';
import { startConsoleServer, type ConsoleServer } from './support/console-server';
import { ensureLabHost } from './support/lab-hosts';
import { screen } from './support/screens';
import { DashboardPage } from './pages/dashboard';
import { TargetsPage } from './pages/targets';

const reason = labSkipReason();
const OVER = 'iqn.2026-12.test.portico:h7dash-over';
const DRIFT = 'iqn.2026-12.test.portico:h7dash-drift';
const DRIFT_CONF = '/etc/tgt/conf.d/h7dash-drift.conf';
// High tids, away from what tgt-admin and the other specs pick.
const TID_OVER = 900 + Math.floor(Math.random() * 40);
const TID_DRIFT = 950 + Math.floor(Math.random() * 40);

const tgt = (h: LabHostInfo, ...args: string[]) => execOnHost(h, ['tgtadm', '--lld', 'iscsi', ...args]);

async function shots(page: Page, name: string): Promise<void> {
  // Full pages from the top: the fixed app bar stays where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    await screen(page, `dashboard-${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function cleanup() {
  const lab = loadLab();
  if (!lab) return;
  await restoreHostKey(lab.hosts.hv1);
  await removeTarget(lab.hosts.stor2, OVER, [`${lab.hosts.stor2.storageDir}/h7dash-over.img`]);
  await removeTarget(lab.hosts.stor1, DRIFT, [`${lab.hosts.stor1.storageDir}/h7dash-drift.img`, DRIFT_CONF]);
}

/** A target made by hand on the server (as an admin would), one LUN on a sparse file. */
async function handMadeTarget(h: LabHostInfo, tid: number, iqn: string, file: string, size: string, id: string, address: string) {
  await execOnHost(h, ['truncate', '-s', size, file]);
  await tgt(h, '--op', 'new', '--mode', 'target', '--tid', String(tid), '-T', iqn);
  await tgt(h, '--op', 'new', '--mode', 'logicalunit', '--tid', String(tid), '--lun', '1', '-b', file);
  await tgt(h, '--op', 'update', '--mode', 'logicalunit', '--tid', String(tid), '--lun', '1', '--params', `scsi_id=${id},scsi_sn=${id.replace(/-/g, '')}`);
  await tgt(h, '--op', 'bind', '--mode', 'target', '--tid', String(tid), '-I', address);
}

test.describe('dashboard', () => {
  test.skip(!!reason, reason ?? '');
  test.beforeAll(cleanup);
  test.afterAll(cleanup);
  test.setTimeout(300_000);

  test('overcommit, drift and a blocked host show, link to their pages and clear when fixed', async ({ page }) => {
    const lab = requireLab();
    const { stor1, stor2, hv1 } = lab.hosts;
    const dataDir = mkdtempSync(join(tmpdir(), 'portico-e2e-dashboard-'));
    let server: ConsoleServer | null = null;
    try {
      server = await startConsoleServer({ PORTICO_DATA_DIR: dataDir, PORTICO_KNOWN_HOSTS: '' });
      await page.goto(server.url);
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
      await ensureLabHost(page, lab, 'stor1', ['Storage server']);
      await ensureLabHost(page, lab, 'stor2', ['Storage server']);
      await ensureLabHost(page, lab, 'hv1', ['Hypervisor']);
      const targets = await new TargetsPage(page).open();
      for (const s of ['stor1', 'stor2']) {
        await targets.pickServer(s);
        await targets.setServerSettings(lab.hosts[s].storageDir!, 'iqn.2026-12.test.portico');
      }

      // stor2: 1 GiB sparse on a 256 MiB folder. stor1: a target in sync with its hand-written conf file, then drifted.
      await handMadeTarget(stor2, TID_OVER, OVER, `${stor2.storageDir}/h7dash-over.img`, '1G', 'h7dash-over-1', hv1.addresses.a!);
      await handMadeTarget(stor1, TID_DRIFT, DRIFT, `${stor1.storageDir}/h7dash-drift.img`, '16M', 'h7dash-drift-1', hv1.addresses.a!);
      const conf = `<target ${DRIFT}>\n    <backing-store ${stor1.storageDir}/h7dash-drift.img>\n        lun 1\n        scsi_id h7dash-drift-1\n        scsi_sn h7dashdrift1\n    </backing-store>\n    initiator-address ${hv1.addresses.a}\n</target>\n`;
      await execOnHost(stor1, ['sh', '-c', `cat > ${DRIFT_CONF}`], { input: conf });
      await tgt(stor1, '--op', 'bind', '--mode', 'target', '--tid', String(TID_DRIFT), '-I', hv1.addresses.b!);
      await changeHostKey(hv1);

      const dash = await new DashboardPage(page).open();
      const over = dash.warnings('overcommit', 'stor2');
      const drift = dash.warnings('conf-drift', DRIFT);
      await expect(over).toHaveCount(1, { timeout: 60_000 });
      await expect(over).toContainText('above this server\'s threshold of 100%');
      await expect(drift).toContainText(`address rule ${hv1.addresses.b} is running but not in the file`);
      await expect(dash.hosts().getByRole('list', { name: 'Hosts needing attention' })).toContainText('hv1');
      await expect(dash.hosts()).toContainText('blocked: host key changed');
      // The figures: stor2's capacity, its targets and sessions, each a link to its Targets page.
      const s2 = dash.server('stor2');
      await expect(s2.getByLabel(/^Overcommit \d+(\.\d+)?%$/)).toHaveAttribute('href', /#\/targets\//);
      await expect(s2.getByRole('img', { name: 'Capacity of stor2' })).toBeVisible();
      await expect(dash.server('stor1').getByLabel(/^drifted targets: [1-9]/)).toHaveAttribute('href', new RegExp(`#/targets/[^/]+/${encodeURIComponent(DRIFT).replace(/\./g, '\\.')}`));
      await shots(page, '1-warnings');

      // Links: each warning opens the page that explains it.
      await expect(drift.getByRole('link', { name: 'Open' })).toHaveAttribute('href', new RegExp(`^#/targets/[^/]+/${encodeURIComponent(DRIFT).replace(/\./g, '\\.')}$`));
      await over.getByRole('link', { name: 'Open' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Targets' })).toBeVisible();
      await page.goBack();
      await dash.hosts().getByRole('link', { name: 'hv1' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Hosts' })).toBeVisible();
      await page.goBack();
      await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

      // Fixes: stor2's threshold raised (an edited setting), the extra rule unbound, hv1's key back.
      const form = dash.server('stor2').getByRole('form', { name: 'Warning thresholds of stor2' });
      await form.getByLabel('Warn above overcommit %').fill('100000');
      await form.getByRole('button', { name: 'Save thresholds' }).click();
      await expect(form.getByLabel('Warn above overcommit %')).toHaveAccessibleDescription(/at most 10000/);
      await form.getByLabel('Warn above overcommit %').fill('1000');
      await form.getByRole('button', { name: 'Save thresholds' }).click();
      await tgt(stor1, '--op', 'unbind', '--mode', 'target', '--tid', String(TID_DRIFT), '-I', hv1.addresses.b!);
      await restoreHostKey(hv1);
      await dash.refresh();
      await expect(dash.server('stor2')).toBeVisible({ timeout: 60_000 });
      await expect(dash.warnings('overcommit', 'stor2')).toHaveCount(0);
      await expect(dash.warnings('conf-drift', DRIFT)).toHaveCount(0);
      await expect(dash.hosts()).toContainText('Every host answers with the key on record.');
      await shots(page, '2-cleared');
    } finally {
      await restoreHostKey(hv1Of());
      await server?.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

function hv1Of(): LabHostInfo {
  return requireLab().hosts.hv1;
}
