// iSCSI PDU codec (RFC 7143 §11): 48-byte Basic Header Segment + padded data segment.
// Pure functions over Buffers; no digests (we always negotiate HeaderDigest/DataDigest=None).
import { IscsiError } from './errors';

export const BHS_LENGTH = 48;
export const NO_TAG = 0xffffffff;

export const Op = {
  NopOut: 0x00,
  ScsiCommand: 0x01,
  TaskMgmtRequest: 0x02,
  LoginRequest: 0x03,
  TextRequest: 0x04,
  DataOut: 0x05,
  LogoutRequest: 0x06,
  Snack: 0x10,
  NopIn: 0x20,
  ScsiResponse: 0x21,
  TaskMgmtResponse: 0x22,
  LoginResponse: 0x23,
  TextResponse: 0x24,
  DataIn: 0x25,
  LogoutResponse: 0x26,
  R2T: 0x31,
  AsyncMessage: 0x32,
  Reject: 0x3f,
} as const;

export const Stage = { Security: 0, Operational: 1, FullFeature: 3 } as const;

export function padLength(n: number): number {
  return (4 - (n & 3)) & 3;
}

/** Bytes the whole PDU occupies on the wire, given at least its first 8 header bytes. */
export function wireLength(header: Buffer): number {
  const ahs = header[4] * 4;
  const dsl = header.readUIntBE(5, 3);
  return BHS_LENGTH + ahs + dsl + padLength(dsl);
}

/** A decoded PDU: the raw BHS plus the common fields (meaning of the word fields depends on the opcode). */
export interface Pdu {
  opcode: number;
  immediate: boolean;
  /** Byte 1 (F bit and opcode-specific flags). */
  flags: number;
  final: boolean;
  itt: number;
  /** Bytes 20-23: TTT on most target PDUs. */
  ttt: number;
  /** Bytes 24-27 (StatSN on target PDUs). */
  statSN: number;
  expCmdSN: number;
  maxCmdSN: number;
  bhs: Buffer;
  /** Data segment without padding. */
  data: Buffer;
}

/** Decodes one complete PDU (as sized by wireLength); AHS is skipped. */
export function decodePdu(buf: Buffer): Pdu {
  if (buf.length < BHS_LENGTH) throw new IscsiError('protocol', `short PDU: ${buf.length} bytes`);
  const bhs = buf.subarray(0, BHS_LENGTH);
  const ahs = bhs[4] * 4;
  const dsl = bhs.readUIntBE(5, 3);
  if (buf.length < BHS_LENGTH + ahs + dsl) throw new IscsiError('protocol', 'PDU shorter than its data segment length');
  return {
    opcode: bhs[0] & 0x3f,
    immediate: (bhs[0] & 0x40) !== 0,
    flags: bhs[1],
    final: (bhs[1] & 0x80) !== 0,
    itt: bhs.readUInt32BE(16),
    ttt: bhs.readUInt32BE(20),
    statSN: bhs.readUInt32BE(24),
    expCmdSN: bhs.readUInt32BE(28),
    maxCmdSN: bhs.readUInt32BE(32),
    bhs,
    data: buf.subarray(BHS_LENGTH + ahs, BHS_LENGTH + ahs + dsl),
  };
}

/** Sets DataSegmentLength in the BHS and appends the data plus zero padding. */
export function encodePdu(bhs: Buffer, data?: Buffer): Buffer {
  if (bhs.length !== BHS_LENGTH) throw new Error('BHS must be 48 bytes');
  const dsl = data?.length ?? 0;
  if (dsl > 0xffffff) throw new Error('data segment too long');
  const out = Buffer.alloc(BHS_LENGTH + dsl + padLength(dsl));
  bhs.copy(out, 0);
  out[4] = 0;
  out.writeUIntBE(dsl, 5, 3);
  if (data) data.copy(out, BHS_LENGTH);
  return out;
}

// ---- initiator PDUs --------------------------------------------------------------------------

export interface LoginRequestFields {
  transit: boolean;
  cont?: boolean;
  csg: number;
  nsg: number;
  isid: Buffer;
  tsih: number;
  itt: number;
  cid?: number;
  cmdSN: number;
  expStatSN: number;
  text: Buffer;
}

