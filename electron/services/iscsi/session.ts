// An iSCSI session over one connection: login, sequence numbers and the command window,
// SendTargets, SCSI read commands (pipelined up to MaxCmdSN), logout.
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { PduConnection } from './connection';
import { IscsiError } from './errors';
import { LoginNegotiator, type LoginOutcome, type LoginParams } from './login';
import {
  carriesStatSN,
  logoutRequest,
  loginRequest,
  nopOut,
  NO_TAG,
  Op,
  parseDataIn,
  parseLoginResponse,
  parseLogoutResponse,
  parseScsiResponse,
  scsiCommand,
  snLess,
  snLessEq,
  textRequest,
  type Pdu,
} from './pdu';
import { parseSense, ScsiStatus, statusName, type Sense } from './scsi';
import { parseSendTargets, type DiscoveredTarget } from './targets';
import { decodeText, encodeText } from './text';

// Sessions need 10 random bytes each (ISID, first CmdSN). One getrandom call per 400 sessions
// instead of two per session: a fan-out over many portals opens hundreds.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;
function takeRandom(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolAt = 0;
  }
  const out = Buffer.from(pool.subarray(poolAt, poolAt + n));
  poolAt += n;
  return out;
}

/** Random-format ISID (T=10b): fresh per session so we never reinstate (kill) someone's session. */
export function randomIsid(): Buffer {
  const b = takeRandom(6);
  b[0] = 0x80;
  return b;
}

export interface SessionOptions extends LoginParams {
  timeoutMs: number;
  signal?: AbortSignal;
  label: string;
  /** Test hook: fixed ISID (default random). */
  isid?: Buffer;
  /** Initial CmdSN (default random; any value is valid). */
  initialCmdSN?: number;
}

export interface ScsiResult {
  status: number;
  /** Data received (only meaningful when status is GOOD). */
  data: Buffer;
  sense?: Sense;
  senseRaw: Buffer;
}

interface Queued {
  send: () => void;
}

export class Session {
  private cmdSN: number;
  private expStatSN = 0;
  private statSNKnown = false;
  private expCmdSN: number;
  private maxCmdSN: number;
  private nextItt = 1;
  private readonly queue: Queued[] = [];
  private corkDepth = 0;
  private corked: Buffer[] = [];
  readonly conn: PduConnection;
  readonly isid: Buffer;
  login?: LoginOutcome;
  private tsih = 0;
  /** Async events seen (e.g. the target asking us to log out); for diagnostics. */
  readonly asyncEvents: number[] = [];

  constructor(
    stream: Duplex,
    private readonly o: SessionOptions,
  ) {
    this.isid = o.isid ?? randomIsid();
    this.cmdSN = (o.initialCmdSN ?? takeRandom(4).readUInt32BE(0)) >>> 0;
    this.expCmdSN = this.cmdSN;
    this.maxCmdSN = this.cmdSN;
    this.conn = new PduConnection(stream, {
      timeoutMs: o.timeoutMs,
      signal: o.signal,
      label: o.label,
      onReceive: (p) => this.onReceive(p),
      onUnsolicited: (p) => this.onUnsolicited(p),
    });
  }

  private itt(): number {
    const t = this.nextItt;
    this.nextItt = (this.nextItt + 1) >>> 0;
    if (this.nextItt === NO_TAG || this.nextItt === 0) this.nextItt = 1;
    return t;
  }

  private onReceive(p: Pdu): void {
    if (p.opcode === Op.LoginResponse && p.bhs[36] !== 0) return; // numbers invalid on failure
    if (carriesStatSN(p)) {
      const next = (p.statSN + 1) >>> 0;
      if (!this.statSNKnown || snLess(this.expStatSN, next)) this.expStatSN = next;
      this.statSNKnown = true;
    }
    if (p.opcode >= 0x20 && p.opcode !== Op.Reject) {
      // Accept a window update only if it is sane (MaxCmdSN >= ExpCmdSN - 1) and moves forward.
      if (snLessEq((p.expCmdSN - 1) >>> 0, p.maxCmdSN)) {
        const login = p.opcode === Op.LoginResponse;
        if (login || snLess(this.expCmdSN, p.expCmdSN)) this.expCmdSN = p.expCmdSN;
        if (login || snLess(this.maxCmdSN, p.maxCmdSN)) this.maxCmdSN = p.maxCmdSN;
      }
      if (this.queue.length) queueMicrotask(() => this.flush());
    }
  }

