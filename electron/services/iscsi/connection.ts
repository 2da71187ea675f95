// PDU transport over any duplex byte stream (TCP socket, ssh2 direct-tcpip channel): reassembles
// PDUs across arbitrary chunk boundaries, matches responses to requests by Initiator Task Tag,
// puts a timeout on every wait, and tears the stream down on timeout, abort or protocol error so
// no socket outlives a failed check.
import type { Duplex } from 'node:stream';
import { IscsiError } from './errors';
import { BHS_LENGTH, NO_TAG, Op, decodePdu, parseReject, REJECT_REASONS, wireLength, type Pdu } from './pdu';

/** Consumes PDUs for one task; returns a value to finish the wait, undefined to keep waiting. */
export type Collector<T> = (pdu: Pdu) => T | undefined;

interface Waiter {
  collect: Collector<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  what: string;
}

export interface ConnectionOptions {
  /** Limit for each wait, in ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** For messages, e.g. "10.0.0.1:3260". */
  label: string;
  /** Sees every PDU before dispatch (sequence-number bookkeeping). */
  onReceive?: (pdu: Pdu) => void;
  /** PDUs no request is waiting for (target NOP-In pings, async messages). */
  onUnsolicited?: (pdu: Pdu) => void;
}

/** Failure marker of a connection closed on purpose with no request outstanding. */
const CLOSED_BY_US = new IscsiError('connection', 'Connection closed.');

/** Largest data segment we accept; a bogus length must not make us buffer gigabytes. */
const MAX_PDU = 16 * 1024 * 1024 + BHS_LENGTH + 4;

export class PduConnection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly waiters = new Map<number, Waiter>();
  private failure?: IscsiError;
  private readonly onAbort = () => this.fail(new IscsiError('cancelled', `Check of ${this.opts.label} was cancelled.`));
  /** Resolves once the stream is gone (closed by either side). */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly stream: Duplex,
    private readonly opts: ConnectionOptions,
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    stream.on('data', (c: Buffer) => this.onData(c));
    // Errors are built only if this is the first failure: an Error's stack trace is the costliest
    // thing a normal close would otherwise do.
    stream.on('error', (e: Error) => this.failure || this.fail(new IscsiError('connection', `Connection to ${opts.label} failed: ${e.message}`)));
    stream.on('end', () => this.failure || this.fail(this.peerClosed()));
    stream.on('close', () => {
      if (!this.failure) this.fail(this.peerClosed());
      this.resolveClosed();
    });
    if (opts.signal) {
      if (opts.signal.aborted) queueMicrotask(this.onAbort);
      else opts.signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  /** Writes frames; several are corked into one segment where the stream supports it. */
  write(frames: Buffer[]): void {
    if (this.failure) throw this.failure;
    if (frames.length === 1) {
      this.stream.write(frames[0]);
      return;
    }
    this.stream.cork();
    for (const f of frames) this.stream.write(f);
    this.stream.uncork();
  }

  /**
   * Registers a waiter for `itt`, then writes `frames`. Resolves with the collector's first
   * non-undefined value; rejects on timeout (and closes the connection), Reject PDUs, or close.
   */
  request<T>(itt: number, frames: Buffer[], collect: Collector<T>, what: string, timeoutMs = this.opts.timeoutMs): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiters.has(itt)) return Promise.reject(new Error(`task tag ${itt} already in use`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new IscsiError('timeout', `No answer from ${this.opts.label} to ${what} within ${timeoutMs} ms.`, { timeoutMs }));
      }, timeoutMs);
      this.waiters.set(itt, { collect, resolve: resolve as (v: unknown) => void, reject, timer, what });
      if (frames.length) {
        try {
          this.write(frames);
        } catch (e) {
          this.settle(itt);
          reject(e as Error);
        }
      }
    });
  }

  /** Closes the stream; pending waits fail with `reason` (default: a connection error). */
  close(reason?: IscsiError): void {
    if (this.failure) return;
    // With nobody waiting the error is never seen: skip building one (and its stack trace).
    this.fail(reason ?? (this.waiters.size ? new IscsiError('connection', `Connection to ${this.opts.label} closed.`) : CLOSED_BY_US));
  }

  private peerClosed(): IscsiError {
    return new IscsiError('connection', `${this.opts.label} closed the connection.`);
  }

  private settle(itt: number): Waiter | undefined {
    const w = this.waiters.get(itt);
    if (w) {
      clearTimeout(w.timer);
      this.waiters.delete(itt);
    }
    return w;
  }

  private fail(err: IscsiError): void {
    if (!this.failure) {
      this.failure = err;
      this.opts.signal?.removeEventListener('abort', this.onAbort);
      this.stream.destroy();
    }
    for (const itt of [...this.waiters.keys()]) this.settle(itt)!.reject(this.failure);
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      while (this.buffered >= BHS_LENGTH) {
        const head = this.peek(BHS_LENGTH);
        const len = wireLength(head);
        if (len > MAX_PDU) throw new IscsiError('protocol', `${this.opts.label} sent a PDU of ${len} bytes, more than we accept`);
        if (this.buffered < len) break;
        this.dispatch(decodePdu(this.take(len)));
        if (this.failure) return;
      }
    } catch (e) {
      this.fail(e instanceof IscsiError ? e : new IscsiError('protocol', `Bad data from ${this.opts.label}: ${(e as Error).message}`));
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    const merged = Buffer.concat(this.chunks);
    this.chunks = [merged];
    return merged;
  }

  private take(n: number): Buffer {
    let first = this.chunks[0];
    if (first.length < n) {
      first = Buffer.concat(this.chunks);
      this.chunks = [first];
    }
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }

  private dispatch(pdu: Pdu): void {
    this.opts.onReceive?.(pdu);
    if (pdu.opcode === Op.Reject) {
      const r = parseReject(pdu);
      const reason = REJECT_REASONS[r.reason] ?? `reason 0x${r.reason.toString(16)}`;
      const w = r.rejectedItt !== undefined ? this.settle(r.rejectedItt) : undefined;
      const err = new IscsiError('protocol', `${this.opts.label} rejected ${w?.what ?? 'a request'}: ${reason}.`, { rejectReason: r.reason });
      if (w) w.reject(err);
      else this.fail(err);
      return;
    }
    if (pdu.opcode === Op.R2T) {
      this.fail(new IscsiError('protocol', `${this.opts.label} asked for write data (R2T) although only reads were sent.`));
      return;
    }
    const w = pdu.itt !== NO_TAG ? this.waiters.get(pdu.itt) : undefined;
    if (!w) {
      this.opts.onUnsolicited?.(pdu);
      return;
    }
    let v: unknown;
    try {
      v = w.collect(pdu);
    } catch (e) {
      this.settle(pdu.itt);
      w.reject(e as Error);
      return;
    }
    if (v !== undefined) {
      this.settle(pdu.itt);
      w.resolve(v);
    }
  }
}

