// Two LUNs that give hosts one device GUID are merged into one device by multipath: data of one
// is written through the other. tgt builds the GUID from scsi_id read as hex digits (lun-guid.ts),
// so two different typed SCSI ids ("vol-x", "vol-y": no hex digit at all) can be one device.
// Checked for the LUNs a plan adds, against each other and every LUN tgtd serves on the server.
import type { TgtTarget } from './parser';
import { tgtLunGuid } from './lun-guid';
import { refuse } from './plan-common';
import type { DesiredLun } from './conf';

export interface NewLunId {
  /** The input's index of the LUN (for the field path `luns.<index>.scsiId`). */
  index: number;
  lun: number;
  scsiId: string;
  vendorId?: string | null;
  productId?: string | null;
}

/** Per clashing new LUN: its field and a sentence naming the other LUN and how to fix it. */
export function guidClashes(iqn: string, tid: number, luns: readonly NewLunId[], live: readonly TgtTarget[]): { field: string; message: string }[] {
  const seen = new Map<string, string>();
  for (const t of live) {
    for (const l of t.luns) {
      if (l.lun === 0 || !l.scsiId.trim()) continue;
      const g = tgtLunGuid({ scsiId: l.scsiId, tid: t.tid, lun: l.lun });
      if (g && !seen.has(g)) seen.set(g, `LUN ${l.lun} of ${t.iqn} (SCSI id "${l.scsiId.trim()}")`);
    }
  }
  const out: { field: string; message: string }[] = [];
  for (const l of luns) {
    const g = tgtLunGuid({ scsiId: l.scsiId, tid, lun: l.lun, vendorId: l.vendorId, productId: l.productId });
    if (!g) continue;
    const other = seen.get(g);
    if (other) {
      out.push({
        field: `luns.${l.index}.scsiId`,
        message: `SCSI id: "${l.scsiId}" gives hosts the device GUID ${g}, which ${other} already has; multipath would merge the two into one device. tgt reads only the hex digits of a SCSI id: use one with hex digits of its own, or leave it empty to get a generated one.`,
      });
    } else seen.set(g, `LUN ${l.lun} of ${iqn} (SCSI id "${l.scsiId}")`);
  }
  return out;
}

/** Refuses the plan when a LUN it adds would share a device GUID (each clash under its luns.N.scsiId field). */
export function refuseGuidClashes(iqn: string, tid: number, added: readonly DesiredLun[], live: readonly TgtTarget[]): void {
  const clashes = guidClashes(iqn, tid, added.map((l, index) => ({ index, lun: l.lun, scsiId: l.scsiId, vendorId: l.vendorId, productId: l.productId })), live);
  if (clashes.length) refuse(clashes.map((c) => c.message), clashes[0].field, Object.fromEntries(clashes.map((c) => [c.field, c.message])));
}
