// The datastore wizard's fields, declared once per flavour: labels name the OpenNebula attribute
// each one becomes, helps say the driver's rules. The wizard renders them with FieldList and
// validates them with the contract's schema.
import type { FieldDecl, FieldOption } from '../../components/FieldList';

import type { DatastoreInput } from '../../../../shared/domain/opennebula';

export type Flavour = DatastoreInput['flavour'];

/** Every field of both flavours in one flat form state (strings and switches). */
export interface DsForm extends Record<string, string | boolean> {
  flavour: Flavour;
  name: string;
  cluster: string;
  // existing LUNs (iscsi_libvirt)
  portal: string;
  chap: boolean;
  chapUser: string;
  usage: string;
  secret: string;
  // tgt + LVM server (3.4 iscsi)
  /** The Portico storage server the HOST is (for the server check), or ''. */
  serverId: string;
  host: string;
  vgName: string;
  baseIqn: string;
  baseTid: string;
  diskType: 'block' | 'file';
  restrictedDirs: string;
  safeDirs: string;
  noIscsi: string;
}

export const NEW_DS: DsForm = {
  flavour: 'iscsi_libvirt', name: '', cluster: '-1', portal: '', chap: false, chapUser: '', usage: '', secret: '',
  serverId: '', host: '', vgName: 'vg-one', baseIqn: 'iqn.2012-02.org.opennebula', baseTid: '1', diskType: 'block', restrictedDirs: '', safeDirs: '', noIscsi: '',
};

export const ONE_PORTAL_NOTE =
  'libvirt’s QEMU driver connects to one portal only (host or host:port, default port 3260): give exactly one; this driver has no multipath.';

export const SEED_WARNINGS = [
  'Only administrators should be able to use this datastore: any image PATH can be attached to a VM, so users who may create images here can reach any LUN.',
  'This driver works with KVM hosts only.',
  'Images must be persistent: two VMs on one non-persistent LUN would corrupt it. The datastore accepts persistent images only.',
];

export function libvirtFields(clusters: FieldOption[]): FieldDecl<DsForm>[] {
  return [
    { key: 'name', label: 'Name', help: 'The datastore’s NAME in OpenNebula.', row: 'id' },
    { key: 'cluster', errorKey: 'clusterId', label: 'Cluster', kind: 'select', options: clusters, row: 'id', help: 'The CHAP secret goes to every KVM host of this cluster.' },
    { key: 'portal', errorKey: 'iscsiHost', label: 'Portal (ISCSI_HOST)', placeholder: '203.0.113.11:3260', minWidth: 420, help: ONE_PORTAL_NOTE },
    { key: 'chap', label: 'CHAP', kind: 'switch', help: 'QEMU logs in with ISCSI_USER and the libvirt secret named ISCSI_USAGE, which Portico defines on every host.' },
    { key: 'chapUser', errorKey: 'chap.user', label: 'CHAP user (ISCSI_USER)', when: (f) => f.chap, row: 'chap', help: 'The target’s incoming CHAP user.' },
    { key: 'usage', errorKey: 'chap.usage', label: 'Secret usage name (ISCSI_USAGE)', when: (f) => f.chap, row: 'chap', help: 'The libvirt secret’s usage target; an existing one is reused and updated.' },
    { key: 'secret', errorKey: 'chap.secret', label: 'CHAP secret', kind: 'password', when: (f) => f.chap, minWidth: 420, help: 'The target’s CHAP secret. Set on each host through a 0600 file that is removed; Portico never shows it again.' },
  ];
}

export function tgtFields(clusters: FieldOption[], servers: FieldOption[]): FieldDecl<DsForm>[] {
  return [
    { key: 'name', label: 'Name', help: 'The datastore’s NAME in OpenNebula.', row: 'id' },
    { key: 'cluster', errorKey: 'clusterId', label: 'Cluster', kind: 'select', options: clusters, row: 'id' },
    {
      key: 'serverId', label: 'Managed server to check', kind: 'select', row: 'host', options: [{ value: '', label: 'None (not managed by Portico)' }, ...servers],
      help: 'Portico checks its VG, tgtadm, lvcreate and the oneadmin user’s sudo rights over SSH.',
    },
    { key: 'host', label: 'Target server (HOST)', row: 'host', placeholder: 'stor1.example.com', help: 'The front-end reaches it by SSH as oneadmin.' },
    { key: 'vgName', label: 'Volume group (VG_NAME)', row: 'lvm', help: 'Image LVs lv-one-<ID> are created here (default vg-one). No dots: the driver splits the IQN on them.' },
    { key: 'diskType', label: 'Disk type (DISK_TYPE)', kind: 'select', row: 'lvm', minWidth: 200, options: [{ value: 'block', label: 'block' }, { value: 'file', label: 'file' }] },
    { key: 'baseIqn', label: 'Base IQN (BASE_IQN)', row: 'iqn', minWidth: 340, help: 'Targets are named BASE_IQN:HOST.VG.lv-one-<ID>.' },
    { key: 'baseTid', label: 'Base tid (BASE_TID)', row: 'iqn', minWidth: 160, help: 'tid = image ID + BASE_TID.' },
    { key: 'restrictedDirs', label: 'Restricted dirs (RESTRICTED_DIRS)', row: 'dirs', help: 'Front-end folders an image PATH may not come from (space-separated).' },
    { key: 'safeDirs', label: 'Safe dirs (SAFE_DIRS)', row: 'dirs', help: 'Exceptions inside the restricted ones (space-separated).' },
    { key: 'noIscsi', label: 'Hosts without iSCSI login (NO_ISCSI)', minWidth: 420, help: 'Hosts that skip the iscsiadm login (the target server itself), space-separated.' },
  ];
}

const words = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/** The contract's input from the form (numbers and lists parsed; the schema judges them). */
export function toDatastoreInput(frontendId: string, f: DsForm): DatastoreInput {
  const common = { frontendId, name: f.name.trim(), clusterId: Number(f.cluster) };
  if (f.flavour === 'iscsi_libvirt') {
    return { ...common, flavour: 'iscsi_libvirt', iscsiHost: f.portal.trim(), ...(f.chap ? { chap: { user: f.chapUser.trim(), usage: f.usage.trim(), secret: f.secret } } : {}) };
  }
  return {
    ...common, flavour: 'tgt_lvm', host: f.host.trim(), vgName: f.vgName.trim(), baseIqn: f.baseIqn.trim(),
    baseTid: f.baseTid.trim() === '' ? NaN : Number(f.baseTid), diskType: f.diskType,
    restrictedDirs: words(f.restrictedDirs), safeDirs: words(f.safeDirs), noIscsi: words(f.noIscsi),
  };
}

/** Error keys by field: list entries (restrictedDirs.2) show under their list's field. */
export function fieldErrorKey(key: string): string {
  return key.replace(/^(restrictedDirs|safeDirs|noIscsi)\.\d+$/, '$1');
}