export type Connector = (signal: AbortSignal) => Promise<Duplex>;

/** A connect error in words an admin can act on (the errno stays in the details). */
export function connectFailure(label: string, e: Error): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ECONNREFUSED':
      return `Nothing listens on ${label}: is tgtd (or the target service) running, and is the port right?`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${label} cannot be reached from here (no route to that network). Check it from a host on that storage network.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The name in ${label} does not resolve here: use the portal's IP address or fix DNS.`;
    case 'ECONNRESET':
      return `${label} reset the connection at once: a firewall may refuse iSCSI from here.`;
    default:
      return `Could not connect to ${label}: ${e.message}`;
  }
}

/**
 * Runs a connector under a time limit and an optional outer signal. A stream that arrives after
 * the deadline is destroyed at once; the connector gets a signal so it can drop half-open sockets.
 */
export async function connectWithin(connect: Connector, timeoutMs: number, label: string, signal?: AbortSignal): Promise<Duplex> {
  if (signal?.aborted) throw new IscsiError('cancelled', `Check of ${label} was cancelled.`);
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let settled = false;
  const p = connect(ac.signal);
  try {
    return await new Promise<Duplex>((resolve, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(new IscsiError('timeout', `Could not connect to ${label} within ${timeoutMs} ms (portal down, filtered, or unreachable).`, { timeoutMs }));
      }, timeoutMs);
      onAbort = () => {
        ac.abort();
        reject(new IscsiError('cancelled', `Check of ${label} was cancelled.`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, (e: Error) => reject(e instanceof IscsiError ? e : new IscsiError('connection', connectFailure(label, e), { errno: (e as NodeJS.ErrnoException).code })));
    }).then((s) => {
      settled = true;
      return s;
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (!settled) p.then((s) => s.destroy(), () => undefined);
  }
}
