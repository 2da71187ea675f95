// iSCSI bond {A, B} x stor1's target on hv1 and hv2, built through the Bonds page and its wizard,
// then the path matrix under real link faults: hv1's B link down (only hv1/B red, hv1 degraded),
// A down too (hv1 non-operational with the reason), both up (green again after a refresh).
// The target is made on stor1's real tgtd by the spec and removed after; links are restored in
// finally even when a step fails.
import { expect, test, type Page } from '@playwright/test';
import { labSkipReason, loadLab, requireLab, type LabHostInfo } from './lab/labinfo';
import { execOnHost } from './lab/hosts';
import { linkDown, linkIsUp, linkUp } from './lab/faults';
import { removeTarget } from './support/lab-targets';
import { ensureLabHost, removeLabHosts } from './support/lab-hosts';
import { ConsolePage } from './pages/console';
import { BondsPage } from './pages/bonds';
import type { PorticoApi } from '../shared/contract';

const reason = labSkipReason();

// High tid and own names: clear of the other specs' targets on the shared lab tgtd.
const TID = 9414;
const IQN = 'iqn.2026-12.lab.portico.bonds-e2e:multipath';
const FILE = 'bonds-e2e-multipath.img';
const DC = 'bonds-e2e-dc';
const BOND = 'iscsi-ab';

async function tgtadm(stor1: LabHostInfo, args: string[]): Promise<void> {
  const r = await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', ...args]);
  if (r.code !== 0) throw new Error(`tgtadm ${args.join(' ')}: ${r.stderr}`);
}

/** A 32 MiB LUN on stor1, open to every initiator, on both of its portals (A and B). */
async function makeTarget(stor1: LabHostInfo): Promise<void> {
  const file = `${stor1.storageDir}/${FILE}`;
  const t = await execOnHost(stor1, ['truncate', '-s', '32M', file]);
  if (t.code !== 0) throw new Error(`truncate: ${t.stderr}`);
  await tgtadm(stor1, ['--op', 'new', '--mode', 'target', '--tid', String(TID), '-T', IQN]);
  await tgtadm(stor1, ['--op', 'new', '--mode', 'logicalunit', '--tid', String(TID), '--lun', '1', '-b', file]);
  await tgtadm(stor1, ['--op', 'bind', '--mode', 'target', '--tid', String(TID), '-I', 'ALL']);
}

async function restoreLinks(): Promise<void> {
  const lab = loadLab();
  if (!lab) return;
  for (const net of ['a', 'b'] as const) if (!(await linkIsUp(lab.hosts.hv1, net))) await linkUp(lab.hosts.hv1, net);
}

async function removeLeftovers(): Promise<void> {
  const lab = loadLab();
  if (!lab) return;
  await restoreLinks();
  await removeTarget(lab.hosts.stor1, IQN, [`${lab.hosts.stor1.storageDir}/${FILE}`]);
}

/**
 * Fallback cleanup when a step failed: the spec's bonds log their paths out (their remove plans,
 * applied and waited for), then the data center goes from Portico with its networks and connections.
 */
