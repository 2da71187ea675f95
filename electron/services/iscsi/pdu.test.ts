import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  carriesStatSN,
  decodePdu,
  encodePdu,
  loginRequest,
  logoutRequest,
  nopOut,
  Op,
  padLength,
  parseDataIn,
  parseLoginResponse,
  parseReject,
  parseScsiResponse,
  scsiCommand,
  snLess,
  textRequest,
  wireLength,
} from './pdu';
import { encodeText, decodeText } from './text';
import { hex, LOGIN_REQ_1_BHS, LOGIN_REQ_1_TEXT, LOGIN_REQ_2_BHS, LOGIN_REQ_2_TEXT, LOGIN_RESP_1, LOGOUT_REQ, TEXT_REQ, UA_SENSE } from './vectors';

const ISID = hex('80 12 34 56 00 00');

describe('PDU codec against the tgtd discovery capture (§8.2)', () => {
  it('builds Login Request 1 byte for byte, padded to 4', () => {
    const text = Buffer.from(LOGIN_REQ_1_TEXT, 'latin1');
    const pdu = loginRequest({ transit: true, csg: 0, nsg: 1, isid: ISID, tsih: 0, itt: 1, cmdSN: 1, expStatSN: 0, text });
    expect(pdu.subarray(0, 48).equals(LOGIN_REQ_1_BHS)).toBe(true);
    expect(pdu.length).toBe(48 + 84); // 84 is already a multiple of 4
    expect(pdu.subarray(48).toString('latin1')).toBe(LOGIN_REQ_1_TEXT);
  });

  it('builds Login Request 2 with 2 bytes of padding', () => {
    const pdu = loginRequest({
      transit: true, csg: 1, nsg: 3, isid: ISID, tsih: 0, itt: 1, cmdSN: 1, expStatSN: 1,
      text: encodeText([['HeaderDigest', 'None'], ['DataDigest', 'None'], ['MaxRecvDataSegmentLength', '262144']]),
    });
    expect(pdu.subarray(0, 48).equals(LOGIN_REQ_2_BHS)).toBe(true);
    expect(pdu.subarray(48, 48 + 66).toString('latin1')).toBe(LOGIN_REQ_2_TEXT);
    expect(pdu.length).toBe(48 + 68);
    expect([...pdu.subarray(48 + 66)]).toEqual([0, 0]);
  });

  it('parses Login Response 1 and its padded text', () => {
    expect(wireLength(LOGIN_RESP_1)).toBe(48 + 40);
    const p = decodePdu(LOGIN_RESP_1);
    const r = parseLoginResponse(p);
    expect(r).toMatchObject({ transit: true, csg: 0, nsg: 1, statusClass: 0, statusDetail: 0, tsih: 0 });
    expect(r.isid.equals(ISID)).toBe(true);
    expect(p.statSN).toBe(0);
    expect(p.expCmdSN).toBe(1);
    expect(p.maxCmdSN).toBe(2);
    expect(decodeText(r.text)).toEqual([['TargetPortalGroupTag', '1'], ['AuthMethod', 'None']]);
  });

  it('builds the Text Request and the Logout Request', () => {
    const t = textRequest({ itt: 2, cmdSN: 1, expStatSN: 2, text: encodeText([['SendTargets', 'All']]) });
    expect(t.equals(TEXT_REQ)).toBe(true);
    expect(logoutRequest({ itt: 3, cmdSN: 1, expStatSN: 3 }).equals(LOGOUT_REQ)).toBe(true);
  });

  it('builds the INQUIRY VPD 0x80 SCSI Command of §8.4', () => {
    const cmd = scsiCommand({ lun: hex('00 01 00 00 00 00 00 00'), itt: 0x1002, edtl: 255, cmdSN: 1, expStatSN: 2, cdb: hex('12 01 80 00 ff 00'), read: true });
    expect(cmd.toString('hex')).toBe(
      hex('01 c1 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 10 02 00 00 00 ff 00 00 00 01 00 00 00 02 12 01 80 00 ff 00 00 00 00 00 00 00 00 00 00 00').toString('hex'),
    );
  });

  it('TUR uses flags 0x81 and a NOP-Out answer to a ping is immediate with ITT ffffffff', () => {
    const tur = scsiCommand({ lun: Buffer.alloc(8), itt: 5, edtl: 0, cmdSN: 9, expStatSN: 1, cdb: Buffer.alloc(6), read: false });
    expect(tur[1]).toBe(0x81);
    const n = nopOut({ itt: 0xffffffff, ttt: 7, cmdSN: 1, expStatSN: 1 });
    expect(n[0]).toBe(0x40);
    expect(n.readUInt32BE(16)).toBe(0xffffffff);
    expect(n.readUInt32BE(20)).toBe(7);
  });
});