export function loginRequest(f: LoginRequestFields): Buffer {
  if (f.isid.length !== 6) throw new Error('ISID must be 6 bytes');
  const b = Buffer.alloc(BHS_LENGTH);
  b[0] = 0x40 | Op.LoginRequest; // Login PDUs must carry the I bit
  // NSG is only meaningful with T=1; send 0 otherwise.
  b[1] = (f.transit ? 0x80 : 0) | (f.cont ? 0x40 : 0) | ((f.csg & 3) << 2) | (f.transit ? f.nsg & 3 : 0);
  b[2] = 0; // version-max
  b[3] = 0; // version-min
  f.isid.copy(b, 8);
  b.writeUInt16BE(f.tsih & 0xffff, 14);
  b.writeUInt32BE(f.itt >>> 0, 16);
  b.writeUInt16BE(f.cid ?? 0, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  return encodePdu(b, f.text);
}

export interface TextRequestFields {
  final?: boolean;
  immediate?: boolean;
  itt: number;
  ttt?: number;
  cmdSN: number;
  expStatSN: number;
  text?: Buffer;
}

export function textRequest(f: TextRequestFields): Buffer {
  const b = Buffer.alloc(BHS_LENGTH);
  b[0] = (f.immediate === false ? 0 : 0x40) | Op.TextRequest;
  b[1] = f.final === false ? 0 : 0x80;
  b.writeUInt32BE(f.itt >>> 0, 16);
  b.writeUInt32BE((f.ttt ?? NO_TAG) >>> 0, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  return encodePdu(b, f.text);
}

export interface ScsiCommandFields {
  immediate?: boolean;
  lun: Buffer;
  itt: number;
  /** Expected Data Transfer Length: must equal the CDB allocation length (tgtd checks). */
  edtl: number;
  cmdSN: number;
  expStatSN: number;
  cdb: Buffer;
  read: boolean;
  /** Task attribute; 1 = simple. */
  attr?: number;
}

export function scsiCommand(f: ScsiCommandFields): Buffer {
  if (f.cdb.length > 16) throw new Error('CDBs longer than 16 bytes need an AHS (not supported)');
  const b = Buffer.alloc(BHS_LENGTH);
  b[0] = (f.immediate ? 0x40 : 0) | Op.ScsiCommand;
  b[1] = 0x80 | (f.read ? 0x40 : 0) | ((f.attr ?? 1) & 7);
  f.lun.copy(b, 8, 0, 8);
  b.writeUInt32BE(f.itt >>> 0, 16);
  b.writeUInt32BE(f.edtl >>> 0, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  f.cdb.copy(b, 32);
  return encodePdu(b);
}

export interface LogoutRequestFields {
  itt: number;
  cmdSN: number;
  expStatSN: number;
  /** 0 close session (default), 1 close connection, 2 remove connection for recovery. */
  reason?: number;
  cid?: number;
}

export function logoutRequest(f: LogoutRequestFields): Buffer {
  const b = Buffer.alloc(BHS_LENGTH);
  b[0] = 0x40 | Op.LogoutRequest;
  b[1] = 0x80 | ((f.reason ?? 0) & 0x7f);
  b.writeUInt32BE(f.itt >>> 0, 16);
  b.writeUInt16BE(f.cid ?? 0, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  return encodePdu(b);
}

export interface NopOutFields {
  itt: number;
  ttt: number;
  lun?: Buffer;
  cmdSN: number;
  expStatSN: number;
  data?: Buffer;
}

/** NOP-Out, always immediate (a ping answer must not consume CmdSN). */
export function nopOut(f: NopOutFields): Buffer {
  const b = Buffer.alloc(BHS_LENGTH);
  b[0] = 0x40 | Op.NopOut;
  b[1] = 0x80;
  if (f.lun) f.lun.copy(b, 8, 0, 8);
  b.writeUInt32BE(f.itt >>> 0, 16);
  b.writeUInt32BE(f.ttt >>> 0, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  return encodePdu(b, f.data);
}

// ---- target PDUs -----------------------------------------------------------------------------

export interface LoginResponse {
  transit: boolean;
  cont: boolean;
  csg: number;
  nsg: number;
  versionMax: number;
  versionActive: number;
  isid: Buffer;
  tsih: number;
  statusClass: number;
  statusDetail: number;
  text: Buffer;
}

export function parseLoginResponse(p: Pdu): LoginResponse {
  if (p.opcode !== Op.LoginResponse) throw new IscsiError('protocol', `expected a Login Response, got opcode 0x${p.opcode.toString(16)}`);
  const f = p.flags;
  return {
    transit: (f & 0x80) !== 0,
    cont: (f & 0x40) !== 0,
    csg: (f >> 2) & 3,
    nsg: f & 3,
    versionMax: p.bhs[2],
    versionActive: p.bhs[3],
    isid: Buffer.from(p.bhs.subarray(8, 14)),
    // Opaque 16 bits: tgtd writes it in host byte order, we only echo it back.
    tsih: p.bhs.readUInt16BE(14),
    statusClass: p.bhs[36],
    statusDetail: p.bhs[37],
    text: p.data,
  };
}

export interface DataIn {
  final: boolean;
  overflow: boolean;
  underflow: boolean;
  statusPresent: boolean;
  status: number;
  dataSN: number;
  bufferOffset: number;
  residual: number;
  data: Buffer;
}

export function parseDataIn(p: Pdu): DataIn {
  const f = p.flags;
  return {
    final: (f & 0x80) !== 0,
    overflow: (f & 0x04) !== 0,
    underflow: (f & 0x02) !== 0,
    statusPresent: (f & 0x01) !== 0,
    status: p.bhs[3],
    dataSN: p.bhs.readUInt32BE(36),
    bufferOffset: p.bhs.readUInt32BE(40),
    residual: p.bhs.readUInt32BE(44),
    data: p.data,
  };
}

export interface ScsiResponse {
  overflow: boolean;
  underflow: boolean;
  /** 0 = command completed at target; otherwise status is invalid. */
  response: number;
  status: number;
  residual: number;
  /** Sense bytes (without the 2-byte SenseLength), empty when none. */
  sense: Buffer;
}

export function parseScsiResponse(p: Pdu): ScsiResponse {
  const f = p.flags;
  let sense: Buffer = Buffer.alloc(0);
  if (p.data.length >= 2) {
    const len = p.data.readUInt16BE(0);
    sense = p.data.subarray(2, 2 + Math.min(len, p.data.length - 2));
  }
  return {
    overflow: (f & 0x04) !== 0,
    underflow: (f & 0x02) !== 0,
    response: p.bhs[2],
    status: p.bhs[3],
    residual: p.bhs.readUInt32BE(44),
    sense,
  };
}

export interface Reject {
  reason: number;
  /** ITT of the rejected PDU (from the BHS echoed in the data segment), if present. */
  rejectedItt?: number;
  rejectedOpcode?: number;
}

export function parseReject(p: Pdu): Reject {
  const r: Reject = { reason: p.bhs[2] };
  if (p.data.length >= BHS_LENGTH) {
    r.rejectedItt = p.data.readUInt32BE(16);
    r.rejectedOpcode = p.data[0] & 0x3f;
  }
  return r;
}

export const REJECT_REASONS: Record<number, string> = {
  0x02: 'data digest error',
  0x03: 'SNACK reject',
  0x04: 'protocol error',
  0x05: 'command not supported',
  0x06: 'immediate command rejected',
  0x07: 'task in progress',
  0x08: 'invalid data ack',
  0x09: 'invalid PDU field',
  0x0a: 'out of resources',
  0x0b: 'negotiation reset',
  0x0c: 'waiting for logout',
};

export interface AsyncMessage {
  event: number;
  vcode: number;
  param1: number;
  param2: number;
  param3: number;
}

export function parseAsyncMessage(p: Pdu): AsyncMessage {
  return {
    event: p.bhs[36],
    vcode: p.bhs[37],
    param1: p.bhs.readUInt16BE(38),
    param2: p.bhs.readUInt16BE(40),
    param3: p.bhs.readUInt16BE(42),
  };
}

export function parseLogoutResponse(p: Pdu): { response: number; time2Wait: number; time2Retain: number } {
  return { response: p.bhs[2], time2Wait: p.bhs.readUInt16BE(40), time2Retain: p.bhs.readUInt16BE(42) };
}

/** Whether a target PDU carries a valid StatSN (advances ExpStatSN), RFC 7143 §11. */
export function carriesStatSN(p: Pdu): boolean {
  switch (p.opcode) {
    case Op.DataIn:
      return (p.flags & 0x01) !== 0;
    case Op.NopIn:
      // A target ping (ITT reserved) does not advance StatSN.
      return p.itt !== NO_TAG;
    case Op.R2T:
      return false;
    case Op.LoginResponse:
      return p.bhs[36] === 0;
    default:
      return p.opcode >= 0x20;
  }
}

// ---- serial number arithmetic (RFC 1982, 32 bits) -----------------------------------------------

export function snLess(a: number, b: number): boolean {
  return a !== b && ((b - a) >>> 0) < 0x80000000;
}

export function snLessEq(a: number, b: number): boolean {
  return a === b || snLess(a, b);
}
