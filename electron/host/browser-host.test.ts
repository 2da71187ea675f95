import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BOOTSTRAP_PATH, LINK_PATH, startBrowserHost, TOKEN_PROTOCOL_PREFIX, WS_PATH, WS_PROTOCOL, type BrowserHost } from './browser-host';
import { transportServices } from '../test-support/transport-services';

// The host alone, with a router of three calls: the service graph is not needed to test transport.
const testServices = transportServices;

let svc: ReturnType<typeof testServices>;
let host: BrowserHost;
let staticDir: string;
let logged: string[];

beforeEach(async () => {
  svc = testServices();
  staticDir = mkdtempSync(join(tmpdir(), 'portico-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Portico</title>');
  logged = [];
  host = await startBrowserHost({ router: svc.router, events: svc.events, staticDir, log: (l) => logged.push(l) });
});
afterEach(async () => {
  await host.close();
  await svc.dispose();
  rmSync(staticDir, { recursive: true, force: true });
});

function connect(opts: { token?: string | null; origin?: string }): Promise<WebSocket> {
  const protocols = [WS_PROTOCOL];
  if (opts.token !== null) protocols.push(TOKEN_PROTOCOL_PREFIX + (opts.token ?? host.token));
  const ws = new WebSocket(host.origin.replace('http', 'ws') + WS_PATH, protocols, { origin: opts.origin ?? host.origin });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function invoke(ws: WebSocket, name: string, input: unknown): Promise<Record<string, unknown>> {
  const id = Math.random();
  return new Promise((resolve) => {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.id === id) resolve(m);
    });
    ws.send(JSON.stringify({ id, type: 'invoke', name, input }));
  });
}

const nonceOf = (link: string) => new URL(link).hash.replace(/^#bootstrap=/, '');

async function exchange(nonce: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { token?: string; error?: string } }> {
  const res = await fetch(host.origin + BOOTSTRAP_PATH, {
    method: 'POST',
    headers: { Origin: host.origin, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ nonce }),
  });
  return { status: res.status, body: await res.json() };
}

describe('browser host', () => {
  it('binds to 127.0.0.1 and opens with a one-time link that does not carry the token', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toMatch(new RegExp(`^${host.origin}/#bootstrap=[A-Za-z0-9_-]{32}$`));
    expect(host.url).not.toContain(host.token);
    expect(host.token.length).toBeGreaterThanOrEqual(43);
  });

  it('exchanges a link once for the token; a second use is refused in words', async () => {
    const first = await exchange(nonceOf(host.url));
    expect(first).toEqual({ status: 200, body: { token: host.token } });
    const again = await exchange(nonceOf(host.url));
    expect(again.status).toBe(410);
    expect(again.body.error).toContain('already used');
    expect(again.body.error).toContain('npm start');
    expect(again.body).not.toHaveProperty('token');
    const wrong = await exchange('not-a-nonce-of-this-process');
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toContain('not valid');
  });

  it('an unused link expires', async () => {
    const h2 = await startBrowserHost({ router: svc.router, events: svc.events, staticDir, nonceTtlMs: 50, log: () => undefined });
    try {
      await new Promise((r) => setTimeout(r, 80));
      const res = await fetch(h2.origin + BOOTSTRAP_PATH, {
        method: 'POST',
        headers: { Origin: h2.origin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ nonce: nonceOf(h2.url) }),
      });
      expect(res.status).toBe(410);
      expect((await res.json()).error).toContain('expired');
    } finally {
      await h2.close();
    }
  });

  it('exchanges only for the console page itself (Origin, JSON, small body)', async () => {
    const link = host.newLink();
    expect((await exchange(nonceOf(link), { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await exchange(nonceOf(link), { 'Content-Type': 'text/plain' })).status).toBe(415);
    const big = await fetch(host.origin + BOOTSTRAP_PATH, {
      method: 'POST',
      headers: { Origin: host.origin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ nonce: 'x'.repeat(5000) }),
    });
    expect(big.status).toBe(413);
    const notJson = await fetch(host.origin + BOOTSTRAP_PATH, { method: 'POST', headers: { Origin: host.origin, 'Content-Type': 'application/json' }, body: 'null' });
    expect(notJson.status).toBe(400);
    expect((await fetch(host.origin + BOOTSTRAP_PATH)).status).toBe(405);
    // None of these spent the link.
    expect((await exchange(nonceOf(link))).status).toBe(200);
  });

  it('mints new links only for a holder of the token', async () => {
    const denied = await fetch(host.origin + LINK_PATH, { method: 'POST' });
    expect(denied.status).toBe(401);
    const res = await fetch(host.origin + LINK_PATH, { method: 'POST', headers: { Authorization: `Bearer ${host.token}` } });
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(/#bootstrap=/);
    expect((await exchange(nonceOf(url))).body.token).toBe(host.token);
  });

  it('serves the renderer with a strict CSP and refuses foreign Host headers', async () => {
    const res = await fetch(host.origin + '/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    const { request } = await import('node:http');
    const status = await new Promise<number>((r) => {
      request(host.origin + '/', { headers: { Host: 'evil.example:80' } }, (res2) => r(res2.statusCode!)).end();
    });
    expect(status).toBe(421);
  });

  it('answers calls with envelopes, naming the bad field', async () => {
    const ws = await connect({});
    expect(await invoke(ws, 'app.info', {})).toMatchObject({ ok: true, result: { mode: 'browser' } });
    expect(await invoke(ws, 'jobs.get', { jobId: '' })).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'jobId' } });
    expect(await invoke(ws, 'shell.exec', { cmd: 'id' })).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    ws.close();
  });

  it('refuses a missing token', async () => {
    await expect(connect({ token: null })).rejects.toThrow('HTTP 401');
  });
  it('refuses a wrong token', async () => {
    await expect(connect({ token: host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A') })).rejects.toThrow('HTTP 401');
    await expect(connect({ token: 'short' })).rejects.toThrow('HTTP 401');
  });
  it('refuses a foreign Origin even with the right token', async () => {
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: host.origin.replace('127.0.0.1', 'localhost') })).rejects.toThrow('HTTP 403');
  });

  it('pushes events to connected clients', async () => {
    const ws = await connect({});
    const got = new Promise((r) => ws.on('message', (d) => r(JSON.parse(String(d)))));
    svc.events.emit('job.log', { jobId: 'j', stepIndex: 0, line: 'hello' });
    expect(await got).toEqual({ type: 'event', name: 'job.log', payload: { jobId: 'j', stepIndex: 0, line: 'hello' } });
    ws.close();
  });
});
