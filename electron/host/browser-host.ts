// Browser mode: serves the built renderer and the typed contract over a WebSocket on 127.0.0.1.
// Only a page from this very origin that knows the per-start token may call anything.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Router } from '../services/router';
import type { EventBus } from '../services/events';
import { CHROMIUM_UNSAFE_PORTS } from './unsafe-ports';

export const WS_PATH = '/rpc';
export const WS_PROTOCOL = 'portico.v1';
export const TOKEN_PROTOCOL_PREFIX = 'portico-token.';

export interface BrowserHostOptions {
  router: Router;
  events: EventBus;
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string;
  port?: number;
  token?: string;
}

export interface BrowserHost {
  origin: string;
  token: string;
  /** The URL to open: the token travels in the fragment, which browsers never send to servers. */
  url: string;
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

function offeredToken(req: IncomingMessage): string | undefined {
  const protos = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  return protos.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
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

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const root = resolve(opts.staticDir);
  let origin = '';
  let host = '';

  const server = createServer((req, res) => void serveStatic(req, res));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse) {
    const headers = {
      'Content-Security-Policy': contentSecurityPolicy(origin),
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    // DNS rebinding: a foreign name resolving to 127.0.0.1 must not reach the console.
    if (req.headers.host !== host) {
      res.writeHead(421, headers).end('Misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', origin).pathname);
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, headers).end();
      return;
    }
    const st = await stat(file).catch(() => null);
    if (!st || st.isDirectory()) file = join(root, 'index.html'); // client-side routes
    const body = await readFile(file).catch(() => null);
    if (!body) {
      res.writeHead(404, headers).end('The console has not been built: run `npm run build`.');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== WS_PATH) return refuse(404, 'Not Found');
    if (req.headers.origin !== origin) return refuse(403, 'Forbidden');
    if (!tokenMatches(token, offeredToken(req))) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket) {
    const unsubscribe = opts.events.subscribe((name, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'event', name, payload }));
    });
    ws.on('close', unsubscribe);
    ws.on('message', async (data) => {
      let msg: { id?: unknown; type?: unknown; name?: unknown; input?: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        ws.send(JSON.stringify({ id: null, ok: false, error: { code: 'bad-message', message: 'Message is not JSON.' } }));
        return;
      }
      if (msg.type !== 'invoke' || (typeof msg.id !== 'number' && typeof msg.id !== 'string')) {
        ws.send(JSON.stringify({ id: msg.id ?? null, ok: false, error: { code: 'bad-message', message: 'Expected {id, type: "invoke", name, input}.' } }));
        return;
      }
      const env = await opts.router.handle(msg.name, msg.input, { transport: 'ws' });
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id, ...env }));
    });
  }

  const port = await listen(server, opts.port ?? 0);
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;
  return {
    origin,
    token,
    url: `${origin}/#token=${token}`,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
