// TEST DOUBLE — not VDSM. The STOMP 1.2 side of the VDSM double, following the framing and
// routing rules VDSM implements (reference 1.4-1.6): accept-version must be exactly "1.2",
// heart-beat clamped to >= 1000 ms, replies go to every subscription of the request's reply-to
// (none -> silently dropped), events to jms.queue.events subscribers, unknown command -> ERROR
// and close. Works on any Duplex (TLS socket in the lab, in-memory pair in unit tests).
import type { Duplex } from 'node:stream';
import { encodeFrame, HEARTBEAT, parseHeartBeat, StompParser, type StompFrame } from '../../../electron/services/vdsm/stomp';

export const REQUEST_QUEUES = ['jms.topic.vdsm_requests', 'jms.topic.vdsm_irs_requests'];
export const EVENT_QUEUE = 'jms.queue.events';

export class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RpcRequestInfo {
  method: string;
  params: Record<string, unknown> | unknown[];
  id: unknown;
  /** The STOMP connection's `host` header (vdsmfake uses it to tell hosts apart). */
  hostHeader: string | null;
}

export type RpcHandler = (req: RpcRequestInfo) => Promise<unknown>;

interface Sub {
  id: string;
  destination: string;
  conn: BrokerConnection;
}

export interface BrokerOptions {
  handler: RpcHandler;
  /** Minimum heart-beat interval VDSM enforces (ms); tests lower it to run fast. */
  minHeartbeatMs?: number;
  log?: (line: string) => void;
}

/** One broker for all connections of a double (replies fan out across connections, as in VDSM). */
export class StompBroker {
  private readonly subs: Sub[] = [];
  readonly connections = new Set<BrokerConnection>();
  /** Test knob: stop sending heart-beats (simulates a hung VDSM or a dead link). */
  heartbeatsPaused = false;
  /** Requests seen, in order (method + params), for tests. */
  readonly requests: RpcRequestInfo[] = [];

  constructor(readonly o: BrokerOptions) {}

  attach(socket: Duplex): BrokerConnection {
    const c = new BrokerConnection(socket, this);
    this.connections.add(c);
    return c;
  }

  log(line: string): void {
    this.o.log?.(line);
  }

  subscribe(s: Sub): string | null {
    if (this.subs.some((x) => x.conn === s.conn && x.id === s.id)) return `duplicate subscription id ${s.id}`;
    this.subs.push(s);
    return null;
  }

  unsubscribe(conn: BrokerConnection, id: string): void {
    const i = this.subs.findIndex((x) => x.conn === conn && x.id === id);
    if (i >= 0) this.subs.splice(i, 1);
  }

  dropConnection(conn: BrokerConnection): void {
    this.connections.delete(conn);
    for (let i = this.subs.length - 1; i >= 0; i--) if (this.subs[i].conn === conn) this.subs.splice(i, 1);
  }

  /** Sends a body to every subscription of a destination; returns how many got it. */
  publish(destination: string, body: string): number {
    let n = 0;
    for (const s of this.subs) {
      if (s.destination !== destination || s.conn.closed) continue;
      s.conn.send(encodeFrame('MESSAGE', { destination, 'content-type': 'application/json', subscription: s.id }, body));
      n++;
    }
    return n;
  }

  /** Pushes a JSON-RPC notification to jms.queue.events (method names like |net|host_conn|no_id). */
  notify(method: string, params: Record<string, unknown>): number {
    return this.publish(EVENT_QUEUE, JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, notify_time: Date.now() } }));
  }

  /** Closes every connection abruptly (tests: link loss). */
  dropAll(): void {
    for (const c of [...this.connections]) c.close();
  }
}

export class BrokerConnection {
  private readonly parser = new StompParser();
  private connected = false;
  private hostHeader: string | null = null;
  private hbTimer: NodeJS.Timeout | null = null;
  closed = false;

  constructor(
    readonly socket: Duplex,
    private readonly broker: StompBroker,
  ) {
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  send(buf: Buffer): void {
    if (!this.closed) this.socket.write(buf);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.hbTimer) clearInterval(this.hbTimer);
    this.broker.dropConnection(this);
    this.socket.destroy();
  }

  private error(message: string, close = false): void {
    this.send(encodeFrame('ERROR', { message, 'content-type': 'text/plain' }, message));
    if (close) setTimeout(() => this.close(), 10);
  }

