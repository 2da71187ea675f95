// Test helper: a minimal iSCSI login (no CHAP) that keeps the session open until close().
// iscsi-ls logs out at once, so tests that need a live I_T nexus (delete refusal) use this.
import net from 'node:net';

export interface HeldSession {
  /** Login response status class/detail (0/0 = success). */
  statusClass: number;
  statusDetail: number;
  /** Has the target (or the network) ended the connection? */
  ended(): boolean;
  /** Resolves when the connection ends, for whatever reason. */
  whenEnded: Promise<void>;
  close(): Promise<void>;
}

export interface HoldOptions {
  host: string;
  port: number;
  targetName: string;
  initiatorName: string;
  /** Source address (e.g. 127.0.0.2) to exercise address ACLs on loopback. */
  localAddress?: string;
  timeoutMs?: number;
  /** Creates the TCP connection (e.g. through an SSH tunnel); default net.connect. */
  connect?: () => net.Socket;
}

function loginPdu(itt: number, cmdSN: number, isid: Buffer, keys: string[], transit: boolean): Buffer {
  const data = Buffer.from(keys.map((k) => `${k}\0`).join(''), 'utf8');
  const pad = (4 - (data.length % 4)) % 4;
  const bhs = Buffer.alloc(48);
  bhs[0] = 0x40 | 0x03; // immediate + Login Request
  // CSG=1 (operational negotiation), NSG=3 (full feature); no security stage since no CHAP.
  bhs[1] = (transit ? 0x80 : 0) | (1 << 2) | 3;
  bhs.writeUIntBE(data.length, 5, 3);
  isid.copy(bhs, 8);
  bhs.writeUInt32BE(itt, 16);
  bhs.writeUInt32BE(cmdSN, 24);
  return Buffer.concat([bhs, data, Buffer.alloc(pad)]);
}

export async function holdSession(o: HoldOptions): Promise<HeldSession> {
  const sock = o.connect ? o.connect() : net.connect({ host: o.host, port: o.port, localAddress: o.localAddress });
  const isid = Buffer.from([0x80, 0x12, 0x34, Math.floor(Math.random() * 256), Math.floor(Math.random() * 256), 0x01]);
  let buf = Buffer.alloc(0);
  const timeout = o.timeoutMs ?? 5000;
  const waiters: (() => void)[] = [];
  let ended = false;
  let markEnded!: () => void;
  const whenEnded = new Promise<void>((r) => (markEnded = r));
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    waiters.splice(0).forEach((w) => w());
  });
  const onEnd = () => {
    ended = true;
    markEnded();
    waiters.splice(0).forEach((w) => w());
  };
  sock.on('close', onEnd);
  sock.on('error', onEnd);
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error('iSCSI connect timed out')), timeout);
    sock.once('connect', () => { clearTimeout(t); res(); });
    sock.once('error', (e) => { clearTimeout(t); rej(e); });
  });
  const readPdu = async (): Promise<Buffer> => {
    const deadline = Date.now() + timeout;
    for (;;) {
      if (buf.length >= 48) {
        const dlen = buf.readUIntBE(5, 3);
        const total = 48 + buf[4] * 4 + dlen + ((4 - (dlen % 4)) % 4);
        if (buf.length >= total) {
          const pdu = buf.subarray(0, total);
          buf = buf.subarray(total);
          return pdu;
        }
      }
      if (ended) throw new Error('target closed the connection during login');
      if (Date.now() > deadline) throw new Error('iSCSI login timed out');
      await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
    }
  };
  const keys = [
    `InitiatorName=${o.initiatorName}`,
    'SessionType=Normal',
    `TargetName=${o.targetName}`,
    'HeaderDigest=None',
    'DataDigest=None',
    'ErrorRecoveryLevel=0',
    'InitialR2T=Yes',
    'ImmediateData=Yes',
    'MaxRecvDataSegmentLength=65536',
  ];
  const cmdSN = 1;
  sock.write(loginPdu(1, cmdSN, isid, keys, true));
  let statusClass = 0;
  let statusDetail = 0;
  for (let i = 0; i < 4; i++) {
    const r = await readPdu();
    if ((r[0] & 0x3f) !== 0x23) throw new Error(`unexpected PDU opcode 0x${(r[0] & 0x3f).toString(16)} during login`);
    statusClass = r[36];
    statusDetail = r[37];
    if (statusClass !== 0) break;
    const transit = (r[1] & 0x80) !== 0;
    const nsg = r[1] & 3;
    if (transit && nsg === 3) break;
    // Target wants another round: answer with no keys and ask to transit again.
    sock.write(loginPdu(1, cmdSN, isid, [], true));
  }
  const close = async () => {
    if (!sock.destroyed) {
      sock.destroy();
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  if (statusClass !== 0) await close();
  return { statusClass, statusDetail, ended: () => ended, whenEnded, close };
}
