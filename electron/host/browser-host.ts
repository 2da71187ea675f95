// Browser mode: serves the built renderer and the typed contract over a WebSocket on 127.0.0.1.
// Only a page from this very origin that holds the per-start session token may call anything.
//
// The session token never travels in a URL: what `npm start` prints and opens is a one-time link
// (`/#bootstrap=NONCE`), whose nonce the page exchanges once, by POST, for the token; the nonce
// then stops working (and expires after two minutes if unused). A browser's argv, a shared
// terminal log or the browser history thus only ever hold a spent or expiring nonce.
//
// Every request is untrusted: each layer catches its own failures and answers them (HTTP 4xx,
// WebSocket close codes with a reason), so no request can stop the process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Router } from '../services/router';
import { quoteValue } from '../services/router';
import type { EventBus } from '../services/events';
import { CHROMIUM_UNSAFE_PORTS } from './unsafe-ports';

export const WS_PATH = '/rpc';
export const WS_PROTOCOL = 'portico.v1';
export const TOKEN_PROTOCOL_PREFIX = 'portico-token.';
/** POST {nonce} here (same origin, JSON): answers {token} once per nonce. */
export const BOOTSTRAP_PATH = '/bootstrap';
/** POST here with `Authorization: Bearer TOKEN`: answers {url}, a fresh one-time link. */
export const LINK_PATH = '/bootstrap/link';
export const BOOTSTRAP_FRAGMENT = 'bootstrap';
export const NONCE_TTL_MS = 2 * 60_000;
/** Largest WebSocket message accepted; a larger one closes the socket with 1009. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Longest request id (string) a client may use; ids are echoed back, so they are bounded. */
export const MAX_ID_LENGTH = 64;
const MAX_BODY_BYTES = 1024;

/** WebSocket close codes the host uses (RFC 6455 7.4.1). */
export const CLOSE = { unsupportedData: 1003, policy: 1008, tooBig: 1009, internal: 1011 } as const;

export interface BrowserHostOptions {
  router: Router;
  events: EventBus;
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string;
  port?: number;
  token?: string;
  /** How long an unused one-time link stays valid (default 2 minutes). */
  nonceTtlMs?: number;
  /** HTTP: time allowed for a request's headers / whole request (slow or partial requests get 408). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Where refusals and caught errors are reported (default: console.error). */
  log?: (line: string) => void;
}

export interface BrowserHost {
  origin: string;
  /** The session token. Never printed or put in a URL; held by pages that exchanged a link. */
  token: string;
  /** A first one-time link to open (`ORIGIN/#bootstrap=NONCE`). */
  url: string;
  /** Mints another one-time link (for another tab or browser). */
  newLink(): string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json',
};

export function contentSecurityPolicy(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self' data:",
    `connect-src 'self' ${ws}`, "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; ');
}

export function tokenMatches(expected: string, offered: string | undefined): boolean {
  if (!offered) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(offered);
  // timingSafeEqual needs equal lengths; compare against itself to keep the time flat.
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(a, a), false);
}

function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function offeredToken(req: IncomingMessage): string | undefined {
  return offeredProtocols(req).find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
}

async function listen(server: Server, port: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', rej);
        res();
      });
    });
    const got = (server.address() as AddressInfo).port;
    if (port !== 0 || !CHROMIUM_UNSAFE_PORTS.has(got)) return got;
    await new Promise<void>((r) => server.close(() => r()));
  }
  throw new Error('could not find a port Chromium accepts');
}

/** A short, single-line description of an error for the log (never a whole request). */
export function describeError(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const line = text.replace(/\s+/g, ' ');
  return line.length > 200 ? line.slice(0, 200) + '…' : line;
}

const REFUSALS = {
  unknown:
    'This link is not valid for this Portico process (it may be from an earlier start, or mistyped). Open the link `npm start` printed, press Enter in its terminal for a new one, or restart `npm start`.',
  used:
    'This link was already used (each link opens the console once): restart `npm start` or ask for a new link by pressing Enter in its terminal. If you did not open it yourself, someone else on this machine may have: restart `npm start`.',
  expired:
    'This link has expired (links work for 2 minutes): restart `npm start` or ask for a new link by pressing Enter in its terminal.',
} as const;

class Nonces {
  private readonly live = new Map<string, number>(); // nonce -> expiry (ms)
  private readonly spent = new Map<string, 'used' | 'expired'>(); // bounded memory of refused nonces
  constructor(private readonly ttlMs: number) {}

  mint(): string {
    this.sweep();
    const nonce = randomBytes(24).toString('base64url');
    this.live.set(nonce, Date.now() + this.ttlMs);
    return nonce;
  }

