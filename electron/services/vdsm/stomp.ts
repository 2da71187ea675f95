// Minimal STOMP 1.2 codec, as VDSM implements it (lib/yajsonrpc/stomp.py): frames are
// COMMAND\nheader:value\n...\n\nbody\0; a lone \n between frames is a heartbeat; content-length,
// when present, decides where the body ends. Pure: no sockets, so both the client and the test
// double share it.

export interface StompFrame {
  command: string;
  /** First occurrence wins for duplicate headers (VDSM and STOMP 1.2 agree). */
  headers: Record<string, string>;
  body: Buffer;
}

export type StompEvent = { kind: 'frame'; frame: StompFrame } | { kind: 'heartbeat' };

export class StompProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StompProtocolError';
  }
}

// CONNECT/CONNECTED headers are not escaped in STOMP 1.2 (so old clients can negotiate).
const UNESCAPED_COMMANDS = new Set(['CONNECT', 'CONNECTED', 'STOMP']);

export function escapeHeader(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/:/g, '\\c');
}

export function unescapeHeader(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === ':') throw new StompProtocolError('raw ":" inside an escaped header value');
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = value[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else if (next === 'c') out += ':';
    else throw new StompProtocolError(`undefined escape sequence "\\${next ?? ''}" in header`);
  }
  return out;
}

/** Encodes one frame. A body always gets content-length, as VDSM does on its own frames. */
export function encodeFrame(command: string, headers: Record<string, string | number> = {}, body: string | Buffer = ''): Buffer {
  const bodyBuf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const escape = UNESCAPED_COMMANDS.has(command) ? (s: string) => s : escapeHeader;
  let head = `${command}\n`;
  const all: Record<string, string | number> = { ...headers };
  if (bodyBuf.length > 0 && all['content-length'] === undefined) all['content-length'] = bodyBuf.length;
  for (const [k, v] of Object.entries(all)) head += `${escape(k)}:${escape(String(v))}\n`;
  head += '\n';
  return Buffer.concat([Buffer.from(head, 'utf8'), bodyBuf, Buffer.from([0])]);
}

export const HEARTBEAT = Buffer.from('\n');

/** Upper bounds protect the process from a peer that never ends a frame. */
export interface ParserLimits {
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

const DEFAULT_LIMITS: ParserLimits = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 64 * 1024 * 1024 };

/**
 * Incremental parser: push() any chunk (partial frame, several frames, heartbeats) and get the
 * complete events in order. Leftover bytes stay buffered for the next push.
 */
export class StompParser {
  private buf: Buffer = Buffer.alloc(0);
  private readonly limits: ParserLimits;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  push(chunk: Buffer): StompEvent[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: StompEvent[] = [];
    for (;;) {
      const ev = this.next();
      if (!ev) break;
      out.push(ev);
    }
    return out;
  }

  /** Bytes waiting for the rest of a frame (for tests and diagnostics). */
  get pending(): number {
    return this.buf.length;
  }

  private next(): StompEvent | null {
    // Heartbeats: lone EOLs before a command line (\r\n tolerated).
    if (this.buf.length > 0 && this.buf[0] === 0x0a) {
      this.buf = this.buf.subarray(1);
      return { kind: 'heartbeat' };
    }
    if (this.buf.length > 1 && this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
      this.buf = this.buf.subarray(2);
      return { kind: 'heartbeat' };
    }
    if (this.buf.length === 0) return null;
    const headEnd = findHeadEnd(this.buf);
    if (headEnd === null) {
      if (this.buf.length > this.limits.maxHeaderBytes) throw new StompProtocolError('frame header too large');
      return null;
    }
    const headText = this.buf.subarray(0, headEnd.start).toString('utf8');
    const lines = headText.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    const command = lines[0];
    if (!/^[A-Z]+$/.test(command)) throw new StompProtocolError(`bad command line "${command.slice(0, 40)}"`);
    const raw = UNESCAPED_COMMANDS.has(command);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const idx = line.indexOf(':');
      if (idx < 0) throw new StompProtocolError(`header line without ":" in ${command}`);
      const key = raw ? line.slice(0, idx) : unescapeHeader(line.slice(0, idx));
      const value = raw ? line.slice(idx + 1) : unescapeHeader(line.slice(idx + 1));
      if (!(key in headers)) headers[key] = value;
    }
    const bodyStart = headEnd.end;
    let bodyEnd: number;
    const cl = headers['content-length'];
    if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) throw new StompProtocolError(`bad content-length "${cl}"`);
      const len = Number(cl);
      if (len > this.limits.maxBodyBytes) throw new StompProtocolError('frame body too large');
      if (this.buf.length < bodyStart + len + 1) return null;
      if (this.buf[bodyStart + len] !== 0) throw new StompProtocolError('frame body not followed by NUL');
      bodyEnd = bodyStart + len;
    } else {
      const nul = this.buf.indexOf(0, bodyStart);
      if (nul < 0) {
        if (this.buf.length - bodyStart > this.limits.maxBodyBytes) throw new StompProtocolError('frame body too large');
        return null;
      }
      bodyEnd = nul;
    }
    const body = Buffer.from(this.buf.subarray(bodyStart, bodyEnd));
    this.buf = this.buf.subarray(bodyEnd + 1);
    return { kind: 'frame', frame: { command, headers, body } };
  }
}

function findHeadEnd(buf: Buffer): { start: number; end: number } | null {
  // Header block ends at the first empty line: \n\n or \n\r\n.
  for (let i = 0; i < buf.length - 1; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return { start: i, end: i + 2 };
    if (buf[i + 1] === 0x0d && i + 2 < buf.length && buf[i + 2] === 0x0a) return { start: i, end: i + 3 };
  }
  return null;
}

/** Parses a heart-beat header "cx,cy" (ms); missing or malformed means 0,0. */
export function parseHeartBeat(value: string | undefined): [number, number] {
  if (!value) return [0, 0];
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}
