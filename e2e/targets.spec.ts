import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { labSkipReason, loadLab, requireLab } from './lab/labinfo';
import { execOnHost } from './lab/hosts';
import { removeTarget } from './support/lab-targets';
import { ConsolePage } from './pages/console';
import { TargetsPage } from './pages/targets';
import { ensureLabHost } from './support/lab-hosts';
import { screen } from './support/screens';
import { noteSecret } from './support/secrets';

const reason = labSkipReason();

const IQN = 'iqn.2002-08.info.netmanager:xenserver';

/** Leaves stor1 as it was even when a step of the test failed half-way. */
async function removeLeftovers() {
  const lab = loadLab();
  if (!lab) return;
  const stor1 = lab.hosts.stor1;
  await removeTarget(stor1, IQN, [`${stor1.storageDir}/xenserver`, `${stor1.storageDir}/xenserver_1`, '/etc/tgt/conf.d/xenserver.conf', '/etc/tgt/conf.d/xenserver.conf.prev']);
  await removeTarget(stor1, CHAP_IQN, [`${stor1.storageDir}/chapped`, '/etc/tgt/conf.d/chapped.conf', '/etc/tgt/conf.d/chapped.conf.prev']);
}

const CHAP_IQN = 'iqn.2002-08.info.netmanager:chapped';

