// LUN eligibility for the hosted-engine domain (pure). Rules: size >= engine disk + 15.24 GiB
// (cockpit), not used (PV/VG/partition signature) unless forced, 512-byte logical blocks (VDSM
// rejects 4Kn with 518).
import { HE_OVERHEAD_GIB, type LunRow } from '../../../shared/domain/hosted-engine';
import type { BlockDeviceInfo } from '../vdsm/api';

const GIB = 1024n ** 3n;

/** Bytes as BigInt from VDSM's string fields (they may in theory exceed 2^53). */
export function parseBytes(v: string | number | undefined | null): bigint {
  if (v === undefined || v === null || v === '') return 0n;
  const s = String(v).trim();
  return /^\d+$/.test(s) ? BigInt(s) : 0n;
}

export function bytesToGiB(b: bigint): number {
  // Two decimals is all the UI shows; the integer part stays exact.
  return Number(b / GIB) + Number(((b % GIB) * 100n) / GIB) / 100;
}

/** Smallest LUN (bytes) for a given engine disk size. */
export function requiredBytes(diskSizeGiB: number): bigint {
  // 15.24 GiB has two decimals: work in hundredths of GiB to stay exact.
  const hundredths = BigInt(Math.round((diskSizeGiB + HE_OVERHEAD_GIB) * 100));
  return (hundredths * GIB + 99n) / 100n;
}

/** Keeps the devices that have a path to the chosen target (the old HE flow did the same). */
export function devicesForTarget(devs: readonly BlockDeviceInfo[], iqn: string): BlockDeviceInfo[] {
  return devs.filter((d) => (d.pathlist ?? []).some((p) => p.iqn === iqn));
}

export function lunRow(d: BlockDeviceInfo, diskSizeGiB: number): LunRow {
  const size = parseBytes(d.capacity);
  const need = requiredBytes(diskSizeGiB);
  const lbs = Number(d.logicalblocksize || '512');
  const active = (d.pathstatus ?? []).filter((p) => p.state === 'active').length;
  const failed = (d.pathstatus ?? []).filter((p) => p.state !== 'active').length;
  const pv = d.pvUUID ?? '';
  const vg = d.vgUUID ?? '';
  const used = d.status === 'used' || pv !== '' || vg !== '';
  const reasons: string[] = [];
  let forceable = true;
  if (lbs !== 512) {
    reasons.push(`logical block size is ${lbs} bytes; VDSM block domains need 512-byte logical blocks (4Kn is rejected)`);
    forceable = false;
  }
  if (size < need) {
    reasons.push(`too small: ${bytesToGiB(size).toFixed(2)} GiB, needs at least ${bytesToGiB(need).toFixed(2)} GiB (engine disk ${diskSizeGiB} GiB + ${HE_OVERHEAD_GIB} GiB)`);
    forceable = false;
  }
  if (active === 0) {
    reasons.push('no active path');
    forceable = false;
  }
  if (used) {
    const why = vg ? `it is an LVM PV in volume group ${vg}${pv ? ` (PV ${pv})` : ''}` : pv ? `it is an LVM PV (${pv})` : 'VDSM found a partition table, filesystem or other signature on it';
    reasons.push(`in use: ${why}; forcing wipes it`);
  }
  return {
    guid: d.GUID,
    sizeBytes: size.toString(),
    sizeGiB: bytesToGiB(size),
    vendor: (d.vendorID ?? '').trim(),
    product: (d.productID ?? '').trim(),
    status: d.status,
    usedBy: used ? { pvUUID: pv, vgUUID: vg } : null,
    pathsActive: active,
    pathsFailed: failed,
    logicalBlockSize: lbs,
    eligible: reasons.length === 0,
    reason: reasons.length ? reasons.join('; ') : null,
    forceable: reasons.length > 0 && forceable && used,
  };
}

/** Rows sorted by LUN id, as hosted-engine setup lists them. */
export function lunTable(devs: readonly BlockDeviceInfo[], iqn: string, diskSizeGiB: number): LunRow[] {
  return devicesForTarget(devs, iqn)
    .map((d) => lunRow(d, diskSizeGiB))
    .sort((a, b) => a.guid.localeCompare(b.guid));
}

/** Whether a LUN may be used, given an explicit force. Returns the reason when not. */
export function checkLunChoice(row: LunRow, force: boolean): string | null {
  if (row.eligible) return null;
  if (row.forceable && force) return null;
  return `LUN ${row.guid} cannot be used: ${row.reason}`;
}
