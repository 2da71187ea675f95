// The device GUID a Linux host derives for a tgt LUN, computed from what tgt puts in VPD page 0x83
// (usr/spc.c update_vpd_83, tgt 1.0.97): a T10 vendor designator holding scsi_id (36 bytes,
// NUL-padded), an NAA-3 (locally assigned) designator holding tid << 32 | lun, and an NAA-6 one
// whose 128 bits are scsi_id's characters read as hex digits (a non-hex character counts as 0,
// as strtoul does), the top nibble set to 6. The page is then read by the same code the iSCSI
// survey uses (parseVpd83 + deriveGuid: systemd scsi_id's order, where NAA-6 comes first).
import { deriveGuid } from '../../iscsi/guid';
import { parseVpd83 } from '../../iscsi/scsi';

const SCSI_ID_LEN = 36;

export function tgtVpd83(scsiId: string, tid: number, lun: number): Buffer {
  const t10 = Buffer.alloc(4 + SCSI_ID_LEN);
  t10[0] = 2; // ASCII
  t10[1] = 1; // T10 vendor id, associated with the LU
  t10[3] = SCSI_ID_LEN;
  t10.write(scsiId.slice(0, SCSI_ID_LEN), 4, 'latin1');
  const naa3 = Buffer.alloc(4 + 8);
  naa3[0] = 1;
  naa3[1] = 3;
  naa3[3] = 8;
  naa3.writeBigUInt64BE((BigInt(tid) << 32n) | BigInt(lun), 4);
  naa3[4] |= 3 << 4;
  const naa6 = Buffer.alloc(4 + 16);
  naa6[0] = 1;
  naa6[1] = 3;
  naa6[3] = 16;
  let v = 0n;
  for (const ch of scsiId) {
    const n = /^[0-9a-fA-F]$/.test(ch) ? BigInt(parseInt(ch, 16)) : 0n;
    v = ((v << 4n) | n) & ((1n << 128n) - 1n);
  }
  naa6.writeBigUInt64BE(v >> 64n, 4);
  naa6.writeBigUInt64BE(v & ((1n << 64n) - 1n), 12);
  naa6[4] = (naa6[4] & 0x0f) | (6 << 4);
  const body = Buffer.concat([t10, naa3, naa6]);
  const head = Buffer.from([0, 0x83, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([head, body]);
}

/** tgt's defaults when vendor_id / product_id are not set. */
export function tgtLunGuid(p: { scsiId: string; tid: number; lun: number; vendorId?: string | null; productId?: string | null }): string | null {
  const page = tgtVpd83(p.scsiId, p.tid, p.lun);
  return deriveGuid({ designators: parseVpd83(page), vendorRaw: (p.vendorId ?? 'IET').padEnd(8), productRaw: (p.productId ?? 'VIRTUAL-DISK').padEnd(16), rawPage: page }).guid ?? null;
}