  private onUnsolicited(p: Pdu): void {
    if (p.opcode === Op.NopIn && p.ttt !== NO_TAG) {
      // Target ping: answer with its TTT and LUN, immediate, without consuming CmdSN.
      this.emit(nopOut({ itt: NO_TAG, ttt: p.ttt, lun: p.bhs.subarray(8, 16), cmdSN: this.cmdSN, expStatSN: this.expStatSN }));
    } else if (p.opcode === Op.AsyncMessage) {
      this.asyncEvents.push(p.bhs[36]);
    }
  }

  private emit(frame: Buffer): void {
    if (this.corkDepth > 0) this.corked.push(frame);
    else if (this.conn.alive) this.conn.write([frame]);
  }

  /** Runs fn with writes batched into one stream write (pipelined commands in one segment). */
  batch<T>(fn: () => T): T {
    this.corkDepth++;
    try {
      return fn();
    } finally {
      if (--this.corkDepth === 0 && this.corked.length) {
        const frames = this.corked;
        this.corked = [];
        if (this.conn.alive) this.conn.write(frames);
      }
    }
  }

  private flush(): void {
    this.batch(() => {
      while (this.queue.length && snLessEq(this.cmdSN, this.maxCmdSN)) this.queue.shift()!.send();
    });
  }

  async doLogin(): Promise<LoginOutcome> {
    const neg = new LoginNegotiator(this.o);
    const itt = this.itt();
    let step = neg.first();
    for (;;) {
      const frame = loginRequest({
        transit: step.transit,
        csg: step.csg,
        nsg: step.nsg,
        isid: this.isid,
        tsih: this.tsih,
        itt,
        cmdSN: this.cmdSN, // every Login PDU carries the same CmdSN; login does not consume it
        expStatSN: this.statSNKnown ? this.expStatSN : 0,
        text: encodeText(step.text),
      });
      const resp = await this.conn.request(itt, [frame], (p) => (p.opcode === Op.LoginResponse ? p : undefined), 'the login request');
      const lr = parseLoginResponse(resp);
      let next;
      try {
        next = neg.next(lr);
      } catch (e) {
        this.conn.close();
        throw e;
      }
      if (lr.tsih) this.tsih = lr.tsih;
      if (next.kind === 'done') {
        this.login = next.outcome;
        return next.outcome;
      }
      step = next.step;
    }
  }

  /** SendTargets=All (or one name); concatenates continuation chunks before parsing (tgtd cuts mid-key). */
  async sendTargets(which = 'All'): Promise<DiscoveredTarget[]> {
    const itt = this.itt();
    const parts: Buffer[] = [];
    let total = 0;
    let ttt = NO_TAG;
    let text: Buffer | undefined = encodeText([['SendTargets', which]]);
    for (;;) {
      const frame = textRequest({ itt, ttt, cmdSN: this.cmdSN, expStatSN: this.expStatSN, text, immediate: true });
      const p = await this.conn.request(itt, [frame], (pdu) => (pdu.opcode === Op.TextResponse ? pdu : undefined), 'the SendTargets request');
      parts.push(Buffer.from(p.data));
      total += p.data.length;
      if (total > 16 * 1024 * 1024) throw new IscsiError('protocol', 'SendTargets answer larger than 16 MiB');
      if (p.final) break;
      if (p.ttt === NO_TAG) throw new IscsiError('protocol', 'Text Response continues without a target transfer tag');
      ttt = p.ttt;
      text = undefined;
    }
    return parseSendTargets(decodeText(Buffer.concat(parts)));
  }

