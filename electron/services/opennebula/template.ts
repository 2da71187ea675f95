// OpenNebula templates as ordered attribute lists, rendered two ways: the XML form (root TEMPLATE)
// that goes to oned, built with fast-xml-parser's XMLBuilder so no value can become template
// syntax; and the text form (KEY = "value", `\` and `"` escaped as oned's template lexer expects),
// only for review and export.
import { XMLBuilder } from 'fast-xml-parser';
import { imagePath, type DatastoreInput, type DatastoreLibvirtInput, type DatastoreTgtLvmInput, type ImageSpec } from '../../../shared/domain/opennebula';
import type { OneDrivers } from '../../../shared/domain/opennebula-views';

/** Ordered single attributes: [NAME, value]. */
export type TemplateAttrs = [string, string][];

const ATTR_NAME = /^[A-Z0-9_]+$/;

const builder = new XMLBuilder({ format: false, processEntities: true, suppressEmptyNode: false });

/** <TEMPLATE><K>v</K>...</TEMPLATE>; every value is escaped text. */
export function renderTemplateXml(attrs: TemplateAttrs): string {
  for (const [k] of attrs) if (!ATTR_NAME.test(k)) throw new Error(`template attribute name ${JSON.stringify(k)} is not [A-Z0-9_]+`);
  // XMLBuilder takes an object per element; ordered repeated keys are not needed (single attributes only).
  const body = Object.fromEntries(attrs.map(([k, v]) => [k, v]));
  if (Object.keys(body).length !== attrs.length) throw new Error('template attributes repeat a name');
  return builder.build({ TEMPLATE: body }) as string;
}

/** The quoted form of one value in oned's template syntax. */
export function quoteTemplateValue(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function renderTemplateText(attrs: TemplateAttrs): string {
  return attrs.map(([k, v]) => `${k} = ${quoteTemplateValue(v)}`).join('\n') + '\n';
}

export function libvirtDatastoreAttrs(i: DatastoreLibvirtInput, names: { dsMad: string; tmMad: string }): TemplateAttrs {
  const a: TemplateAttrs = [
    ['NAME', i.name],
    ['TYPE', 'IMAGE_DS'],
    ['DS_MAD', names.dsMad],
    ['TM_MAD', names.tmMad],
    ['DISK_TYPE', 'ISCSI'],
    ['ISCSI_HOST', i.iscsiHost],
  ];
  if (i.chap) a.push(['ISCSI_USER', i.chap.user], ['ISCSI_USAGE', i.chap.usage]);
  if (i.description) a.push(['DESCRIPTION', i.description]);
  return a;
}

export function tgtLvmDatastoreAttrs(i: DatastoreTgtLvmInput, names: { dsMad: string; tmMad: string }): TemplateAttrs {
  const a: TemplateAttrs = [
    ['NAME', i.name],
    ['DS_MAD', names.dsMad],
    ['TM_MAD', names.tmMad],
    ['DISK_TYPE', i.diskType],
    ['HOST', i.host],
    ['VG_NAME', i.vgName],
    ['BASE_IQN', i.baseIqn],
    ['BASE_TID', String(i.baseTid)],
  ];
  if (i.restrictedDirs.length) a.push(['RESTRICTED_DIRS', i.restrictedDirs.join(' ')]);
  if (i.safeDirs.length) a.push(['SAFE_DIRS', i.safeDirs.join(' ')]);
  if (i.noIscsi.length) a.push(['NO_ISCSI', i.noIscsi.join(' ')]);
  if (i.description) a.push(['DESCRIPTION', i.description]);
  return a;
}

/** The driver names a flavour takes on this front-end; the tgt + LVM ones stay the 3.4 names when exported. */
export function flavourDrivers(i: DatastoreInput, d: OneDrivers): { names: { dsMad: string; tmMad: string }; exportOnlyReason: string | null } {
  if (i.flavour === 'iscsi_libvirt') {
    return d.libvirt
      ? { names: d.libvirt, exportOnlyReason: null }
      : { names: { dsMad: 'iscsi_libvirt', tmMad: 'iscsi_libvirt' }, exportOnlyReason: `OpenNebula ${d.version} has no existing-LUNs (libvirt iSCSI) driver: the template can be exported for a newer front-end, not registered on this one.` };
  }
  return d.tgtLvm
    ? { names: d.tgtLvm, exportOnlyReason: null }
    : { names: { dsMad: 'iscsi', tmMad: 'iscsi' }, exportOnlyReason: `OpenNebula ${d.version} does not ship the 3.4 tgt + LVM driver (it moved to the addon-iscsi repository): export the template for a front-end that has the driver installed.` };
}

export function datastoreAttrs(i: DatastoreInput, names: { dsMad: string; tmMad: string }): TemplateAttrs {
  return i.flavour === 'iscsi_libvirt' ? libvirtDatastoreAttrs(i, names) : tgtLvmDatastoreAttrs(i, names);
}

/** An image of an existing LUN: PATH = IQN/LUN (always with the suffix), persistent. */
export function imageAttrs(s: ImageSpec): TemplateAttrs {
  const a: TemplateAttrs = [
    ['NAME', s.name],
    ['PATH', imagePath(s.iqn, s.lun, s.numbering)],
    ['PERSISTENT', 'YES'],
    ['TYPE', s.type],
  ];
  const o = s.overrides;
  if (o?.iscsiHost) a.push(['ISCSI_HOST', o.iscsiHost]);
  if (o?.iscsiUser) a.push(['ISCSI_USER', o.iscsiUser]);
  if (o?.iscsiUsage) a.push(['ISCSI_USAGE', o.iscsiUsage]);
  if (o?.iscsiIqn) a.push(['ISCSI_IQN', imagePath(o.iscsiIqn.iqn, o.iscsiIqn.lun, 'tgt')]);
  if (s.description) a.push(['DESCRIPTION', s.description]);
  return a;
}

export const DATASTORE_WARNINGS = {
  libvirt: [
    'Only administrators should be allowed to use this datastore: any PATH registered in it can be attached to a VM.',
    'This driver works with KVM hosts only; QEMU (built with libiscsi) connects to the target itself, no iscsiadm on the hosts.',
    'Images in this datastore must be persistent: two VMs on one non-persistent LUN would corrupt it.',
    'ISCSI_HOST takes one portal: libvirt\'s QEMU driver connects to one portal only, so there is no multipath through this datastore.',
    'OpenNebula shows these images with size 0 and the datastore with 1 MB: Portico shows the LUN sizes beside them.',
  ],
  tgtLvm: [
    'The 3.4 driver gives targets no ACLs (bind -I ALL): every host that reaches the tgt server\'s portal sees every target.',
    'Only persistent images; the driver creates LVs named lv-one-<ID> in the volume group and a target per image (tid = image id + BASE_TID).',
    '3.4 kept no tgt persistence: targets it created are lost when tgtd restarts.',
  ],
} as const;
