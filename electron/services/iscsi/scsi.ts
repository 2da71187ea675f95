// SCSI CDB builders and parameter-data parsers (SPC-4 / SBC-3) for the few read-only commands
// the inspector needs. Pure functions; everything big-endian.

// ---- LUN field -------------------------------------------------------------------------------

/** 8-byte LUN: peripheral addressing for 0..255, flat space for 256..16383 (what tgtd reports). */
export function encodeLun(lun: number): Buffer {
  if (!Number.isInteger(lun) || lun < 0 || lun > 16383) throw new RangeError(`LUN ${lun} out of range 0..16383`);
  const b = Buffer.alloc(8);
  if (lun < 256) b[1] = lun;
  else {
    b[0] = 0x40 | (lun >> 8);
    b[1] = lun & 0xff;
  }
  return b;
}

export interface LunEntry {
  /** Decoded LUN number for methods 0 and 1; undefined for others. */
  lun?: number;
  /** The raw 8 bytes, hex (what to send back, and what to show for exotic methods). */
  raw: string;
  /** Address method (byte 0 >> 6). */
  method: number;
}

export function decodeLun(b: Buffer): LunEntry {
  const method = b[0] >> 6;
  const raw = b.subarray(0, 8).toString('hex');
  if (method === 0) return { lun: b[1], raw, method };
  if (method === 1) return { lun: ((b[0] & 0x3f) << 8) | b[1], raw, method };
  return { raw, method };
}

// ---- CDBs ------------------------------------------------------------------------------------

export function cdbTestUnitReady(): Buffer {
  return Buffer.alloc(6);
}

export function cdbInquiry(alloc: number): Buffer {
  const b = Buffer.alloc(6);
  b[0] = 0x12;
  b.writeUInt16BE(alloc, 3);
  return b;
}

export function cdbInquiryVpd(page: number, alloc: number): Buffer {
  const b = Buffer.alloc(6);
  b[0] = 0x12;
  b[1] = 0x01; // EVPD
  b[2] = page;
  b.writeUInt16BE(alloc, 3);
  return b;
}

export function cdbReportLuns(alloc: number, selectReport = 0): Buffer {
  if (alloc < 16) throw new RangeError('REPORT LUNS allocation length must be at least 16');
  const b = Buffer.alloc(12);
  b[0] = 0xa0;
  b[2] = selectReport;
  b.writeUInt32BE(alloc, 6);
  return b;
}

export function cdbReadCapacity10(): Buffer {
  const b = Buffer.alloc(10);
  b[0] = 0x25;
  return b;
}

export function cdbReadCapacity16(alloc = 32): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x9e;
  b[1] = 0x10; // service action READ CAPACITY(16)
  b.writeUInt32BE(alloc, 10);
  return b;
}

// ---- REPORT LUNS -----------------------------------------------------------------------------

export interface ReportLuns {
  /** LUN LIST LENGTH / 8: how many the target has (may exceed `luns` when truncated). */
  total: number;
  /** Bytes needed to receive the whole list. */
  needed: number;
  luns: LunEntry[];
}

export function parseReportLuns(data: Buffer): ReportLuns {
  if (data.length < 8) return { total: 0, needed: 8, luns: [] };
  const listLen = data.readUInt32BE(0);
  const luns: LunEntry[] = [];
  for (let p = 8; p + 8 <= Math.min(data.length, 8 + listLen); p += 8) luns.push(decodeLun(data.subarray(p, p + 8)));
  return { total: Math.floor(listLen / 8), needed: 8 + listLen, luns };
}

// ---- INQUIRY ---------------------------------------------------------------------------------

const DEVICE_TYPES: Record<number, string> = {
  0x00: 'disk',
  0x01: 'tape',
  0x02: 'printer',
  0x03: 'processor',
  0x04: 'write-once',
  0x05: 'cd-dvd',
  0x07: 'optical',
  0x08: 'media-changer',
  0x0c: 'storage-array-controller',
  0x0d: 'enclosure',
  0x0e: 'simplified-direct-access',
  0x11: 'object-storage',
  0x1e: 'well-known-lu',
  0x1f: 'unknown',
};