async function removeDataCenter(page: Page): Promise<void> {
  await page.evaluate(async (name) => {
    const api = (window as unknown as { portico: PorticoApi }).portico;
    const o = await api.invoke('bonds.overview', {});
    const dc = o.ok ? o.result.dataCenters.find((d) => d.name === name) : undefined;
    if (!o.ok || !dc) return;
    for (const b of o.result.bonds.filter((x) => x.dcId === dc.id && x.appliedPaths > 0)) {
      const plan = await api.invoke('bonds.planApply', { bondId: b.id, remove: true });
      if (!plan.ok) continue;
      const job = await api.invoke('plans.apply', { planId: plan.result.id, confirmDangers: true });
      for (let i = 0; job.ok && i < 120; i++) {
        const j = await api.invoke('jobs.get', { jobId: job.result.jobId });
        if (!j.ok || j.result.state !== 'running') break;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await api.invoke('bonds.dcRemove', { id: dc.id, confirm: true });
  }, DC);
}

test.describe('bonds', () => {
  test.skip(!!reason, reason ?? '');
  test.use({ actionTimeout: 20_000 });
  test.beforeAll(removeLeftovers);
  // Hosts this spec added leave the shared console again, so later specs add theirs with their own roles.
  const added: string[] = [];
  test.afterEach(async ({ page }) => removeLabHosts(page, added.splice(0)));
  test.afterAll(removeLeftovers);

  test('bond {A, B} x stor1 on hv1 and hv2 through the wizard; the path matrix follows hv1’s link faults', async ({ page }) => {
    test.setTimeout(300_000);
    const lab = requireLab();
    const { stor1, hv1 } = lab.hosts;
    const [portalA, portalB] = stor1.tgt!.portals;
    await makeTarget(stor1);
    await new ConsolePage(page).open();
    try {
      if (await ensureLabHost(page, lab, 'stor1', ['Storage server'])) added.push('stor1');
      if (await ensureLabHost(page, lab, 'hv1', ['Hypervisor', 'oVirt host'])) added.push('hv1');
      if (await ensureLabHost(page, lab, 'hv2', ['Hypervisor'])) added.push('hv2');
      const bonds = await new BondsPage(page).open();
      await bonds.shots('bonds-01-page');

      // Data center with hv1 and hv2; networks A and B with the lab's CIDRs.
      await bonds.ensureDataCenter(DC, ['hv1', 'hv2'], 'bonds-02-new-data-center');
      // A bad CIDR is refused in the dialog with the field named; fixed, it clears as typed.
      await bonds.section('Logical networks').getByRole('button', { name: 'Add network' }).click();
      const nd = bonds.dialog('Add logical network');
      await nd.getByLabel('Network name').fill('A');
      await nd.getByLabel('CIDR').fill('203.0.113.0/33');
      await nd.getByRole('button', { name: 'Add' }).click();
      await expect(nd.getByLabel('CIDR')).toHaveAttribute('aria-invalid', 'true');
      await expect(nd).toContainText('cidr: enter an IPv4 network');
      await bonds.dialogShots('bonds-03-add-network-refused');
      await nd.getByLabel('CIDR').fill(lab.networks.a.cidr);
      await expect(nd.getByLabel('CIDR')).toHaveAttribute('aria-invalid', 'false');
      await bonds.dialogShots('bonds-03-add-network');
      await nd.getByRole('button', { name: 'Add' }).click();
      await expect(nd).toBeHidden();
      await expect(bonds.networkRow('A')).toBeVisible();
      await bonds.addNetwork({ name: 'B', cidr: lab.networks.b.cidr });
      await bonds.section('Host interfaces').getByRole('button', { name: /Find from the hosts/ }).click();
      const ifaces = bonds.section('Host interfaces');
      await expect(ifaces.getByRole('cell', { name: 'hv1 on A' })).toContainText(hv1.interfaces.a!, { timeout: 30_000 });
      await expect(ifaces.getByRole('cell', { name: 'hv1 on B' })).toContainText(hv1.interfaces.b!);
      await expect(ifaces.getByRole('cell', { name: 'hv2 on B' })).toContainText(lab.hosts.hv2.interfaces.b!);
      await bonds.shots('bonds-04-networks-and-nics');

      // Connections to stor1's target, one per portal, from the managed server's targets.
      await bonds.addManagedConnections('stor1', IQN, [portalA, portalB], 'bonds-05-add-connections');
      await bonds.shots('bonds-06-data-center');

      // The wizard: name -> networks (placement per host) -> connections -> review -> apply -> matrix.
      await bonds.section('Bonds').getByRole('link', { name: 'New bond' }).click();
      const w = bonds.wizard();
      await expect(w).toBeVisible();
      await w.getByLabel('Bond name').fill('bad name!');
      await bonds.wizardButton('Next');
      await expect(w.getByLabel('Bond name')).toHaveAttribute('aria-invalid', 'true');
      await bonds.shots('bonds-07-wizard-name-refused');
      await w.getByLabel('Bond name').fill(BOND);
      await bonds.shots('bonds-08-wizard-name');
      await bonds.wizardButton('Next');
      await w.getByRole('checkbox', { name: 'network A' }).check();
      await w.getByRole('checkbox', { name: 'network B' }).check();
      const placement = w.getByRole('table', { name: 'Placement per host' });
      await expect(placement.getByRole('row', { name: 'placement of hv1' })).toContainText(hv1.interfaces.a!);
      await expect(placement.getByRole('row', { name: 'placement of hv1' })).toContainText(hv1.interfaces.b!);
      await expect(placement.getByRole('row', { name: 'placement of hv2' })).toContainText('all networks');
      await bonds.shots('bonds-09-wizard-networks-placement');
      await bonds.wizardButton('Next');
      await w.getByRole('checkbox', { name: `${IQN} ${portalA}` }).check();
      await w.getByRole('checkbox', { name: `${IQN} ${portalB}` }).check();
      await bonds.shots('bonds-10-wizard-connections');
      await bonds.wizardButton('Review');
      const list = w.getByLabel('Per-host connection list');
      await expect(list).toBeVisible({ timeout: 30_000 });
      for (const h of ['hv1', 'hv2']) await expect(list.getByRole('group', { name: `Connections of ${h}` })).toBeVisible();
      // One entry per host x network x target: two per host here.
      await expect(list.getByRole('group', { name: 'Connections of hv1' }).getByRole('list', { name: 'Paths of hv1' }).getByRole('listitem')).toHaveCount(2);
      await expect(list.getByRole('group', { name: 'Connections of hv2' }).getByRole('list', { name: 'Paths of hv2' }).getByRole('listitem')).toHaveCount(2);
      await bonds.shots('bonds-11-wizard-review');
      await bonds.wizardButton('Save bond and build the plan');
      await expect(w.getByLabel('Plan steps')).toBeVisible({ timeout: 30_000 });
      await bonds.shots('bonds-12-wizard-plan');
      await bonds.wizardButton('Apply');
      await expect(w.getByLabel('Job outcome')).toBeVisible({ timeout: 120_000 });
      await bonds.shots('bonds-13-wizard-applied');
      await expect(w.getByLabel('Job outcome')).toContainText(/done|succeeded/i);
      await bonds.wizardButton('Show the path matrix');

      // Four green paths: hv1 and hv2, each on A and on B, to the one target.
      const m = bonds.matrix();
      await expect(m).toBeVisible();
      await expect(bonds.cellsIn('ok')).toHaveCount(4, { timeout: 90_000 });
      await expect(bonds.hostState('hv1')).toContainText('operational');
      await expect(page.getByRole('table', { name: 'LUNs and paths' })).toContainText('2 / 2');
      await bonds.cell('hv1', 'B', IQN).getByRole('button').click();
      await expect(page.getByLabel('Path detail')).toContainText(portalB);
      await bonds.shots('bonds-14-matrix-green');

      // The matrix page by its own link, refreshed on demand.
      await w.getByRole('button', { name: 'Close' }).click();
      await bonds.bondRow(BOND).getByRole('link', { name: 'Path matrix' }).click();
      await expect(bonds.matrix()).toBeVisible();
      await page.getByLabel('Refresh', { exact: true }).click();
      await page.getByRole('option', { name: 'Off (on demand)' }).click();

      // hv1's B link down: only hv1/B is red, hv1 is degraded.
      await linkDown(hv1, 'b');
      await bonds.refreshMatrix();
      await expect(bonds.cell('hv1', 'B', IQN)).toHaveAttribute('data-state', 'failed');
      await expect(bonds.cellsIn('failed')).toHaveCount(1);
      await expect(bonds.cellsIn('ok')).toHaveCount(3);
      await expect(bonds.hostState('hv1')).toContainText('degraded');
      await expect(bonds.hostState('hv2')).toContainText('operational');
      await expect(page.getByRole('table', { name: 'LUNs and paths' })).toContainText('1 / 2');
      await bonds.cell('hv1', 'B', IQN).getByRole('button').click();
      await expect(page.getByLabel('Path detail')).toContainText(portalB);
      await bonds.cell('hv1', 'B', IQN).getByRole('button').hover();
      await expect(page.getByRole('tooltip')).toBeVisible();
      await bonds.shots('bonds-15-matrix-hv1-b-down');

      // A down too: hv1 reaches the target through none of the bond's networks.
      await linkDown(hv1, 'a');
      await bonds.refreshMatrix();
      await expect(bonds.cellsIn('failed')).toHaveCount(2);
      await expect(bonds.hostState('hv1')).toContainText('non-operational');
      await expect(bonds.hostState('hv1')).toContainText(/—\s*\S/);
      await bonds.shots('bonds-16-matrix-hv1-non-operational');

      // Links up: green again after one refresh.
      await linkUp(hv1, 'a');
      await linkUp(hv1, 'b');
      await bonds.refreshMatrix();
      await expect(bonds.cellsIn('ok')).toHaveCount(4);
      await expect(bonds.hostState('hv1')).toContainText('operational');
      await bonds.shots('bonds-17-matrix-green-again');

      // Export: the REST body of POST /api/datacenters/{id}/iscsibonds.
      await page.getByRole('button', { name: 'Export' }).click();
      const ex = page.getByRole('dialog', { name: `Export bond ${BOND} (oVirt REST)` });
      await expect(ex.getByLabel('REST body')).toContainText(`<name>${BOND}</name>`);
      await expect(ex.getByLabel('REST body')).toContainText('<storage_connections>');
      await bonds.dialogShots('bonds-18-export');
      await ex.getByRole('button', { name: 'Close' }).click();

      // Removals that cascade say so before: network B would leave the bond (nothing changes on Cancel).
      await page.getByRole('link', { name: `← Data center ${DC}` }).click();
      await bonds.networkRow('B').getByRole('button', { name: 'Remove' }).click();
      const rmNet = bonds.dialog('Remove network B');
      await expect(rmNet.getByLabel('What else goes')).toContainText(BOND);
      await bonds.dialogShots('bonds-19-remove-network-says-what-goes');
      await rmNet.getByRole('button', { name: 'Cancel' }).click();
      await expect(bonds.networkRow('B')).toBeVisible();

      // Removing the bond: its logouts are planned and applied first, then the record goes.
      await bonds.bondRow(BOND).getByRole('button', { name: 'Remove' }).click();
      const rmBond = bonds.dialog(`Remove bond ${BOND}: log its paths out first`);
      await expect(rmBond.getByLabel('Plan steps')).toBeVisible({ timeout: 30_000 });
      await expect(rmBond.getByRole('button', { name: 'Remove the bond’s record' })).toHaveCount(0);
      // Fewer paths to the storage is a danger of its own: Apply waits for the tick.
      const danger = rmBond.getByRole('alert', { name: 'This plan lowers protection' });
      await expect(danger).toContainText('fewer paths');
      await expect(rmBond.getByRole('button', { name: 'Log the paths out' })).toBeDisabled();
      await bonds.dialogShots('bonds-20-remove-bond-logout-plan');
      await danger.getByLabel('I understand: this plan lowers protection').check();
      await rmBond.getByRole('button', { name: 'Log the paths out' }).click();
      await expect(rmBond.getByLabel('Job outcome')).toBeVisible({ timeout: 120_000 });
      await bonds.dialogShots('bonds-20b-remove-bond-logged-out');
      await rmBond.getByRole('button', { name: 'Remove the bond’s record' }).click();
      await expect(rmBond).toBeHidden();
      await expect(bonds.bondRow(BOND)).toHaveCount(0);

      // The data center goes with its networks and connections, listed before.
      await bonds.section('Data centers').getByRole('row', { name: new RegExp(`^${DC}\\b`) }).getByRole('button', { name: 'Remove' }).click();
      const rmDc = bonds.dialog(`Remove data center ${DC}`);
      await expect(rmDc.getByLabel('What else goes')).toContainText('networks A, B are deleted');
      await bonds.dialogShots('bonds-21-remove-data-center');
      await rmDc.getByRole('button', { name: 'Remove' }).click();
      await expect(rmDc).toBeHidden();
      await expect(bonds.section('Data centers').getByRole('row', { name: new RegExp(`^${DC}\\b`) })).toHaveCount(0);
    } finally {
      await restoreLinks();
      await removeDataCenter(page).catch(() => undefined);
    }
  });
});
