// The server-wide actions of the Targets page: the Portals section (add a portal, see tgtd listen
// there, remove it), a multi-selection of targets made by hand (adopt both, grant access to both,
// delete both) as one plan each, the list's own session refresh, and a list marked stale while its
// server is unreachable. Every step is checked on the server with tgtadm.
import { expect, test, type Page } from '@playwright/test';
import { labSkipReason, loadLab, requireLab } from './lab/labinfo';
import { execOnHost } from './lab/hosts';
import { removeTarget } from './support/lab-targets';
import { linkDown, linkUp } from './lab/faults';
import { holdSession } from '../electron/test-support/iscsi-hold';
import { ConsolePage } from './pages/console';
import { TargetsPage, shots } from './pages/targets';
import { ensureLabHost } from './support/lab-hosts';

const reason = labSkipReason();
const NAMES = ['h2bulk1', 'h2bulk2'];
const IQNS = NAMES.map((n) => `iqn.2026-11.test.h2:${n}`);
const TIDS = [2611, 2612];
const ALLOWED = 'iqn.2026-11.test.h2:bulk-initiator';
const DROP_IN = '/etc/systemd/system/tgt.service.d/portico-portals.conf';
const STALE_IQN = 'iqn.2026-11.test.h2:h2stale';
const STALE_TID = 2613;

async function cleanup() {
  const lab = loadLab();
  if (!lab) return;
  const stor1 = lab.hosts.stor1;
  for (const iqn of IQNS) await removeTarget(stor1, iqn);
  await linkUp(lab.hosts.stor2, 'mgmt');
  await removeTarget(lab.hosts.stor2, STALE_IQN);
  const portal = `${stor1.addresses.mgmt}:3260`;
  await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--mode', 'portal', '--param', `portal=${portal}`], { allowFail: true });
  const files = NAMES.map((n) => `${stor1.storageDir}/${n}.img`).join(' ');
  await execOnHost(stor1, ['sh', '-c', `for i in ${IQNS.join(' ')}; do grep -l -F -- "<target $i>" /etc/tgt/conf.d/* 2>/dev/null | xargs -r rm -f; done; rm -f ${files} ${DROP_IN}; rmdir /etc/systemd/system/tgt.service.d 2>/dev/null; true`], { allowFail: true });
}