/** The CHAP accounts bound to a target, as tgtd itself lists them (`name` or `name (outgoing)`). */
async function accountsOf(host: Parameters<typeof execOnHost>[0], iqn: string): Promise<string[]> {
  const show = (await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout;
  const start = show.indexOf(`: ${iqn}\n`);
  expect(start, `${iqn} runs`).toBeGreaterThan(0);
  const next = show.indexOf('\nTarget ', start);
  const block = show.slice(start, next < 0 ? undefined : next);
  const m = /\n\s*Account information:\n([\s\S]*?)\n\s*ACL information:/.exec(block);
  return m ? m[1].split('\n').map((l) => l.trim()).filter(Boolean) : [];
}

/** The Targets page on stor1 (added through the wizard if needed), with NetManager's base IQN. */
async function openStor1Targets(page: Page) {
  const lab = requireLab();
  const stor1 = lab.hosts.stor1;
  await new ConsolePage(page).open();
  await ensureLabHost(page, lab, 'stor1', ['Storage server']);
  const targets = await new TargetsPage(page).open();
  await targets.setServerSettings(stor1.storageDir!, 'iqn.2002-08.info.netmanager');
  return { lab, stor1, targets };
}

test.describe('targets', () => {
  test.skip(!!reason, reason ?? '');
  test.beforeAll(removeLeftovers);
  test.afterAll(removeLeftovers);

  test('the NetManager example through the wizard: verified, seen by iscsi-ls, then deleted with its files', async ({ page }) => {
    const { lab, stor1, targets } = await openStor1Targets(page);
    const iqn = IQN;
    await targets.create(
      { name: 'xenserver', luns: ['750GB', '500MB'], initiators: [lab.hosts.hv1.initiatorIqn, lab.hosts.hv2.initiatorIqn], networks: [lab.networks.a.cidr] },
      'targets-netmanager',
    );
    await expect(targets.wizard().getByLabel('Verification')).toContainText('sizes as planned');

    // An independent initiator (libiscsi) sees the same two LUNs and sizes from the workstation.
    const portal = stor1.tgt!.portals[0];
    const ls = execFileSync('iscsi-ls', ['-s', `iscsi://${portal}`], { encoding: 'utf8' });
    expect(ls).toContain(iqn);
    const size = (lun: number) =>
      execFileSync('iscsi-readcapacity16', ['-s', '-i', 'iqn.2026-11.org.portico:e2e-check', `iscsi://${portal}/${iqn}/${lun}`], { encoding: 'utf8' }).trim();
    expect(size(1)).toBe(String(750 * 1024 ** 3));
    expect(size(2)).toBe(String(500 * 1024 ** 2));

    await targets.wizard().getByRole('button', { name: 'Close' }).click();
    await expect(targets.row(iqn)).toBeVisible();
    await expect(targets.row(iqn)).toContainText('2 LUN(s)');
    await screen(page, 'targets-list');

    // The job is on the Activity page, step by step, and the audit log recorded each step.
    await new ConsolePage(page).go('Activity');
    await expect(page.getByText(`Create target ${iqn}`).first()).toBeVisible();
    await screen(page, 'activity-jobs');
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await expect(page.getByRole('table', { name: 'Audit log' })).toContainText('step.done');
    await screen(page, 'activity-audit');
    await targets.open();

    await targets.row(iqn).getByRole('button', { name: 'Delete' }).click();
    const dlg = page.getByRole('dialog');
    await dlg.getByLabel(/Also delete the backing files/).check();
    await screen(page, 'targets-delete-1-form');
    await dlg.getByRole('button', { name: 'Review plan' }).click();
    await expect(dlg.getByLabel('Plan steps')).toBeVisible();
    await screen(page, 'targets-delete-2-review');
    await dlg.getByRole('button', { name: 'Apply' }).click();
    await expect(dlg.getByText(/All \d+ steps done/)).toBeVisible({ timeout: 60_000 });
    await dlg.getByRole('button', { name: 'Close' }).click();
    await expect(targets.row(iqn)).toHaveCount(0);
    // Gone from the server itself: tgtd, conf.d and the storage folder (iscsi-ls cannot tell: it
    // fails outright on a portal with no targets left).
    const show = await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target']);
    expect(show.stdout).not.toContain(iqn);
    const files = await execOnHost(stor1, ["ls", stor1.storageDir!, "/etc/tgt/conf.d"]);
    expect(files.stdout).not.toMatch(/^xenserver(_1|\.conf)?$/m);
  });

  test('a CHAP target: the secret is masked in the plan, login with it verifies, and libiscsi needs it', async ({ page }) => {
    const { lab, stor1, targets } = await openStor1Targets(page);
    await targets.fillIdentity({ name: 'chapped', luns: [], initiators: [], networks: [] });
    await targets.next();
    await targets.fillLuns({ name: 'chapped', luns: ['64MB'], initiators: [], networks: [] });
    await targets.next();
    await targets.fillAccess({ name: 'chapped', luns: [], initiators: [], networks: [lab.networks.a.cidr], chap: true });
    const secret = await targets.wizard().getByLabel('CHAP secret').inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9]{16}$/);
    noteSecret(secret);
    await screen(page, 'targets-chap-3-access');
    await targets.next('Review plan');
    const review = targets.wizard().getByLabel('Plan steps');
    await expect(review).toContainText('******');
    await expect(review).not.toContainText(secret);
    await expect(targets.wizard()).not.toContainText(secret);
    await screen(page, 'targets-chap-4-review');
    await targets.next('Apply');
    await expect(targets.wizard().getByText(/All \d+ steps done/)).toBeVisible({ timeout: 60_000 });
    await targets.next('Verify');
    await expect(targets.wizard().getByLabel('Verification')).toContainText('sizes as planned');
    const portal = stor1.tgt!.portals[0];
    const user = 'chapped-user';
    // The CHAP credentials go to libiscsi in its environment, never in its argv (the secret scan samples every process's argv).
    const cap = (creds: string) => {
      const [chapUser, chapSecret] = creds ? creds.replace(/@$/, '').split('%') : [];
      const env = { ...process.env, ...(creds ? { LIBISCSI_CHAP_USERNAME: chapUser, LIBISCSI_CHAP_PASSWORD: chapSecret } : {}) };
      try {
        return execFileSync('iscsi-readcapacity16', ['-s', '-i', 'iqn.2026-11.org.portico:e2e-check', `iscsi://${portal}/${CHAP_IQN}/1`], { encoding: 'utf8', stdio: 'pipe', env }).trim();
      } catch {
        return 'refused';
      }
    };
    expect(cap('')).toBe('refused');
    expect(cap(`${user}%${secret}@`)).toBe(String(64 * 1024 ** 2));
    await targets.wizard().getByRole('button', { name: 'Close' }).click();
    await expect(targets.row(CHAP_IQN)).toContainText('CHAP');
    expect(await accountsOf(stor1, CHAP_IQN)).toEqual([user]);

    // Edit access, CHAP "keep" (preselected): one initiator more; the account stays bound with its secret.
    let dlg = await targets.openAccess(CHAP_IQN);
    await expect(dlg.getByTestId('chap-now')).toHaveText(`Now: CHAP user ${user}; no mutual CHAP.`);
    await expect(dlg.getByRole('radio', { name: /^Keep CHAP as it is/ })).toBeChecked();
    await expect(dlg).not.toContainText(secret);
    await dlg.getByLabel('Allowed initiators (one IQN per line)').fill(lab.hosts.hv1.initiatorIqn);
    await targets.dialogShots('targets-access-1-keep');
    await targets.reviewAction();
    await expect(dlg.getByRole('alert', { name: 'This plan lowers protection' })).toHaveCount(0);
    await expect(dlg.getByLabel('Plan steps')).not.toContainText('--mode account');
    await targets.dialogShots('targets-access-2-keep-review');
    await targets.applyAction();
    expect(await accountsOf(stor1, CHAP_IQN)).toEqual([user]);
    expect(cap('')).toBe('refused');
    expect(cap(`${user}%${secret}@`)).toBe(String(64 * 1024 ** 2));
    await dlg.getByRole('button', { name: 'Close' }).click();
    await expect(targets.row(CHAP_IQN)).toContainText(lab.hosts.hv1.initiatorIqn);

    // Remove CHAP: the review shows the danger, Apply waits for the tick; then no account is left.
    dlg = await targets.openAccess(CHAP_IQN);
    await dlg.getByRole('radio', { name: 'Remove CHAP' }).check();
    await expect(dlg.getByText(/Without CHAP, every initiator/)).toBeVisible();
    await targets.dialogShots('targets-access-3-remove');
    await targets.reviewAction();
    const danger = dlg.getByRole('alert', { name: 'This plan lowers protection' });
    await expect(danger).toContainText(`CHAP is removed from ${CHAP_IQN} (account ${user})`);
    const apply = dlg.getByRole('button', { name: 'Apply' });
    await expect(apply).toBeDisabled();
    await targets.dialogShots('targets-access-4-remove-review');
    await apply.scrollIntoViewIfNeeded();
    await targets.dialogShots('targets-access-4-remove-review-apply-disabled');
    await danger.scrollIntoViewIfNeeded();
    await danger.getByLabel('I understand: this plan lowers protection').check();
    await expect(apply).toBeEnabled();
    await apply.scrollIntoViewIfNeeded();
    await targets.dialogShots('targets-access-5-remove-confirmed');
    await targets.applyAction();
    expect(await accountsOf(stor1, CHAP_IQN)).toEqual([]);
    expect(cap('')).toBe(String(64 * 1024 ** 2));
    await dlg.getByRole('button', { name: 'Close' }).click();
    await expect(targets.row(CHAP_IQN)).toContainText('no CHAP');
  });

  test('bad input is refused in the wizard with the field named', async ({ page }) => {
    const lab = requireLab();
    await new ConsolePage(page).open();
    await ensureLabHost(page, lab, 'stor1', ['Storage server']);
    const targets = await new TargetsPage(page).open();
    await targets.fillIdentity({ name: 'bad name!', luns: [], initiators: [], networks: [] });
    await targets.next();
    await expect(targets.wizard().getByLabel('Target name')).toHaveAttribute('aria-invalid', 'true');
    await targets.wizard().getByLabel('Target name').fill('okname');
    await targets.next();
    await targets.wizard().getByLabel('Size of LUN 1').fill('0MB');
    await targets.next();
    await expect(targets.wizard().getByLabel('Size of LUN 1')).toHaveAttribute('aria-invalid', 'true');
    await screen(page, 'targets-invalid-size');
    await targets.wizard().getByRole('button', { name: 'Cancel' }).click();
  });

  test('check portals: every portal at once, from the workstation and from hv1, GUID clash across servers', async ({ page }) => {
    const lab = requireLab();
    // Same tid on both servers: tgt's default scsi_id makes the GUIDs of their LUN 1 collide.
    const tid = 777;
    const iqn = (h: string) => `iqn.2026-11.test.portalcheck:${h}`;
    const portal = (h: string, i = 0) => lab.hosts[h].tgt!.portals[i];
    const make = async (h: string) => {
      const host = lab.hosts[h];
      const file = `${host.storageDir}/portalcheck.img`;
      for (const argv of [
        ['truncate', '-s', '24M', file],
        ['tgtadm', '--lld', 'iscsi', '--op', 'new', '--mode', 'target', '--tid', String(tid), '-T', iqn(h)],
        ['tgtadm', '--lld', 'iscsi', '--op', 'new', '--mode', 'logicalunit', '--tid', String(tid), '--lun', '1', '-b', file],
        ['tgtadm', '--lld', 'iscsi', '--op', 'bind', '--mode', 'target', '--tid', String(tid), '-I', 'ALL'],
      ]) {
        const r = await execOnHost(host, argv);
        expect(r.code, r.stderr).toBe(0);
      }
    };
    const unmake = async (h: string) => {
      const host = lab.hosts[h];
      await execOnHost(host, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--force', '--mode', 'target', '--tid', String(tid)], { allowFail: true });
      await execOnHost(host, ['rm', '-f', `${host.storageDir}/portalcheck.img`], { allowFail: true });
    };
    await make('stor1');
    await make('stor2');
    try {
      await new ConsolePage(page).open();
      for (const [h, roles] of [['stor1', ['Storage server']], ['stor2', ['Storage server']], ['hv1', ['oVirt host']]] as const) {
        await ensureLabHost(page, lab, h, [...roles]);
      }
      const targets = await new TargetsPage(page).open();
      const dead = lab.networks.a.cidr.replace(/\.\d+\/\d+$/, '.250') + ':3260';
      await targets.openPortalCheck([portal('stor1', 0), portal('stor1', 1), portal('stor2')], [dead]);
      await screen(page, 'targets-portal-check-1-form');

      // From the workstation: network A answers, network B is not routed here, the dead portal fails.
      await targets.runPortalCheck();
      const d = targets.portalCheck();
      await expect(d.getByRole('status')).toContainText('4 portal(s) checked');
      await expect(targets.portalRow(portal('stor1', 0))).toContainText(iqn('stor1'));
      await expect(targets.portalRow(portal('stor1', 0))).toContainText('LUN 1 24 MiB');
      await expect(targets.portalRow(portal('stor2'))).toContainText(iqn('stor2'));
      await expect(targets.portalRow(portal('stor1', 1))).toContainText('no answer');
      await expect(targets.portalRow(dead)).toContainText('no answer');
      const clash = `360000000000000000e000000${tid.toString(16).padStart(4, '0')}0001`;
      await expect(d.getByRole('alert').filter({ hasText: clash })).toContainText('stor1');
      await expect(d.getByRole('alert').filter({ hasText: clash })).toContainText('stor2');
      await screen(page, 'targets-portal-check-2-from-workstation');

      // From hv1 (on networks A and B): both of stor1's portals answer.
      await targets.runPortalCheck('hv1');
      await expect(targets.portalRow(portal('stor1', 1))).toContainText(iqn('stor1'));
      await expect(targets.portalRow(portal('stor1', 0))).toContainText(iqn('stor1'));
      await screen(page, 'targets-portal-check-3-from-hv1');

      // A bad line is refused in the form, with the line named.
      await d.getByLabel('Portals (address:port, one per line)').fill('203.0.113.11:3260\nnot a portal');
      await d.getByRole('button', { name: 'Check portals' }).click();
      await expect(d.getByText(/line 2 \(not a portal\)/)).toBeVisible();
      await expect(d.getByRole('status')).toBeHidden(); // no stale results beside the changed list
      await screen(page, 'targets-portal-check-4-bad-line');
    } finally {
      await unmake('stor1');
      await unmake('stor2');
    }
  });
});
