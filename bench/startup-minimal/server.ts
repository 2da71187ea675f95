// The minimal page's server, the same kind as browser mode's (electron/host/browser-host.ts): a
// node:http server on 127.0.0.1 (port 0) serving the built page with the same security headers,
// started as its own Node process from an esbuild CJS bundle, writing its URL to PORTICO_URL_FILE
// (0600) when it listens. It has no services, no database, no WebSocket and no token: the floor.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json',
};

const root = resolve(process.env.PORTICO_STATIC_DIR ?? join(dirname(process.argv[1] ?? '.'), 'renderer'));
let origin = '';

const server = createServer((req, res) => {
  void (async () => {
    const headers = {
      'Content-Security-Policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store',
    };
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', origin).pathname);
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, headers).end();
      return;
    }
    const st = await stat(file).catch(() => null);
    if (!st || st.isDirectory()) file = join(root, 'index.html');
    const body = await readFile(file).catch(() => null);
    if (!body) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  })().catch(() => res.destroy());
});

server.listen(0, '127.0.0.1', () => {
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (process.env.PORTICO_URL_FILE) writeFileSync(process.env.PORTICO_URL_FILE, `${origin}/\n`, { mode: 0o600 });
  console.log(`minimal page at ${origin}/`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
