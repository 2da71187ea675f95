// Which driver names a front-end's version takes (one.system.version). The existing-LUNs flavour is
// DS_MAD = TM_MAD = iscsi_libvirt on current OpenNebula (5.6 on); 5.0-5.4 documented it as
// iscsi/iscsi (seed 001; the pool lists it as dev). The 3.4 tgt + LVM driver (`iscsi`, seed 002)
// shipped with 3.4-4.x only; later it lived in the addon-iscsi repository, so there its template is
// export-only.
import type { OneDrivers } from '../../../shared/domain/opennebula-views';

export function parseVersion(v: string): [number, number, number] | null {
  const m = /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

const atLeast = (v: [number, number, number], major: number, minor: number) => v[0] > major || (v[0] === major && v[1] >= minor);

export function driversFor(version: string): OneDrivers {
  const v = parseVersion(version);
  const notes: string[] = [];
  if (!v) {
    notes.push(`The front-end reported version "${version}", which Portico cannot read: the current driver names (iscsi_libvirt) are assumed.`);
    return { version, libvirt: { dsMad: 'iscsi_libvirt', tmMad: 'iscsi_libvirt' }, tgtLvm: null, notes };
  }
  let libvirt: OneDrivers['libvirt'] = null;
  if (atLeast(v, 5, 6)) libvirt = { dsMad: 'iscsi_libvirt', tmMad: 'iscsi_libvirt' };
  else if (atLeast(v, 5, 0)) {
    libvirt = { dsMad: 'iscsi', tmMad: 'iscsi' };
    notes.push(`OpenNebula ${version} names the existing-LUNs driver iscsi (DS_MAD = TM_MAD = iscsi); onedatastore list shows it as dev.`);
  } else notes.push(`OpenNebula ${version} has no existing-LUNs (libvirt iSCSI) driver; it came with 5.0.`);
  let tgtLvm: OneDrivers['tgtLvm'] = null;
  if (atLeast(v, 3, 4) && !atLeast(v, 5, 0)) tgtLvm = { dsMad: 'iscsi', tmMad: 'iscsi' };
  else notes.push(`OpenNebula ${version} does not ship the 3.4 tgt + LVM driver (it moved to the addon-iscsi repository): its template can be exported, not registered.`);
  return { version, libvirt, tgtLvm, notes };
}