describe('target PDU parsers', () => {
  it('parses the unit-attention SCSI Response (§8.5)', () => {
    const data = Buffer.concat([hex('00 12'), UA_SENSE]);
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x21; bhs[1] = 0x80; bhs[3] = 0x02;
    const p = decodePdu(encodePdu(bhs, data));
    expect(p.bhs.readUIntBE(5, 3)).toBe(20);
    const r = parseScsiResponse(p);
    expect(r.status).toBe(2);
    expect(r.sense.equals(UA_SENSE)).toBe(true);
  });

  it('parses Data-In flags F,U,S with residual (REPORT LUNS 0x83)', () => {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x25; bhs[1] = 0x83; bhs.writeUInt32BE(4064, 44);
    const d = parseDataIn(decodePdu(encodePdu(bhs, Buffer.alloc(32))));
    expect(d).toMatchObject({ final: true, underflow: true, statusPresent: true, residual: 4064, bufferOffset: 0 });
  });

  it('finds the rejected ITT in a Reject', () => {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x3f; bhs[1] = 0x80; bhs[2] = 0x09;
    const rejected = textRequest({ itt: 0x42, cmdSN: 1, expStatSN: 1 }).subarray(0, 48);
    expect(parseReject(decodePdu(encodePdu(bhs, rejected)))).toEqual({ reason: 9, rejectedItt: 0x42, rejectedOpcode: Op.TextRequest });
  });

  it('knows which PDUs advance StatSN', () => {
    const mk = (op: number, flags = 0x80, itt = 1) => {
      const b = Buffer.alloc(48);
      b[0] = op; b[1] = flags; b.writeUInt32BE(itt, 16);
      return decodePdu(b);
    };
    expect(carriesStatSN(mk(Op.DataIn, 0x80))).toBe(false);
    expect(carriesStatSN(mk(Op.DataIn, 0x81))).toBe(true);
    expect(carriesStatSN(mk(Op.NopIn, 0x80, 0xffffffff))).toBe(false);
    expect(carriesStatSN(mk(Op.NopIn, 0x80, 3))).toBe(true);
    expect(carriesStatSN(mk(Op.ScsiResponse))).toBe(true);
    expect(carriesStatSN(mk(Op.R2T))).toBe(false);
  });
});

describe('padding and serial arithmetic', () => {
  it('pads to multiples of 4', () => {
    expect([0, 1, 2, 3, 4, 5].map(padLength)).toEqual([0, 3, 2, 1, 0, 3]);
  });
  it('compares sequence numbers across the wrap', () => {
    expect(snLess(0xffffffff, 0)).toBe(true);
    expect(snLess(0, 0xffffffff)).toBe(false);
    expect(snLess(5, 5)).toBe(false);
    expect(snLess(1, 2)).toBe(true);
  });
  it('encode/decode round-trips any data segment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const bhs = Buffer.alloc(48);
        bhs[0] = 0x24;
        const wire = encodePdu(bhs, Buffer.from(data));
        expect(wire.length % 4).toBe(0);
        expect(wireLength(wire)).toBe(wire.length);
        expect(decodePdu(wire).data.equals(Buffer.from(data))).toBe(true);
      }),
    );
  });
});
