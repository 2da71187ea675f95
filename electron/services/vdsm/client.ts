// VdsmClient: JSON-RPC 2.0 over STOMP 1.2 to VDSM (port 54321). The transport is injected
// (`connect` returns an already-secured Duplex: TLS to the host, or TLS over an SSH channel), so
// this file knows nothing about certificates or SSH.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { encodeFrame, HEARTBEAT, parseHeartBeat, StompParser, type StompFrame } from './stomp';
import { makeRequest, parseIncoming, type Params } from './jsonrpc';
import { VdsmError, VdsmTransportError } from './errors';
import { MASK } from '../../../shared/plan';

export const REQUEST_QUEUE = 'jms.topic.vdsm_requests';
export const EVENT_QUEUE = 'jms.queue.events';

/** Calls that log in to portals or write metadata can take minutes (reference 1.7, 6.3). */
export const LONG_CALLS = new Set([
  'StoragePool.connectStorageServer',
  'StoragePool.disconnectStorageServer',
  'StorageDomain.create',
  'LVMVolumeGroup.create',
  'StoragePool.create',
  'StoragePool.connect',
]);

export interface VdsmClientOptions {
  /** Opens the (already TLS-wrapped) byte stream to VDSM. Called again on reconnect. */
  connect: () => Promise<Duplex>;
  /** For messages, e.g. "hv1 (10.0.0.5)". */
  label?: string;
  /** STOMP `host` header; VDSM ignores it, fakes use it. */
  hostHeader?: string;
  /** Heart-beat we ask VDSM to send (ms); the link is declared dead after 1.25x without bytes. */
  incomingHeartbeatMs?: number;
  /** Heart-beat we send when idle (ms); 0 disables. */
  outgoingHeartbeatMs?: number;
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
  longCallTimeoutMs?: number;
  /** Retries for code 99 (VDSM starting/recovering), with exponential backoff. */
  retry99?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Reconnect attempts when a call needs the link and it is down. */
  reconnect?: { attempts: number; delayMs: number };
  /** Receives masked protocol log lines (method names, masked params, outcomes). */
  log?: (line: string) => void;
}

export interface CallOptions {
  timeoutMs?: number;
  /** Default true; set false for calls where a retry after 99 would be wrong. */
  retry99?: boolean;
  signal?: AbortSignal;
}

interface Pending {
  method: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Replaces every `password` value (any depth) with ******, so params can be logged. */
export function maskParams(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskParams);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = /password/i.test(k) && (typeof v === 'string' || v === null) ? MASK : maskParams(v);
    }
    return out;
  }
  return value;
}

class Connection {
  readonly replyTo = `portico-${randomUUID()}`;
  readonly pending = new Map<string, Pending>();
  private readonly parser = new StompParser();
  private lastRx = Date.now();
  private lastTx = Date.now();
  private timers: NodeJS.Timeout[] = [];
  dead = false;

  constructor(
    readonly socket: Duplex,
    private readonly owner: VdsmClient,
  ) {}

  write(buf: Buffer): void {
    this.lastTx = Date.now();
    this.socket.write(buf);
  }