export function deviceTypeName(t: number): string {
  return DEVICE_TYPES[t] ?? `type-0x${t.toString(16).padStart(2, '0')}`;
}

export interface StandardInquiry {
  qualifier: number;
  deviceType: number;
  deviceTypeName: string;
  /** Qualifier 3 / type 0x1f: no logical unit at this LUN. */
  present: boolean;
  removable: boolean;
  version: number;
  responseDataFormat: number;
  hiSup: boolean;
  tpgs: number;
  threePc: boolean;
  protect: boolean;
  multiP: boolean;
  cmdQue: boolean;
  /** Space-padded raw fields (the WWID algorithms use them untrimmed). */
  vendorRaw: string;
  productRaw: string;
  vendor: string;
  product: string;
  revision: string;
  /** Bytes the device has (additional length + 5). */
  needed: number;
}

function ascii(b: Buffer, start: number, end: number): string {
  return b.subarray(start, Math.min(end, b.length)).toString('latin1').replace(/\0.*$/s, '');
}

export function parseStandardInquiry(d: Buffer): StandardInquiry {
  if (d.length < 5) throw new RangeError('INQUIRY data shorter than 5 bytes');
  const vendorRaw = ascii(d, 8, 16);
  const productRaw = ascii(d, 16, 32);
  return {
    qualifier: d[0] >> 5,
    deviceType: d[0] & 0x1f,
    deviceTypeName: deviceTypeName(d[0] & 0x1f),
    present: !(d[0] >> 5 === 3 || (d[0] >> 5 !== 0 && (d[0] & 0x1f) === 0x1f)),
    removable: (d[1] & 0x80) !== 0,
    version: d[2],
    responseDataFormat: d[3] & 0x0f,
    hiSup: (d[3] & 0x10) !== 0,
    tpgs: d.length > 5 ? (d[5] >> 4) & 3 : 0,
    threePc: d.length > 5 ? (d[5] & 0x08) !== 0 : false,
    protect: d.length > 5 ? (d[5] & 0x01) !== 0 : false,
    multiP: d.length > 6 ? (d[6] & 0x10) !== 0 : false,
    cmdQue: d.length > 7 ? (d[7] & 0x02) !== 0 : false,
    vendorRaw,
    productRaw,
    vendor: vendorRaw.trim(),
    product: productRaw.trim(),
    revision: ascii(d, 32, 36).trim(),
    needed: d[4] + 5,
  };
}

// ---- VPD pages -------------------------------------------------------------------------------

export interface VpdPage {
  page: number;
  /** Bytes needed for the whole page (page length + 4). */
  needed: number;
  /** Body from byte 4, bounded by what arrived. */
  body: Buffer;
}

export function parseVpdHeader(d: Buffer, expectPage: number): VpdPage {
  if (d.length < 4) throw new RangeError(`VPD page 0x${expectPage.toString(16)} shorter than its header`);
  if (d[1] !== expectPage) throw new RangeError(`asked for VPD page 0x${expectPage.toString(16)}, got 0x${d[1].toString(16)}`);
  const len = d.readUInt16BE(2);
  return { page: d[1], needed: len + 4, body: d.subarray(4, Math.min(d.length, 4 + len)) };
}

export function parseVpdSupportedPages(d: Buffer): number[] {
  return [...parseVpdHeader(d, 0x00).body];
}

export function parseVpdSerial(d: Buffer): string {
  return parseVpdHeader(d, 0x80).body.toString('latin1').replace(/\0.*$/s, '').trim();
}

