// OpenNebula iSCSI datastores end to end, against the oned TEST DOUBLE on fe1:2633 and the real lab:
// a CHAP target with two LUNs on stor1 through the Targets wizard, the front-end connection, the
// existing-LUNs datastore with CHAP (the libvirt secret defined and set on hv1 and hv2 for real),
// an image for LUN 1, and the page's mapping and orphans both ways (LUN 2 without image, an image
// whose target does not exist). Screenshots of every step, light and dark.
import { expect, test, type Page } from '@playwright/test';
import { execOnHost } from './lab/hosts';
import { labSkipReason, loadLab, requireLab } from './lab/labinfo';
import { ConsolePage } from './pages/console';
import { DatastoresPage } from './pages/datastores';
import { TargetsPage } from './pages/targets';
import { ensureLabHost, removeLabHosts } from './support/lab-hosts';
import { removeTarget } from './support/lab-targets';
import { noteSecret } from './support/secrets';
import {
  doubleState, onedCall, onedDouble, secretList, secretValue, undefineSecretByUsage, type OnedDoubleHandle,
} from './support/datastores-lab';

const reason = labSkipReason();

const BASE_IQN = 'iqn.2002-08.info.netmanager';
const TARGET = 'ds-e2e';
const IQN = `${BASE_IQN}:${TARGET}`;
const DS = 'e2e-iscsi';
const USAGE = 'e2e-ds-chap';
const IMAGE = 'ds-e2e-lun1';
const GONE_IQN = `${BASE_IQN}:ds-e2e-gone`;

let oned: OnedDoubleHandle | null = null;

/** Images and datastore in oned, the secret on the hypervisors, the target on stor1. */
async function removeLeftovers(): Promise<void> {
  const lab = loadLab();
  if (!lab) return;
  if (oned) {
    const st = await doubleState(oned.endpoint).catch(() => null);
    for (const im of st?.images.filter((i) => i.name.startsWith('ds-e2e')) ?? []) await onedCall(oned.endpoint, oned.session, 'one.image.delete', im.id, true).catch(() => undefined);
    for (const d of st?.datastores.filter((x) => x.name === DS) ?? []) await onedCall(oned.endpoint, oned.session, 'one.datastore.delete', d.id).catch(() => undefined);
  }
  for (const h of [lab.hosts.hv1, lab.hosts.hv2]) await undefineSecretByUsage(h, USAGE);
  const stor1 = lab.hosts.stor1;
  await removeTarget(stor1, IQN, [`${stor1.storageDir}/${TARGET}`, `${stor1.storageDir}/${TARGET}_1`, `/etc/tgt/conf.d/${TARGET}.conf`, `/etc/tgt/conf.d/${TARGET}.conf.prev`]);
  // tgt keeps CHAP accounts apart from targets: the target's account goes too.
  await execOnHost(stor1, ['tgtadm', '--lld', 'iscsi', '--mode', 'account', '--op', 'delete', '--user', `${TARGET}-user`], { allowFail: true });
}

/** The CHAP target with two LUNs through the Targets wizard; returns its CHAP user and secret. */
async function createTarget(page: Page): Promise<{ user: string; secret: string }> {
  const lab = requireLab();
  const targets = await new TargetsPage(page).open();
  await targets.setServerSettings(lab.hosts.stor1.storageDir!, BASE_IQN);
  const t = { name: TARGET, luns: ['64MB', '32MB'], initiators: [lab.hosts.hv1.initiatorIqn, lab.hosts.hv2.initiatorIqn], networks: [lab.networks.a.cidr], chap: true };
  const { user, secret } = await targets.fillWizard(t);
  noteSecret(secret);
  await targets.dialogShots('datastores-0-target-access');
  await targets.next('Review plan');
  await expect(targets.wizard().getByLabel('Plan steps')).toBeVisible();
  await targets.next('Apply');
  await expect(targets.wizard().getByText(/All \d+ steps done/)).toBeVisible({ timeout: 60_000 });
  await targets.wizard().getByRole('button', { name: 'Close' }).click();
  await expect(targets.row(IQN)).toBeVisible();
  return { user, secret };
}