  private onData(b: Buffer): void {
    let events;
    try {
      events = this.parser.push(b);
    } catch (err) {
      this.error(`protocol error: ${(err as Error).message}`, true);
      return;
    }
    for (const ev of events) if (ev.kind === 'frame') this.onFrame(ev.frame);
  }

  private onFrame(f: StompFrame): void {
    switch (f.command) {
      case 'CONNECT':
      case 'STOMP':
        return this.onConnect(f);
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
      case 'SEND':
      case 'DISCONNECT':
        if (!this.connected) return this.error('Not connected', true);
        if (f.command === 'SUBSCRIBE') return this.onSubscribe(f);
        if (f.command === 'UNSUBSCRIBE') return this.broker.unsubscribe(this, f.headers.id ?? '');
        if (f.command === 'SEND') return this.onSend(f);
        if (f.headers.receipt) this.send(encodeFrame('RECEIPT', { 'receipt-id': f.headers.receipt }));
        return this.close();
      default:
        // VDSM treats an unknown command as a connection error.
        return this.error(`Unknown command ${f.command}`, true);
    }
  }

  private onConnect(f: StompFrame): void {
    if (f.headers['accept-version'] !== '1.2') return this.error('Version unsupported', true);
    this.connected = true;
    this.hostHeader = f.headers.host ?? null;
    const min = this.broker.o.minHeartbeatMs ?? 1000;
    let [cx, cy] = parseHeartBeat(f.headers['heart-beat']);
    if (cx) cx = Math.max(cx, min);
    if (cy) cy = Math.max(cy, min);
    this.send(encodeFrame('CONNECTED', { version: '1.2', 'heart-beat': `${cy},${cx}` }));
    if (cy) {
      this.hbTimer = setInterval(() => {
        if (!this.broker.heartbeatsPaused) this.send(HEARTBEAT);
      }, cy);
    }
  }

  private onSubscribe(f: StompFrame): void {
    const { destination, id } = f.headers;
    if (!destination || !id) return this.error('Missing destination or subscription id header');
    const err = this.broker.subscribe({ id, destination, conn: this });
    if (err) this.error(err);
  }

  private onSend(f: StompFrame): void {
    const dest = f.headers.destination ?? '';
    const isRequest = REQUEST_QUEUES.some((q) => dest === q || dest.startsWith(`${q}.`));
    if (!isRequest) {
      // Mini-broker: forward to subscribers, ERROR when there are none.
      if (this.broker.publish(dest, f.body.toString('utf8')) === 0) this.error('Subscription not available');
      return;
    }
    const replyTo = f.headers['reply-to'] ?? null;
    void this.execute(f.body.toString('utf8'), replyTo);
  }

  private async execute(text: string, replyTo: string | null): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.reply(replyTo, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
    const batch = Array.isArray(parsed);
    const items = batch ? (parsed as unknown[]) : [parsed];
    const answers = (await Promise.all(items.map((it) => this.one(it)))).filter((a) => a !== null);
    if (answers.length === 0) return;
    this.reply(replyTo, batch ? answers : answers[0]);
  }

  private async one(it: unknown): Promise<unknown | null> {
    if (!it || typeof it !== 'object') return { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid request' } };
    const r = it as Record<string, unknown>;
    const id = r.id ?? null;
    if (r.jsonrpc !== '2.0' || typeof r.method !== 'string') return { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid request' } };
    const req: RpcRequestInfo = { method: r.method, params: (r.params as Record<string, unknown>) ?? {}, id, hostHeader: this.hostHeader };
    this.broker.requests.push(req);
    try {
      const result = await this.broker.o.handler(req);
      if (id === null || id === undefined) return null; // notification: no reply
      return { jsonrpc: '2.0', id, result: result === undefined || result === null ? true : result };
    } catch (err) {
      if (id === null || id === undefined) return null;
      const code = err instanceof RpcFault ? err.code : -32603;
      return { jsonrpc: '2.0', id, error: { code, message: (err as Error).message } };
    }
  }

  private reply(replyTo: string | null, msg: unknown): void {
    // No reply-to, or nobody subscribed to it: VDSM drops the answer silently.
    if (!replyTo) return;
    this.broker.publish(replyTo, JSON.stringify(msg));
  }
}