export const CodeSet = { Binary: 1, Ascii: 2, Utf8: 3 } as const;
export const Association = { LogicalUnit: 0, TargetPort: 1, TargetDevice: 2 } as const;
export const DesignatorType = {
  VendorSpecific: 0,
  T10: 1,
  Eui64: 2,
  Naa: 3,
  RelativeTargetPort: 4,
  TargetPortGroup: 5,
  LogicalUnitGroup: 6,
  Md5: 7,
  ScsiName: 8,
  Uuid: 0xa,
} as const;

const DESIGNATOR_NAMES: Record<number, string> = {
  0: 'vendor-specific',
  1: 't10',
  2: 'eui-64',
  3: 'naa',
  4: 'relative-target-port',
  5: 'target-port-group',
  6: 'logical-unit-group',
  7: 'md5',
  8: 'scsi-name',
  0xa: 'uuid',
};

export interface Designator {
  protocolId: number;
  codeSet: number;
  piv: boolean;
  association: number;
  type: number;
  typeName: string;
  /** Raw designator bytes. */
  value: Buffer;
  /** Display form: hex for binary, text for ASCII/UTF-8 (NUL-terminated, trailing NULs cut). */
  text: string;
  /** NAA type (top nibble) for NAA designators. */
  naaType?: number;
}

export function parseVpd83(d: Buffer): Designator[] {
  const { body } = parseVpdHeader(d, 0x83);
  const out: Designator[] = [];
  let p = 0;
  while (p + 4 <= body.length) {
    const len = body[p + 3];
    if (p + 4 + len > body.length) break; // truncated descriptor: stop at what arrived
    const value = Buffer.from(body.subarray(p + 4, p + 4 + len));
    const codeSet = body[p] & 0x0f;
    const type = body[p + 1] & 0x0f;
    const text = codeSet === CodeSet.Binary ? value.toString('hex') : value.toString(codeSet === CodeSet.Utf8 ? 'utf8' : 'latin1').replace(/\0.*$/s, '');
    const desc: Designator = {
      protocolId: body[p] >> 4,
      codeSet,
      piv: (body[p + 1] & 0x80) !== 0,
      association: (body[p + 1] >> 4) & 3,
      type,
      typeName: DESIGNATOR_NAMES[type] ?? `type-${type}`,
      value,
      text,
    };
    if (type === DesignatorType.Naa && len > 0) desc.naaType = value[0] >> 4;
    out.push(desc);
    p += 4 + len;
  }
  return out;
}

// ---- READ CAPACITY ---------------------------------------------------------------------------

export interface Capacity {
  /** Number of logical blocks (last LBA + 1). */
  blocks: bigint;
  blockSize: number;
  sizeBytes: bigint;
  physicalBlockSize: number;
  thinProvisioned?: boolean;
}

export function parseReadCapacity10(d: Buffer): Capacity & { lastLbaSaturated: boolean } {
  if (d.length < 8) throw new RangeError('READ CAPACITY(10) data shorter than 8 bytes');
  const last = d.readUInt32BE(0);
  const bs = d.readUInt32BE(4);
  const blocks = BigInt(last) + 1n;
  return { blocks, blockSize: bs, sizeBytes: blocks * BigInt(bs), physicalBlockSize: bs, lastLbaSaturated: last === 0xffffffff };
}

export function parseReadCapacity16(d: Buffer): Capacity {
  if (d.length < 12) throw new RangeError('READ CAPACITY(16) data shorter than 12 bytes');
  const blocks = d.readBigUInt64BE(0) + 1n;
  const bs = d.readUInt32BE(8);
  const exp = d.length > 13 ? d[13] & 0x0f : 0;
  return {
    blocks,
    blockSize: bs,
    sizeBytes: blocks * BigInt(bs),
    physicalBlockSize: bs * 2 ** exp,
    thinProvisioned: d.length > 14 ? (d[14] & 0x80) !== 0 : undefined,
  };
}

// ---- status and sense ------------------------------------------------------------------------