test.describe('datastores', () => {
  test.skip(!!reason, reason ?? '');
  test.beforeAll(async () => {
    oned = await onedDouble(requireLab().hosts.fe1);
    noteSecret(oned.session.slice(oned.session.indexOf(':') + 1));
    await removeLeftovers();
  });
  // Hosts this spec added leave the shared console again, so later specs add theirs with their own roles.
  const added: string[] = [];
  test.afterEach(async ({ page }) => removeLabHosts(page, added.splice(0)));
  test.afterAll(async () => {
    await removeLeftovers();
  });

  test('a CHAP datastore of existing LUNs on hv1+hv2, an image for LUN 1, the mapping and orphans both ways', async ({ page }) => {
    test.setTimeout(240_000);
    const lab = requireLab();
    const { hv1, hv2 } = lab.hosts;
    await new ConsolePage(page).open();
    if (await ensureLabHost(page, lab, 'stor1', ['Storage server'])) added.push('stor1');
    if (await ensureLabHost(page, lab, 'hv1', ['Hypervisor'])) added.push('hv1');
    if (await ensureLabHost(page, lab, 'hv2', ['Hypervisor'])) added.push('hv2');
    if (await ensureLabHost(page, lab, 'fe1', ['OpenNebula front-end'])) added.push('fe1');
    const chap = await createTarget(page);

    // Front-end: a wrong session is refused in words; the right one answers with the version.
    const ds = await new DatastoresPage(page).open();
    await ds.fillFrontend({ host: 'fe1', endpoint: oned!.endpoint, via: 'direct', session: 'oneadmin:wrong-password-e2e' });
    await ds.testFrontend();
    await expect(ds.frontend().getByLabel('Connection test')).toContainText(/authenticat/i);
    await ds.shots('datastores-1-frontend-refused');
    await ds.frontend().getByLabel('Session string').fill(oned!.session);
    await ds.testFrontend();
    await expect(ds.frontend().getByLabel('Connection test')).toContainText('OpenNebula 6.10.0 answers');
    await expect(ds.frontend()).not.toContainText(oned!.session);
    await ds.shots('datastores-2-frontend-tested');
    await ds.saveFrontend();
    await expect(ds.frontend().getByLabel('Front-end in use')).toContainText('stored (******)');
    await ds.shots('datastores-3-frontend-saved');

    // The wizard: existing LUNs, the stor1 portal offered, CHAP on the default cluster (hv1, hv2).
    const portal = `${lab.hosts.stor1.addresses.a}:3260`;
    await ds.startLibvirtDatastore({ name: DS, portal, chap: { user: chap.user, usage: USAGE, secret: chap.secret } });
    const w = ds.wizard();
    await expect(w.getByLabel('Portals Portico manages')).toContainText(`stor1: ${portal}`);
    await expect(w.getByLabel('Driver warnings')).toContainText('KVM hosts only');
    await expect(w.getByLabel('Hosts that get the secret')).toContainText('hv1');
    await expect(w.getByLabel('Hosts that get the secret')).toContainText('hv2');
    await ds.shots('datastores-4-wizard-settings');
    // Bad input is named under its field: two portals.
    await w.getByLabel('Portal (ISCSI_HOST)').fill(`${portal} ${lab.hosts.stor1.addresses.b}:3260`);
    await ds.next('Review');
    await expect(w.getByText(/one portal only/).first()).toBeVisible();
    await ds.shots('datastores-5-wizard-one-portal');
    await w.getByLabel('Portal (ISCSI_HOST)').fill(portal);
    await ds.next('Review');
    // The rendered template (text form) in the review, and the secret steps per host, masked.
    await expect(w).toContainText('DS_MAD = "iscsi_libvirt"');
    await expect(w).toContainText(`ISCSI_USAGE = "${USAGE}"`);
    const steps = w.getByLabel('Plan steps');
    await expect(steps).toContainText('hv1');
    await expect(steps).toContainText('hv2');
    await expect(w).not.toContainText(chap.secret);
    await ds.shots('datastores-6-wizard-review');
    await ds.next('Apply');
    await expect(w.getByText(/All \d+ steps done/)).toBeVisible({ timeout: 90_000 });
    await ds.shots('datastores-7-wizard-applied');
    await w.getByRole('button', { name: 'Close' }).click();

    // The secret on both hypervisors: one UUID, usage = ISCSI_USAGE, the value typed.
    const found = await Promise.all([hv1, hv2].map(async (h) => (await secretList(h)).filter((s) => s.usage === `iscsi ${USAGE}`)));
    expect(found[0], 'hv1 has exactly one secret of that usage').toHaveLength(1);
    expect(found[1], 'hv2 has exactly one secret of that usage').toHaveLength(1);
    expect(found[0][0].uuid).toBe(found[1][0].uuid);
    expect(await secretValue(hv1, found[0][0].uuid)).toBe(chap.secret);
    expect(await secretValue(hv2, found[1][0].uuid)).toBe(chap.secret);

    // The double holds the datastore template as sent.
    let st = await doubleState(oned!.endpoint);
    const dsRec = st.datastores.find((d) => d.name === DS);
    expect(dsRec?.template).toMatchObject({ DS_MAD: 'iscsi_libvirt', TM_MAD: 'iscsi_libvirt', DISK_TYPE: 'ISCSI', TYPE: 'IMAGE_DS', ISCSI_HOST: portal, ISCSI_USER: chap.user, ISCSI_USAGE: USAGE });
    expect(JSON.stringify(dsRec)).not.toContain(chap.secret);
    await expect(ds.datastoreRow(DS)).toBeVisible();
    await ds.shots('datastores-8-page-datastore');

    // An image for LUN 1, picked from stor1's live list.
    await ds.datastoreCard(DS).getByRole('button', { name: 'Register images' }).click();
    await ds.pickLun('stor1', IQN, 1);
    const group = ds.imageDialog().getByRole('group', { name: `Image for ${IQN}/1` });
    // The backing file's exact size, as the Targets and Datastores pages show it (not tgt's rounded decimal MB).
    await expect(group).toContainText('LUN size 64 MiB');
    await group.getByLabel('Image 1 name').fill(IMAGE);
    await ds.shots('datastores-9-image-pick');
    await ds.reviewImages();
    await ds.shots('datastores-10-image-review');
    await ds.applyDialog(ds.imageDialog());
    await ds.shots('datastores-11-image-applied');
    await ds.imageDialog().getByRole('button', { name: 'Close' }).click();

    // And an image whose target does not exist (typed), to be flagged as an orphan.
    await ds.datastoreCard(DS).getByRole('button', { name: 'Register images' }).click();
    await ds.typeLun(GONE_IQN, 1);
    await ds.imageDialog().getByLabel('Image 1 name').fill('ds-e2e-gone');
    await ds.reviewImages();
    await ds.applyDialog(ds.imageDialog());
    await ds.imageDialog().getByRole('button', { name: 'Close' }).click();

    st = await doubleState(oned!.endpoint);
    const img = st.images.find((i) => i.name === IMAGE);
    expect(img?.template).toMatchObject({ PATH: `${IQN}/1`, PERSISTENT: 'YES', TYPE: 'DATABLOCK' });
    expect(img?.datastoreId).toBe(dsRec!.id);

    // The page: the image maps to stor1's LUN 1 (live), sizes side by side; orphans both ways.
    const row = ds.imageRow(DS, IMAGE);
    await expect(row).toContainText(`${IQN}/1`);
    await expect(row).toContainText('stor1 · exists · 64 MiB');
    await expect(row).toContainText('0 MB');
    const orphans = ds.orphans();
    await expect(orphans).toContainText(`${IQN}/2`);
    await expect(orphans).toContainText(/LUN without image/);
    await expect(orphans).toContainText(`${GONE_IQN}/1`);
    await expect(orphans).toContainText(/Image without LUN/);
    await ds.shots('datastores-12-page-mapping-orphans');
  });
});
