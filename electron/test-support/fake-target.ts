// Test double: a tiny scripted iSCSI target on an in-memory duplex pair, answering like tgtd
// (captured vectors), with output cut into arbitrary chunks to exercise PDU reassembly.
// Used by unit tests only.
import { Duplex } from 'node:stream';
import { chapResponse } from '../services/iscsi/chap';
import { BHS_LENGTH, decodePdu, encodePdu, Op, wireLength, type Pdu } from '../services/iscsi/pdu';
import { decodeBinary, decodeText, encodeBinary, encodeText, type TextPairs } from '../services/iscsi/text';
import { INQUIRY_LUN1, RC16_1G, REPORT_LUNS, UA_SENSE, VPD00, VPD80_LUN1, VPD83_LUN1 } from '../services/iscsi/vectors';

class End extends Duplex {
  other!: End;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.other.push(chunk);
    cb();
  }
  override _final(cb: () => void): void {
    this.other.push(null);
    cb();
  }
  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    if (!this.other.destroyed) this.other.push(null);
    cb(err);
  }
}

export function duplexPair(): [Duplex, Duplex] {
  const a = new End();
  const b = new End();
  a.other = b;
  b.other = a;
  return [a, b];
}

export interface FakeTargetOptions {
  targets?: string[];
  /** Incoming CHAP account required for normal logins. */
  chap?: { user: string; secret: string };
  /** Outgoing account (mutual CHAP). */
  mutual?: { user: string; secret: string };
  /** Fixed CHAP challenge (default 16 bytes 0xaa). */
  challenge?: Buffer;
  /** Cut SendTargets text at this many bytes per PDU (tgtd cuts mid-key with F=0, C=0). */
  textChunk?: number;
  /** Split every written chunk into pieces of at most this many bytes. */
  writeChunk?: number;
  /** Login status to answer with (class << 8 | detail), e.g. 0x0101 with a TargetAddress. */
  loginStatus?: number;
  loginText?: TextPairs;
  /** Never answer anything (dead target). */
  silent?: boolean;
  /** Send a NOP-In ping right after login. */
  pingAfterLogin?: boolean;
}

export interface FakeTarget {
  stream: Duplex;
  received: Pdu[];
  /** Resolves when the target side closes. */
  closed: Promise<void>;
}

// LUNs 0 and 1 exist (tgtd-like); LUN 2 is listed but INQUIRY says "no LU here".
const LUNS_0_1_2 = Buffer.concat([Buffer.from([0, 0, 0, 24, 0, 0, 0, 0]), REPORT_LUNS.subarray(8, 32)]);

