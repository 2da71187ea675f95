// The image dialog's rows: one image per picked LUN (from a managed target's live list, or an IQN
// typed in), turned into the contract's ImagesInput. Pure, so the default names and the override
// rules are unit-tested.
import type { ImagesInput, ImageSpec } from '../../../../shared/domain/opennebula';
import type { FieldDecl } from '../../components/FieldList';

export interface ImageRow extends Record<string, string | boolean> {
  /** iqn/lun: one row per LUN. */
  key: string;
  name: string;
  iqn: string;
  lun: string;
  serverId: string;
  type: 'DATABLOCK' | 'OS';
  overrides: boolean;
  iscsiHost: string;
  iscsiUser: string;
  iscsiUsage: string;
  iscsiIqn: string;
}

/** The part after the IQN's colon (or the whole), as OpenNebula names go: vmstore1-lun3. */
export function defaultImageName(iqn: string, lun: number): string {
  const short = iqn.includes(':') ? iqn.slice(iqn.lastIndexOf(':') + 1) : iqn;
  return `${short || 'lun'}-lun${lun}`;
}

export function newRow(iqn: string, lun: number, serverId = ''): ImageRow {
  return {
    key: `${iqn}/${lun}`, name: defaultImageName(iqn, lun), iqn, lun: String(lun), serverId, type: 'DATABLOCK',
    overrides: false, iscsiHost: '', iscsiUser: '', iscsiUsage: '', iscsiIqn: '',
  };
}

/** ISCSI_IQN typed as IQN/LUN; without a LUN it stays NaN so the schema names the missing number. */
function splitIqn(v: string): { iqn: string; lun: number } {
  const i = v.indexOf('/');
  if (i < 0) return { iqn: v, lun: NaN };
  const n = v.slice(i + 1);
  return { iqn: v.slice(0, i), lun: /^\d+$/.test(n) ? Number(n) : NaN };
}

export function toSpec(r: ImageRow): ImageSpec {
  const o = r.overrides
    ? {
        ...(r.iscsiHost.trim() ? { iscsiHost: r.iscsiHost.trim() } : {}),
        ...(r.iscsiUser.trim() ? { iscsiUser: r.iscsiUser.trim() } : {}),
        ...(r.iscsiUsage.trim() ? { iscsiUsage: r.iscsiUsage.trim() } : {}),
        ...(r.iscsiIqn.trim() ? { iscsiIqn: splitIqn(r.iscsiIqn.trim()) } : {}),
      }
    : {};
  return {
    name: r.name.trim(), iqn: r.iqn.trim(), lun: r.lun.trim() === '' ? NaN : Number(r.lun), numbering: 'tgt', type: r.type,
    ...(r.serverId ? { serverId: r.serverId } : {}),
    ...(Object.keys(o).length ? { overrides: o } : {}),
  };
}

export function toImagesInput(frontendId: string, datastoreId: number, rows: ImageRow[]): ImagesInput {
  return { frontendId, datastoreId, images: rows.map(toSpec) };
}

/** The per-image fields, declared once; error keys are the schema paths of row i. */
export function imageFields(i: number): FieldDecl<ImageRow>[] {
  const k = (p: string) => `images.${i}.${p}`;
  return [
    { key: 'name', errorKey: k('name'), label: `Image ${i + 1} name`, row: 'main', minWidth: 220 },
    { key: 'type', errorKey: k('type'), label: 'Type', kind: 'select', row: 'main', minWidth: 150, options: [{ value: 'DATABLOCK', label: 'DATABLOCK' }, { value: 'OS', label: 'OS' }] },
    { key: 'overrides', label: 'Per-image overrides (new VMs only)', kind: 'switch' },
    { key: 'iscsiHost', errorKey: k('overrides.iscsiHost'), label: 'ISCSI_HOST', when: (r) => r.overrides, row: 'o1', placeholder: 'host or host:port', minWidth: 200 },
    { key: 'iscsiUser', errorKey: k('overrides.iscsiUser'), label: 'ISCSI_USER', when: (r) => r.overrides, row: 'o1', minWidth: 180 },
    { key: 'iscsiUsage', errorKey: k('overrides.iscsiUsage'), label: 'ISCSI_USAGE', when: (r) => r.overrides, row: 'o2', minWidth: 180 },
    { key: 'iscsiIqn', errorKey: k('overrides.iscsiIqn.iqn'), label: 'ISCSI_IQN (IQN/LUN)', when: (r) => r.overrides, row: 'o2', minWidth: 320, help: 'Replaces PATH as the name libvirt logs in to.' },
  ];
}