  /**
   * One SCSI read command. Waits for the CmdSN window when needed, so callers can start many
   * commands at once (inside batch()) and they go out pipelined.
   */
  command(lun: Buffer, cdb: Buffer, edtl: number, what: string): Promise<ScsiResult> {
    const itt = this.itt();
    let buf: Buffer | undefined;
    let received = 0;
    let single: Buffer | undefined;
    const collect = (p: Pdu): ScsiResult | undefined => {
      if (p.opcode === Op.DataIn) {
        const d = parseDataIn(p);
        if (d.data.length) {
          if (d.bufferOffset === 0 && !buf && received === 0) {
            single = d.data;
          } else {
            if (!buf) {
              buf = Buffer.alloc(Math.max(edtl, d.bufferOffset + d.data.length));
              if (single) single.copy(buf, 0);
              single = undefined;
            }
            if (d.bufferOffset + d.data.length > buf.length) {
              throw new IscsiError('protocol', `${this.o.label} sent more data than requested for ${what}`);
            }
            d.data.copy(buf, d.bufferOffset);
          }
          received = Math.max(received, d.bufferOffset + d.data.length);
        }
        if (!d.statusPresent) return undefined;
        return this.result(d.status, single ?? buf?.subarray(0, received), Buffer.alloc(0));
      }
      if (p.opcode === Op.ScsiResponse) {
        const r = parseScsiResponse(p);
        if (r.response !== 0) throw new IscsiError('scsi', `${this.o.label} reported a target failure for ${what} (iSCSI response 0x${r.response.toString(16)}).`);
        return this.result(r.status, single ?? buf?.subarray(0, received), r.sense);
      }
      return undefined;
    };
    return new Promise<ScsiResult>((resolve, reject) => {
      const send = () => {
        const frame = scsiCommand({ lun, itt, edtl, cmdSN: this.cmdSN, expStatSN: this.expStatSN, cdb, read: edtl > 0 });
        this.cmdSN = (this.cmdSN + 1) >>> 0;
        // Registered with no frame, then emitted so batch() can coalesce the writes.
        this.conn.request(itt, [], collect, what).then(resolve, reject);
        this.emit(frame);
      };
      if (this.queue.length === 0 && snLessEq(this.cmdSN, this.maxCmdSN)) send();
      else {
        this.queue.push({ send });
        // Fail queued commands too when the connection dies.
        this.conn.closed.then(() => {
          const i = this.queue.findIndex((q) => q.send === send);
          if (i >= 0) {
            this.queue.splice(i, 1);
            reject(new IscsiError('connection', `${this.o.label} closed the connection before ${what} could be sent.`));
          }
        });
      }
    });
  }

  private result(status: number, data: Buffer | undefined, senseRaw: Buffer): ScsiResult {
    // Data that precedes a non-GOOD status is meaningless (tgtd may send zeros first).
    return {
      status,
      data: status === ScsiStatus.Good ? (data ?? Buffer.alloc(0)) : Buffer.alloc(0),
      sense: senseRaw.length ? parseSense(senseRaw) : undefined,
      senseRaw,
    };
  }

  /** Immediate logout (reason 0); waits for the response, then closes the stream. */
  async logout(): Promise<void> {
    if (!this.conn.alive) return;
    const itt = this.itt();
    const frame = logoutRequest({ itt, cmdSN: this.cmdSN, expStatSN: this.expStatSN });
    try {
      const p = await this.conn.request(itt, [frame], (pdu) => (pdu.opcode === Op.LogoutResponse ? pdu : undefined), 'the logout request');
      const r = parseLogoutResponse(p);
      if (r.response !== 0) throw new IscsiError('protocol', `${this.o.label} refused the logout (response ${r.response}).`);
    } finally {
      this.conn.close();
    }
  }

  close(): void {
    this.conn.close();
  }
}

export function describeStatus(r: ScsiResult): string {
  return r.sense ? `${statusName(r.status)}, ${r.sense.description}` : statusName(r.status);
}