export function fakeTarget(o: FakeTargetOptions = {}): FakeTarget {
  const [ours, theirs] = duplexPair();
  const received: Pdu[] = [];
  let buf = Buffer.alloc(0);
  let statSN = 0x1000;
  let expCmdSN = 0;
  const chapId = 7;
  let uaPending = new Set<string>(['1']);
  let pingAnswered = false;
  const challenge = o.challenge ?? Buffer.alloc(16, 0xaa);
  let pendingText: Buffer | undefined;
  let closed!: () => void;
  const closedP = new Promise<void>((r) => (closed = r));
  theirs.on('close', () => closed());
  theirs.on('end', () => theirs.destroy());

  const send = (frames: Buffer[]) => {
    const all = Buffer.concat(frames);
    const n = o.writeChunk ?? all.length;
    for (let i = 0; i < all.length; i += n) theirs.write(all.subarray(i, i + n));
  };
  const bhsFor = (op: number, p: Pdu, flags = 0x80) => {
    const b = Buffer.alloc(BHS_LENGTH);
    b[0] = op;
    b[1] = flags;
    b.writeUInt32BE(p.itt, 16);
    b.writeUInt32BE(0xffffffff, 20);
    b.writeUInt32BE(statSN++ >>> 0, 24);
    b.writeUInt32BE(expCmdSN, 28);
    b.writeUInt32BE((expCmdSN + 128) >>> 0, 32);
    return b;
  };

  const login = (p: Pdu) => {
    if (expCmdSN === 0) expCmdSN = p.bhs.readUInt32BE(24);
    const text = new Map(decodeText(p.data));
    const csg = (p.flags >> 2) & 3;
    const transit = (p.flags & 0x80) !== 0;
    const nsg = p.flags & 3;
    const reply = (flags: number, pairs: TextPairs, status = 0) => {
      const b = bhsFor(Op.LoginResponse, p, flags);
      p.bhs.copy(b, 8, 8, 14);
      if (transit && nsg === 3 && status === 0) b.writeUInt16BE(0x0100, 14);
      b[36] = status >> 8;
      b[37] = status & 0xff;
      send([encodePdu(b, encodeText(pairs))]);
      if (status) theirs.end();
    };
    if (o.loginStatus) return reply(p.flags & 0x0c, o.loginText ?? [], o.loginStatus);
    const isNormal = text.get('SessionType') !== 'Discovery' && (text.has('TargetName') || csg !== 0);
    if (text.has('TargetName') && !(o.targets ?? []).includes(text.get('TargetName')!)) return reply(p.flags & 0x0c, [], 0x0203);
    if (csg === 0) {
      if (text.has('AuthMethod')) {
        if (o.chap && text.get('AuthMethod')!.split(',').includes('CHAP')) return reply(0x00, [['TargetPortalGroupTag', '1'], ['AuthMethod', 'CHAP']]);
        return reply(0x00, [['AuthMethod', 'Reject']], 0x0201);
      }
      if (text.has('CHAP_A')) {
        return reply(0x00, [['CHAP_A', '5'], ['CHAP_I', String(chapId)], ['CHAP_C', encodeBinary(challenge)]]);
      }
      if (text.has('CHAP_R')) {
        const expected = chapResponse(chapId, o.chap!.secret, challenge);
        if (text.get('CHAP_N') !== o.chap!.user || !decodeBinary(text.get('CHAP_R')!).equals(expected)) return reply(0x00, [], 0x0201);
        const out: TextPairs = [];
        if (text.has('CHAP_C')) {
          if (!o.mutual) return reply(0x00, [], 0x0201);
          const c = text.get('CHAP_C')!;
          const r = chapResponse(Number(text.get('CHAP_I')), o.mutual.secret, decodeBinary(c));
          out.push(['CHAP_N', o.mutual.user], ['CHAP_R', encodeBinary(r, c.startsWith('0b') ? 'base64' : 'hex')]);
        }
        return reply(0x80 | (nsg & 3), out);
      }
    }
    // Operational stage (or skipped security): CHAP required -> refuse.
    if (isNormal && o.chap && csg === 1 && text.has('InitiatorName')) return reply(0x04, [['AuthMethod', 'Reject']], 0x0201);
    const answer: TextPairs = [];
    if (text.has('InitiatorName')) answer.push(['TargetPortalGroupTag', '1']);
    for (const k of ['HeaderDigest', 'DataDigest']) if (text.has(k)) answer.push([k, 'None']);
    reply(0x87, answer);
    if (o.pingAfterLogin) {
      const b = bhsFor(Op.NopIn, { ...p, itt: 0xffffffff }, 0x80);
      b.writeUInt32BE(0x5151, 20);
      statSN--; // a target ping does not advance StatSN
      send([encodePdu(b)]);
    }
  };

  const sendTargets = (p: Pdu) => {
    let all: Buffer;
    if (p.data.length) {
      all = encodeText((o.targets ?? []).flatMap((t): TextPairs => [['TargetName', t], ['TargetAddress', '127.0.0.1:3260,1']]));
    } else {
      all = pendingText ?? Buffer.alloc(0);
    }
    const n = o.textChunk ?? 8192;
    const chunk = all.subarray(0, n);
    pendingText = all.length > n ? all.subarray(n) : undefined;
    const b = bhsFor(Op.TextResponse, p, pendingText ? 0x00 : 0x80);
    if (pendingText) b.writeUInt32BE(1, 20);
    send([encodePdu(b, chunk)]);
  };

  const scsi = (p: Pdu) => {
    expCmdSN = (p.bhs.readUInt32BE(24) + 1) >>> 0;
    const lun = p.bhs[9];
    const cdb = p.bhs.subarray(32, 48);
    const edtl = p.bhs.readUInt32BE(20);
    const dataIn = (d: Buffer) => {
      const out = d.subarray(0, edtl);
      const b = bhsFor(Op.DataIn, p, 0x81 | (out.length < edtl ? 0x02 : 0));
      b.writeUInt32BE(edtl - out.length, 44);
      send([encodePdu(b, out)]);
    };
    const check = (sense: Buffer) => {
      const b = bhsFor(Op.ScsiResponse, p);
      b[3] = 0x02;
      const len = Buffer.alloc(2);
      len.writeUInt16BE(sense.length);
      send([encodePdu(b, Buffer.concat([len, sense]))]);
    };
    const good = () => send([encodePdu(bhsFor(Op.ScsiResponse, p))]);
    const illegal = Buffer.from('700005000000000a0000000024000000', 'hex');
    switch (cdb[0]) {
      case 0xa0:
        return dataIn(LUNS_0_1_2);
      case 0x12: {
        if (lun > 1) return dataIn(Buffer.from([0x7f, 0, 0, 0, 0]));
        if (!(cdb[1] & 1)) return dataIn(INQUIRY_LUN1);
        const page = { 0x00: VPD00, 0x80: VPD80_LUN1, 0x83: VPD83_LUN1 }[cdb[2]];
        return page ? dataIn(page) : check(illegal);
      }
      case 0x00:
      case 0x9e:
      case 0x25:
        if (lun > 1) return check(Buffer.from('70000500000000000a0000000025000000', 'hex'));
        if (uaPending.has(String(lun))) {
          uaPending.delete(String(lun));
          return check(UA_SENSE);
        }
        if (cdb[0] === 0x00) return good();
        return dataIn(cdb[0] === 0x9e ? RC16_1G : RC16_1G.subarray(4, 12));
      default:
        return check(illegal);
    }
  };

  theirs.on('data', (c: Buffer) => {
    if (o.silent) return;
    buf = Buffer.concat([buf, c]);
    while (buf.length >= BHS_LENGTH && buf.length >= wireLength(buf)) {
      const n = wireLength(buf);
      const p = decodePdu(Buffer.from(buf.subarray(0, n)));
      buf = buf.subarray(n);
      received.push(p);
      switch (p.opcode) {
        case Op.LoginRequest:
          login(p);
          break;
        case Op.TextRequest:
          sendTargets(p);
          break;
        case Op.ScsiCommand:
          scsi(p);
          break;
        case Op.NopOut:
          if (p.itt === 0xffffffff) pingAnswered = true;
          break;
        case Op.LogoutRequest:
          send([encodePdu(bhsFor(Op.LogoutResponse, p))]);
          theirs.end();
          break;
        default:
          theirs.destroy(); // like tgtd on unknown opcodes
      }
    }
  });
  void pingAnswered;
  uaPending = new Set(['0', '1']);
  return { stream: ours, received, closed: closedP };
}