  /** CONNECT, wait for CONNECTED, then subscribe replies and events before any SEND. */
  async handshake(o: Required<Pick<VdsmClientOptions, 'incomingHeartbeatMs' | 'outgoingHeartbeatMs' | 'connectTimeoutMs'>> & { hostHeader?: string }): Promise<void> {
    const connected = new Promise<StompFrame>((resolve, reject) => {
      const t = setTimeout(() => reject(new VdsmTransportError(`no CONNECTED from VDSM within ${o.connectTimeoutMs} ms`, 'connect')), o.connectTimeoutMs);
      this.onFrame = (f) => {
        if (f.command === 'CONNECTED') {
          clearTimeout(t);
          resolve(f);
        } else if (f.command === 'ERROR') {
          clearTimeout(t);
          reject(new VdsmTransportError(`VDSM refused the STOMP connection: ${f.headers.message ?? f.body.toString('utf8')}`, 'connect'));
        }
      };
      this.onClose = (why) => {
        clearTimeout(t);
        reject(new VdsmTransportError(`connection closed during STOMP handshake: ${why}`, 'connect'));
      };
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err: Error) => this.fail(err.message));
    this.socket.on('close', () => this.fail('socket closed'));
    const hb = `${o.outgoingHeartbeatMs},${Math.round(o.incomingHeartbeatMs * 0.8)}`;
    const headers: Record<string, string> = { 'accept-version': '1.2', 'heart-beat': hb };
    if (o.hostHeader) headers.host = o.hostHeader;
    // One write for the whole frame: VDSM's protocol detector peeks at the first bytes.
    this.write(encodeFrame('CONNECT', headers));
    const frame = await connected;
    if (frame.headers.version !== '1.2') throw new VdsmTransportError(`VDSM answered STOMP version ${frame.headers.version ?? '(none)'}, expected 1.2`, 'connect');
    this.onFrame = (f) => this.owner.handleFrame(this, f);
    this.onClose = () => undefined;
    this.write(
      Buffer.concat([
        encodeFrame('SUBSCRIBE', { destination: this.replyTo, id: `sub-reply-${randomUUID()}`, ack: 'auto' }),
        encodeFrame('SUBSCRIBE', { destination: EVENT_QUEUE, id: `sub-events-${randomUUID()}`, ack: 'auto' }),
      ]),
    );
    // Heart-beats per the negotiated values: server sends every max(its sx, our cy).
    const [sx, sy] = parseHeartBeat(frame.headers['heart-beat']);
    const rxEvery = sx > 0 && o.incomingHeartbeatMs > 0 ? Math.max(sx, Math.round(o.incomingHeartbeatMs * 0.8)) : 0;
    const txEvery = sy > 0 && o.outgoingHeartbeatMs > 0 ? Math.max(sy, o.outgoingHeartbeatMs) : 0;
    this.lastRx = Date.now();
    if (rxEvery > 0) {
      const limit = Math.round(rxEvery * 1.25);
      this.timers.push(
        setInterval(() => {
          if (Date.now() - this.lastRx > limit) this.fail(`no heart-beat from VDSM for ${limit} ms`);
        }, Math.max(50, Math.round(rxEvery / 4))),
      );
    }
    if (txEvery > 0) {
      this.timers.push(
        setInterval(() => {
          if (Date.now() - this.lastTx >= txEvery * 0.8) this.write(HEARTBEAT);
        }, Math.max(50, Math.round(txEvery / 2))),
      );
    }
  }

  private onFrame: (f: StompFrame) => void = () => undefined;
  private onClose: (why: string) => void = () => undefined;

  private onData(chunk: Buffer): void {
    this.lastRx = Date.now();
    let events;
    try {
      events = this.parser.push(chunk);
    } catch (err) {
      this.fail(`STOMP protocol error: ${(err as Error).message}`);
      return;
    }
    for (const ev of events) if (ev.kind === 'frame') this.onFrame(ev.frame);
  }

  fail(why: string): void {
    if (this.dead) return;
    this.dead = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.onClose(why);
    this.socket.destroy();
    this.owner.connectionLost(this, why);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('cancelled'));
    }, { once: true });
  });

export interface VdsmClientEvents {
  /** A VDSM notification from jms.queue.events. */
  event: [method: string, params: Params];
  disconnect: [reason: string];
  connected: [];
}

export class VdsmClient extends EventEmitter<VdsmClientEvents> {
  private conn: Connection | null = null;
  private opening: Promise<Connection> | null = null;
  private closed = false;
  private readonly o: Required<Omit<VdsmClientOptions, 'hostHeader' | 'log' | 'label'>> & Pick<VdsmClientOptions, 'hostHeader' | 'log'> & { label: string };
  /** Number of successful STOMP handshakes (tests watch reconnects). */
  connectCount = 0;

  constructor(opts: VdsmClientOptions) {
    super();
    this.o = {
      incomingHeartbeatMs: 10_000,
      outgoingHeartbeatMs: 10_000,
      connectTimeoutMs: 15_000,
      callTimeoutMs: 60_000,
      longCallTimeoutMs: 180_000,
      retry99: { attempts: 6, baseDelayMs: 1_000, maxDelayMs: 10_000 },
      reconnect: { attempts: 2, delayMs: 2_000 },
      label: 'VDSM',
      ...opts,
    };
  }

  get label(): string {
    return this.o.label;
  }

  get isConnected(): boolean {
    return !!this.conn && !this.conn.dead;
  }

  /** Connects now (calls connect lazily anyway). */
  async open(): Promise<void> {
    await this.ensureConnection();
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.conn;
    this.conn = null;
    if (c && !c.dead) {
      try {
        c.write(encodeFrame('DISCONNECT', {}));
      } catch {
        /* socket already gone */
      }
      c.fail('client closed');
    }
  }

  private log(line: string): void {
    this.o.log?.(line);
  }