  /** Spends a nonce: 'ok' once, then 'used'; 'expired' after its time; 'unknown' otherwise. */
  take(nonce: string): 'ok' | 'used' | 'expired' | 'unknown' {
    this.sweep();
    const expiry = this.live.get(nonce);
    if (expiry !== undefined) {
      this.live.delete(nonce);
      this.remember(nonce, 'used');
      return 'ok';
    }
    return this.spent.get(nonce) ?? 'unknown';
  }

  private sweep() {
    const now = Date.now();
    for (const [n, exp] of this.live) {
      if (exp > now) continue;
      this.live.delete(n);
      this.remember(n, 'expired');
    }
  }

  private remember(nonce: string, why: 'used' | 'expired') {
    this.spent.set(nonce, why);
    if (this.spent.size > 1000) this.spent.delete(this.spent.keys().next().value!);
  }
}

class HttpRefusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((res, rej) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        rej(new HttpRefusal(413, `The request body is larger than ${limit} bytes.`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => res(Buffer.concat(chunks).toString('utf8')));
    req.on('error', rej);
  });
}

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const root = resolve(opts.staticDir);
  const log = opts.log ?? ((line: string) => console.error(line));
  const nonces = new Nonces(opts.nonceTtlMs ?? NONCE_TTL_MS);
  let origin = '';
  let host = '';

  const server = createServer(
    {
      headersTimeout: opts.headersTimeoutMs ?? 10_000,
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      connectionsCheckingInterval: Math.min(1_000, opts.headersTimeoutMs ?? 1_000),
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
      handleRequest(req, res).catch((e: unknown) => {
        log(`Portico: an HTTP request failed and was answered 500: ${describeError(e)}`);
        try {
          if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
          res.end('Internal error; the console keeps running.');
        } catch {
          res.destroy();
        }
      });
    },
  );
  // Malformed requests, huge headers and requests too slow to arrive: answered here, never fatal.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const code = err.code ?? '';
    const [status, text] =
      code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large']
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : [400, 'Bad Request'];
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = `${text}: the console could not read this request (${code || 'malformed'}).\n`;
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  wss.on('error', (e) => log(`Portico: WebSocket server error: ${describeError(e)}`));

  const baseHeaders = () => ({
    'Content-Security-Policy': contentSecurityPolicy(origin),
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });

  function sendText(res: ServerResponse, status: number, text: string) {
    res.writeHead(status, { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
  }
  function sendJson(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { ...baseHeaders(), 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }

  function requestPath(raw: string | undefined): string {
    let url: URL;
    try {
      url = new URL(raw ?? '/', origin);
    } catch {
      throw new HttpRefusal(400, 'Bad Request: the request target is not a valid path.');
    }
    if (url.origin !== origin) throw new HttpRefusal(400, 'Bad Request: the request target is not a path of this console.');
    try {
      return decodeURIComponent(url.pathname);
    } catch {
      throw new HttpRefusal(400, `Bad Request: the path ${quoteValue(url.pathname)} has a malformed %-escape.`);
    }
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse) {
    // DNS rebinding: a foreign name resolving to 127.0.0.1 must not reach the console.
    if (req.headers.host !== host) {
      sendText(res, 421, 'Misdirected request: this console only answers to ' + host);
      return;
    }
    try {
      const path = requestPath(req.url);
      if (path === BOOTSTRAP_PATH || path === LINK_PATH) {
        if (req.method !== 'POST') throw new HttpRefusal(405, 'Use POST.');
        await (path === BOOTSTRAP_PATH ? exchange(req, res) : mintLink(req, res));
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpRefusal(405, 'Method not allowed.');
      await serveStatic(path, req, res);
    } catch (e) {
      if (!(e instanceof HttpRefusal)) throw e;
      if (req.headers['content-type'] === 'application/json' || req.method === 'POST') sendJson(res, e.status, { error: e.message });
      else sendText(res, e.status, e.message);
    }
  }

  // The page's half of the one-time link: same origin, JSON, one nonce, once.
  async function exchange(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.origin !== origin) throw new HttpRefusal(403, 'Only the console page itself may exchange its link.');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpRefusal(415, 'Send the link as application/json.');
    let nonce: unknown;
    try {
      nonce = (JSON.parse(await readBody(req, MAX_BODY_BYTES)) as { nonce?: unknown } | null)?.nonce;
    } catch (e) {
      if (e instanceof HttpRefusal) throw e;
      throw new HttpRefusal(400, 'The request body is not JSON {"nonce": "..."}.');
    }
    if (typeof nonce !== 'string' || nonce.length > 128) throw new HttpRefusal(400, 'The request body is not JSON {"nonce": "..."}.');
    const outcome = nonces.take(nonce);
    if (outcome !== 'ok') {
      log(`Portico: refused a ${outcome === 'unknown' ? 'wrong' : outcome} one-time link.`);
      throw new HttpRefusal(outcome === 'unknown' ? 403 : 410, REFUSALS[outcome]);
    }
    sendJson(res, 200, { token });
  }

  async function mintLink(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.origin !== undefined && req.headers.origin !== origin) throw new HttpRefusal(403, 'Forbidden origin.');
    const auth = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''));
    if (!tokenMatches(token, auth?.[1])) throw new HttpRefusal(401, 'A new link needs the session token (Authorization: Bearer ...).');
    req.resume();
    sendJson(res, 200, { url: newLink() });
  }

  async function serveStatic(path: string, req: IncomingMessage, res: ServerResponse) {
    if (path.includes('\0')) throw new HttpRefusal(400, 'Bad Request: the path contains a NUL character.');
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) throw new HttpRefusal(403, 'Forbidden.');
    const st = await stat(file).catch(() => null);
    if (!st || st.isDirectory()) file = join(root, 'index.html'); // client-side routes
    const body = await readFile(file).catch(() => null);
    if (!body) {
      sendText(res, 404, 'The console has not been built: run `npm run build`.');
      return;
    }
    res.writeHead(200, { ...baseHeaders(), 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The http server drops its own error handler from upgraded sockets: a reset must not be fatal.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, text: string, why: string) => {
      const body = why + '\n';
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    try {
      if (req.headers.host !== host) return refuse(421, 'Misdirected Request', `This console only answers to ${host}.`);
      let path: string;
      try {
        path = new URL(req.url ?? '/', origin).pathname;
      } catch {
        return refuse(400, 'Bad Request', 'The request target is not a valid path.');
      }
      if (path !== WS_PATH) return refuse(404, 'Not Found', `The console's WebSocket is at ${WS_PATH}.`);
      if (req.headers.origin !== origin) return refuse(403, 'Forbidden', 'Only the console page itself may connect.');
      if (!offeredProtocols(req).includes(WS_PROTOCOL)) return refuse(400, 'Bad Request', `Offer the WebSocket subprotocol ${WS_PROTOCOL}.`);
      if (!tokenMatches(token, offeredToken(req))) return refuse(401, 'Unauthorized', 'The session token is missing or wrong.');
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
    } catch (e) {
      log(`Portico: a WebSocket upgrade failed: ${describeError(e)}`);
      socket.destroy();
    }
  });

  type Message = { id: number | string; type: 'invoke'; name: unknown; input: unknown };

  /** Parses one client message; a string is the reason to close the socket with 1008. */
  function parseMessage(data: RawData): Message | { refusal: string; id: number | string | null } | string {
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return 'messages must be JSON';
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return 'messages must be JSON objects {id, type, name, input}';
    const m = msg as Record<string, unknown>;
    const idOk = (typeof m.id === 'number' && Number.isFinite(m.id)) || (typeof m.id === 'string' && m.id.length <= MAX_ID_LENGTH);
    if (!idOk) return `each message needs an id: a number or a string of at most ${MAX_ID_LENGTH} characters`;
    if (m.type !== 'invoke') return { refusal: 'Expected {id, type: "invoke", name, input}.', id: m.id as number | string };
    return m as Message;
  }

  function attach(ws: WebSocket) {
    const send = (body: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      try {
        ws.send(JSON.stringify(body));
      } catch (e) {
        log(`Portico: could not send an answer: ${describeError(e)}`);
      }
    };
    const unsubscribe = opts.events.subscribe((name, payload) => send({ type: 'event', name, payload }));
    ws.on('close', unsubscribe);
    // Oversized messages and invalid frames: ws closes the socket (1009, 1002, 1007) and reports here.
    ws.on('error', (e) => log(`Portico: closed a WebSocket: ${describeError(e)}`));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(CLOSE.unsupportedData, 'Portico: text messages only');
        return;
      }
      const msg = parseMessage(data);
      if (typeof msg === 'string') {
        ws.close(CLOSE.policy, `Portico: ${msg}`.slice(0, 123));
        return;
      }
      if ('refusal' in msg) {
        send({ id: msg.id, ok: false, error: { code: 'bad-message', message: msg.refusal } });
        return;
      }
      opts.router
        .handle(msg.name, msg.input, { transport: 'ws' })
        .then((env) => send({ id: msg.id, ...env }))
        .catch((e: unknown) => {
          log(`Portico: a call failed outside its handler: ${describeError(e)}`);
          send({ id: msg.id, ok: false, error: { code: 'internal', message: 'The call failed inside the console; see its log.' } });
        });
    });
  }

  function newLink(): string {
    return `${origin}/#${BOOTSTRAP_FRAGMENT}=${nonces.mint()}`;
  }

  const port = await listen(server, opts.port ?? 0);
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;
  return {
    origin,
    token,
    url: newLink(),
    newLink,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