export const ScsiStatus = {
  Good: 0x00,
  CheckCondition: 0x02,
  ConditionMet: 0x04,
  Busy: 0x08,
  ReservationConflict: 0x18,
  TaskSetFull: 0x28,
  AcaActive: 0x30,
  TaskAborted: 0x40,
} as const;

const STATUS_NAMES: Record<number, string> = {
  0x00: 'GOOD',
  0x02: 'CHECK CONDITION',
  0x04: 'CONDITION MET',
  0x08: 'BUSY',
  0x18: 'RESERVATION CONFLICT',
  0x28: 'TASK SET FULL',
  0x30: 'ACA ACTIVE',
  0x40: 'TASK ABORTED',
};

export function statusName(s: number): string {
  return STATUS_NAMES[s] ?? `status 0x${s.toString(16).padStart(2, '0')}`;
}

export const SenseKey = {
  NoSense: 0,
  RecoveredError: 1,
  NotReady: 2,
  MediumError: 3,
  HardwareError: 4,
  IllegalRequest: 5,
  UnitAttention: 6,
  DataProtect: 7,
} as const;

const SENSE_KEYS = [
  'NO SENSE',
  'RECOVERED ERROR',
  'NOT READY',
  'MEDIUM ERROR',
  'HARDWARE ERROR',
  'ILLEGAL REQUEST',
  'UNIT ATTENTION',
  'DATA PROTECT',
  'BLANK CHECK',
  'VENDOR SPECIFIC',
  'COPY ABORTED',
  'ABORTED COMMAND',
  'RESERVED',
  'VOLUME OVERFLOW',
  'MISCOMPARE',
  'COMPLETED',
];

const ASC_TEXT: Record<string, string> = {
  '0400': 'logical unit not ready, cause not reportable',
  '0401': 'logical unit is in process of becoming ready',
  '0402': 'logical unit not ready, initializing command required',
  '0403': 'logical unit not ready, manual intervention required',
  '2000': 'invalid command operation code',
  '2100': 'logical block address out of range',
  '2400': 'invalid field in CDB',
  '2500': 'logical unit not supported',
  '2600': 'invalid field in parameter list',
  '2700': 'write protected',
  '2800': 'not ready to ready change, medium may have changed',
  '2900': 'power on, reset, or bus device reset occurred',
  '2a09': 'capacity data has changed',
  '3a00': 'medium not present',
  '3f0e': 'reported LUNs data has changed',
};

export interface Sense {
  responseCode: number;
  descriptorFormat: boolean;
  key: number;
  keyName: string;
  asc: number;
  ascq: number;
  /** Plain words, e.g. "UNIT ATTENTION: power on, reset, or bus device reset occurred (29/00)". */
  description: string;
}

export function parseSense(s: Buffer): Sense | undefined {
  if (s.length < 1) return undefined;
  const rc = s[0] & 0x7f;
  let key: number;
  let asc = 0;
  let ascq = 0;
  let descriptorFormat = false;
  if (rc === 0x72 || rc === 0x73) {
    descriptorFormat = true;
    key = (s[1] ?? 0) & 0x0f;
    asc = s[2] ?? 0;
    ascq = s[3] ?? 0;
  } else if (rc === 0x70 || rc === 0x71) {
    key = (s[2] ?? 0) & 0x0f;
    asc = s[12] ?? 0;
    ascq = s[13] ?? 0;
  } else {
    return undefined;
  }
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const code = `${hex(asc)}${hex(ascq)}`;
  const text = ASC_TEXT[code] ?? (asc === 0x04 ? ASC_TEXT['0400'] : undefined);
  return {
    responseCode: rc,
    descriptorFormat,
    key,
    keyName: SENSE_KEYS[key],
    asc,
    ascq,
    description: `${SENSE_KEYS[key]}${text ? `: ${text}` : ''} (${hex(asc)}/${hex(ascq)})`,
  };
}