  private async ensureConnection(): Promise<Connection> {
    if (this.closed) throw new VdsmTransportError(`client for ${this.o.label} is closed`, 'closed');
    if (this.conn && !this.conn.dead) return this.conn;
    if (!this.opening) {
      this.opening = this.connectWithRetry().finally(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  private async connectWithRetry(): Promise<Connection> {
    let lastErr: Error | null = null;
    const attempts = 1 + Math.max(0, this.o.reconnect.attempts);
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(this.o.reconnect.delayMs * i);
      try {
        const socket = await this.o.connect();
        const c = new Connection(socket, this);
        await c.handshake(this.o);
        if (this.closed) {
          c.fail('client closed');
          throw new VdsmTransportError('client closed', 'closed');
        }
        this.conn = c;
        this.connectCount++;
        this.log(`connected to ${this.o.label} (STOMP 1.2, reply-to ${c.replyTo})`);
        this.emit('connected');
        return c;
      } catch (err) {
        lastErr = err as Error;
        if (err instanceof VdsmTransportError && err.kind === 'closed') throw err;
        this.log(`connect to ${this.o.label} failed: ${lastErr.message}`);
      }
    }
    throw new VdsmTransportError(`cannot connect to VDSM on ${this.o.label}: ${lastErr?.message ?? 'unknown error'}`, 'connect');
  }

  /** @internal called by Connection */
  connectionLost(c: Connection, why: string): void {
    // VDSM does not replay replies: every in-flight call has an unknown outcome now.
    for (const [id, p] of c.pending) {
      clearTimeout(p.timer);
      p.reject(new VdsmTransportError(`${p.method}: connection to ${this.o.label} lost (${why}); the call's outcome is unknown, state must be re-read`, 'disconnected'));
      c.pending.delete(id);
    }
    if (this.conn === c) {
      this.conn = null;
      this.log(`disconnected from ${this.o.label}: ${why}`);
      this.emit('disconnect', why);
    }
  }

  /** @internal called by Connection for frames after the handshake */
  handleFrame(c: Connection, f: StompFrame): void {
    if (f.command === 'ERROR') {
      this.log(`STOMP ERROR from ${this.o.label}: ${f.headers.message ?? f.body.toString('utf8').slice(0, 200)}`);
      return;
    }
    if (f.command !== 'MESSAGE') return;
    let items;
    try {
      items = parseIncoming(f.body.toString('utf8'));
    } catch (err) {
      this.log(`unparsable message from ${this.o.label}: ${(err as Error).message}`);
      return;
    }
    for (const m of items) {
      if (m.kind === 'notification') {
        this.emit('event', m.method, m.params);
        continue;
      }
      const p = c.pending.get(String(m.id));
      if (!p) continue; // not ours, or already timed out
      c.pending.delete(String(m.id));
      clearTimeout(p.timer);
      if (m.kind === 'error') p.reject(new VdsmError(m.error.code, p.method, m.error.message));
      else p.resolve(m.result);
    }
  }

  timeoutFor(method: string): number {
    return LONG_CALLS.has(method) ? this.o.longCallTimeoutMs : this.o.callTimeoutMs;
  }

  /** One JSON-RPC call with named params; retries on code 99 with backoff. */
  async call<T = unknown>(method: string, params: Params = {}, opts: CallOptions = {}): Promise<T> {
    const retry = opts.retry99 !== false;
    const r = this.o.retry99;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.callOnce(method, params, opts)) as T;
      } catch (err) {
        if (retry && err instanceof VdsmError && err.code === 99 && attempt < r.attempts) {
          const delay = Math.min(r.maxDelayMs, r.baseDelayMs * 2 ** attempt);
          this.log(`${method}: VDSM is starting (code 99); retry ${attempt + 1}/${r.attempts} in ${delay} ms`);
          await sleep(delay, opts.signal);
          continue;
        }
        throw err;
      }
    }
  }

  private async callOnce(method: string, params: Params, opts: CallOptions): Promise<unknown> {
    if (opts.signal?.aborted) throw new Error('cancelled');
    const c = await this.ensureConnection();
    const req = makeRequest(method, params);
    const timeoutMs = opts.timeoutMs ?? this.timeoutFor(method);
    this.log(`-> ${method} ${JSON.stringify(maskParams(params))}`);
    const started = Date.now();
    const result = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        c.pending.delete(req.id);
        reject(new VdsmTransportError(`${method}: no answer from ${this.o.label} within ${Math.round(timeoutMs / 1000)} s`, 'timeout'));
      }, timeoutMs);
      c.pending.set(req.id, { method, resolve, reject, timer });
      opts.signal?.addEventListener('abort', () => {
        if (c.pending.delete(req.id)) {
          clearTimeout(timer);
          reject(new Error('cancelled'));
        }
      }, { once: true });
      const body = JSON.stringify(req);
      c.write(encodeFrame('SEND', { destination: REQUEST_QUEUE, 'reply-to': c.replyTo, 'content-type': 'application/json' }, body));
    }).catch((err: Error) => {
      this.log(`<- ${method} failed after ${Date.now() - started} ms: ${err instanceof VdsmError ? `code ${err.code}` : err.message}`);
      throw err;
    });
    this.log(`<- ${method} ok (${Date.now() - started} ms)`);
    return result;
  }
}
