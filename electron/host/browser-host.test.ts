import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startBrowserHost, TOKEN_PROTOCOL_PREFIX, WS_PATH, WS_PROTOCOL, type BrowserHost } from './browser-host';
import { testServices } from '../services/testing/services';

let svc: ReturnType<typeof testServices>;
let host: BrowserHost;
let staticDir: string;

beforeEach(async () => {
  svc = testServices();
  staticDir = mkdtempSync(join(tmpdir(), 'portico-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Portico</title>');
  host = await startBrowserHost({ router: svc.router, events: svc.events, staticDir });
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

describe('browser host', () => {
  it('binds to 127.0.0.1 and puts the token in the URL fragment only', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toBe(`${host.origin}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(43);
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