async function tgtShow(host: Parameters<typeof execOnHost>[0], mode: 'target' | 'portal'): Promise<string> {
  const r = await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', mode]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Review plan, tick the danger box where the plan has one, Apply, wait for every step. */
async function reviewAndApply(page: Page): Promise<void> {
  const d = page.getByRole('dialog');
  await d.getByRole('button', { name: 'Review plan' }).click();
  await expect(d.getByLabel('Plan steps')).toBeVisible();
  const danger = d.getByLabel('I understand: this plan lowers protection');
  if (await danger.count()) await danger.check();
  await d.getByRole('button', { name: 'Apply' }).click();
  await expect(d.getByText(/All \d+ steps? done/)).toBeVisible({ timeout: 60_000 });
  await d.getByRole('button', { name: 'Close' }).click();
  await expect(d).toBeHidden();
}

test.describe('targets page: portals and bulk actions', () => {
  test.skip(!!reason, reason ?? '');
  test.beforeAll(cleanup);
  test.afterAll(cleanup);

  test('a portal added and removed, then two hand-made targets adopted, granted access and deleted as one plan each', async ({ page }) => {
    test.setTimeout(240_000);
    const lab = requireLab();
    const stor1 = lab.hosts.stor1;
    const mgmtPortal = `${stor1.addresses.mgmt}:3260`;

    await new ConsolePage(page).open();
    await ensureLabHost(page, lab, 'stor1', ['Storage server']);
    const targets = await new TargetsPage(page).open();
    await targets.setServerSettings(stor1.storageDir!, 'iqn.2002-08.info.netmanager');
    await targets.pickServer('stor1');

    // Portals: add the management address, tgtd listens there; remove it again.
    const portals = page.getByLabel('Portals of stor1');
    await portals.getByText('Portals', { exact: true }).click();
    await expect(portals.getByRole('table', { name: 'Portals' })).toContainText(stor1.tgt!.portals[0]);
    await portals.getByRole('button', { name: 'Add portal' }).click();
    await page.getByRole('dialog').getByLabel('Portal (address:port)').fill(mgmtPortal);
    await shots(page, 'targets-list-1-portal-add');
    await reviewAndApply(page);
    expect(await tgtShow(stor1, 'portal')).toContain(`Portal: ${mgmtPortal}`);
    await expect(portals.getByRole('row', { name: `portal ${mgmtPortal}` })).toBeVisible({ timeout: 20_000 });
    await shots(page, 'targets-list-2-portal-added');
    await portals.getByRole('row', { name: `portal ${mgmtPortal}` }).getByRole('button', { name: 'Remove' }).click();
    await reviewAndApply(page);
    expect(await tgtShow(stor1, 'portal')).not.toContain(`Portal: ${mgmtPortal}`);
    await expect(portals.getByRole('row', { name: `portal ${mgmtPortal}` })).toBeHidden({ timeout: 20_000 });

    // Two targets made by hand, as an admin would with tgtadm.
    for (const [i, iqn] of IQNS.entries()) {
      const file = `${stor1.storageDir}/${NAMES[i]}.img`;
      for (const argv of [
        ['truncate', '-s', '16M', file],
        ['tgtadm', '--lld', 'iscsi', '--op', 'new', '--mode', 'target', '--tid', String(TIDS[i]), '-T', iqn],
        ['tgtadm', '--lld', 'iscsi', '--op', 'new', '--mode', 'logicalunit', '--tid', String(TIDS[i]), '--lun', '1', '-b', file],
        ['tgtadm', '--lld', 'iscsi', '--op', 'bind', '--mode', 'target', '--tid', String(TIDS[i]), '-I', '203.0.113.0/24'],
      ]) {
        const r = await execOnHost(stor1, argv);
        expect(r.code, r.stderr).toBe(0);
      }
    }
    const select = async () => {
      await targets.search('test.h2:h2bulk');
      await expect(targets.list()).toHaveAttribute('aria-rowcount', '2', { timeout: 20_000 });
      await page.getByLabel('Select every target shown').check();
    };

    // Adopt both: one plan writes both conf files.
    await select();
    await shots(page, 'targets-list-3-selected');
    await page.getByRole('button', { name: 'Adopt…' }).click();
    await reviewAndApply(page);
    for (const iqn of IQNS) {
      const r = await execOnHost(stor1, ['sh', '-c', `grep -l -F -- '<target ${iqn}>' /etc/tgt/conf.d/*.conf`]);
      expect(r.stdout.trim(), `conf file of ${iqn}`).toMatch(/\.conf$/);
    }

    // Grant one initiator access to both, as one plan.
    await select();
    await page.getByRole('button', { name: 'Add access…' }).click();
    await page.getByRole('dialog').getByLabel('Initiators to allow (one IQN per line)').fill(ALLOWED);
    await shots(page, 'targets-list-4-bulk-access');
    await reviewAndApply(page);
    const show = await tgtShow(stor1, 'target');
    for (const iqn of IQNS) {
      const block = show.split(/^Target \d+: /m).find((b) => b.startsWith(`${iqn}\n`)) ?? '';
      expect(block, `ACL of ${iqn}`).toContain(ALLOWED);
      expect(block, `ACL of ${iqn}`).toContain('203.0.113.0/24');
    }

    // Sessions come and go without a job: the list reads them again by itself (every 15 s).
    const portal = stor1.tgt!.portals[0];
    const held = await holdSession({ host: portal.replace(/:\d+$/, ''), port: Number(portal.replace(/^.*:/, '')), targetName: IQNS[0], initiatorName: ALLOWED });
    try {
      expect(held.statusClass, 'login status class').toBe(0);
      await expect(targets.row(IQNS[0])).toContainText('1 session(s)', { timeout: 25_000 });
      await expect(targets.row(IQNS[1])).toContainText('0 session(s)');
      await shots(page, 'targets-list-5-session-seen');
    } finally {
      await held.close();
    }
    await expect(targets.row(IQNS[0])).toContainText('0 session(s)', { timeout: 25_000 });

    // Delete both, with their files, as one plan.
    await select();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog').getByLabel(/Also delete their backing files/).check();
    await reviewAndApply(page);
    const after = await tgtShow(stor1, 'target');
    for (const iqn of IQNS) expect(after).not.toContain(iqn);
    const files = await execOnHost(stor1, ['sh', '-c', `ls ${NAMES.map((n) => `${stor1.storageDir}/${n}.img`).join(' ')} 2>/dev/null | wc -l`]);
    expect(files.stdout.trim()).toBe('0');
    // The list (or, with no target left, the empty state) no longer shows either.
    for (const iqn of IQNS) await expect(targets.row(iqn)).toHaveCount(0, { timeout: 20_000 });
    await shots(page, 'targets-list-6-deleted');
  });

  test('while its server is unreachable the list is kept, marked stale, and its actions are disabled with the reason', async ({ page }) => {
    test.setTimeout(180_000);
    const lab = requireLab();
    const stor2 = lab.hosts.stor2;
    const file = `${stor2.storageDir}/h2stale.img`;
    for (const argv of [
      ['truncate', '-s', '8M', file],
      ['tgtadm', '--lld', 'iscsi', '--op', 'new', '--mode', 'target', '--tid', String(STALE_TID), '-T', STALE_IQN],
      ['tgtadm', '--lld', 'iscsi', '--op', 'new', '--mode', 'logicalunit', '--tid', String(STALE_TID), '--lun', '1', '-b', file],
    ]) {
      const r = await execOnHost(stor2, argv);
      expect(r.code, r.stderr).toBe(0);
    }
    await new ConsolePage(page).open();
    await ensureLabHost(page, lab, 'stor2', ['Storage server']);
    const targets = await new TargetsPage(page).open();
    await targets.pickServer('stor2');
    const row = targets.row(STALE_IQN);
    await expect(row).toBeVisible({ timeout: 20_000 });
    const stale = page.getByRole('status', { name: 'Stale list' });
    await expect(stale).toHaveCount(0);
    try {
      // The management link goes: keepalives go unanswered, the host is unreachable.
      await linkDown(stor2, 'mgmt');
      await expect(stale).toBeVisible({ timeout: 90_000 });
      // Said from the host's state (unreachable) or, while the pool is still reconnecting, from the failed read.
      await expect(stale).toContainText(/stor2 (is unreachable|did not answer)/);
      await expect(stale).toContainText('Actions are disabled until the server answers again');
      // The cached list stays on screen; every action that would change the server is disabled, saying why.
      await expect(row).toBeVisible();
      for (const name of ['Access', 'Adopt', 'Delete']) {
        const b = row.getByRole('button', { name, exact: true });
        await expect(b).toBeDisabled();
        await expect(b).toHaveAttribute('title', /Not available while the list is stale: stor2 (is unreachable|did not answer)/);
      }
      await expect(page.getByRole('button', { name: 'Create target' })).toBeDisabled();
      await shots(page, 'targets-list-7-stale');
    } finally {
      await linkUp(stor2, 'mgmt');
    }
    // Back: the next read reconnects at once, the mark goes and the actions come back.
    await expect(stale).toBeHidden({ timeout: 60_000 });
    await expect(row.getByRole('button', { name: 'Delete', exact: true })).toBeEnabled();
    await removeTarget(stor2, STALE_IQN, [file]);
  });
});
