// No request can stop browser mode: bad paths and escapes, huge headers, partial requests,
// non-object and oversized WebSocket messages, a wrong Host or subprotocol, reused links. Real
// sockets on 127.0.0.1; every bad request gets a clear refusal and the server keeps serving.
// (An unhandled rejection or exception here fails the vitest run, so "stays up" is checked too.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { BOOTSTRAP_PATH, CLOSE, MAX_MESSAGE_BYTES, startBrowserHost, TOKEN_PROTOCOL_PREFIX, WS_PATH, WS_PROTOCOL, type BrowserHost } from './browser-host';
import { transportServices } from '../test-support/transport-services';

// The host alone, with a router of three calls: the service graph is not needed to test transport.
const testServices = transportServices;

let svc: ReturnType<typeof testServices>;
let host: BrowserHost;
let staticDir: string;
let hostHeader: string;
const logged: string[] = [];

beforeAll(async () => {
  svc = testServices();
  staticDir = mkdtempSync(join(tmpdir(), 'portico-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Portico</title>');
  host = await startBrowserHost({ router: svc.router, events: svc.events, staticDir, headersTimeoutMs: 300, requestTimeoutMs: 600, log: (l) => logged.push(l) });
  hostHeader = host.origin.replace('http://', '');
});
afterAll(async () => {
  await host.close();
  await svc.dispose();
  rmSync(staticDir, { recursive: true, force: true });
});

/** Sends raw bytes and returns what came back before the server closed (or `waitMs` passed). */
function raw(data: string | Buffer, waitMs = 3000): Promise<{ status: number | null; text: string }> {
  return new Promise((resolve) => {
    const port = Number(new URL(host.origin).port);
    const s = tcpConnect(port, '127.0.0.1');
    let buf = '';
    const done = () => resolve({ status: /^HTTP\/1\.1 (\d{3})/.exec(buf) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)![1]) : null, text: buf });
    s.on('data', (d) => (buf += d));
    s.on('error', () => undefined);
    s.on('close', done);
    s.write(data);
    setTimeout(() => s.destroy(), waitMs);
  });
}

async function stillServes() {
  const res = await fetch(host.origin + '/');
  expect(res.status).toBe(200);
  const ws = await open();
  const answer = await new Promise<Record<string, unknown>>((r) => {
    ws.once('message', (d) => r(JSON.parse(String(d))));
    ws.send(JSON.stringify({ id: 1, type: 'invoke', name: 'app.info', input: {} }));
  });
  expect(answer).toMatchObject({ id: 1, ok: true });
  ws.close();
}

function open(protocols: string[] = [WS_PROTOCOL, TOKEN_PROTOCOL_PREFIX + host.token]): Promise<WebSocket> {
  const ws = new WebSocket(host.origin.replace('http', 'ws') + WS_PATH, protocols, { origin: host.origin });
  ws.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => reject(new Error(`HTTP ${res.statusCode}: ${body.trim()}`)));
    });
  });
}

/** Sends one message and reports the first answer or the close code and reason. */
function exchangeOne(ws: WebSocket, data: string | Buffer, binary = false): Promise<{ answer?: Record<string, unknown>; close?: { code: number; reason: string } }> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve({ answer: JSON.parse(String(d)) }));
    ws.once('close', (code, reason) => resolve({ close: { code, reason: String(reason) } }));
    ws.send(data, { binary });
  });
}

const upgradeRequest = (path: string, headers: Record<string, string>) =>
  `GET ${path} HTTP/1.1\r\n` +
  Object.entries({
    Host: hostHeader,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    Origin: host.origin,
    'Sec-WebSocket-Protocol': `${WS_PROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}${host.token}`,
    ...headers,
  })
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('') +
  '\r\n';

describe('HTTP layer', () => {
  it('a malformed escape with no token is a 400, not the end of the process', async () => {
    const r = await raw(`GET /%E0%A4%A HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`);
    expect(r.status).toBe(400);
    expect(r.text).toContain('malformed %-escape');
    await stillServes();
  });

  it('fuzzed paths and escapes: each gets an answer below 500', async () => {
    const piece = fc.constantFrom('%', '%0', '%ZZ', '%E0%A4%A', '%C0%AF', '%2e%2e', '%2F', '/', '..', 'a', '\\', '?', '#', '%00', '%FF', ';', '@', ':', '//', 'é', '*', '~', 'index.html');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 10 }), fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'), async (parts, method) => {
        const path = '/' + parts.join('');
        const r = await raw(`${method} ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        expect(r.status, `${method} ${path}`).not.toBeNull();
        expect(r.status!, `${method} ${path}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect(logged.filter((l) => l.includes('answered 500'))).toEqual([]);
    await stillServes();
  });

  it('request targets that are not paths are refused with 400', async () => {
    for (const target of ['//', '//evil.example/x', 'http://evil.example/']) {
      const r = await raw(`GET ${target} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`);
      expect(r.status, target).toBe(400);
    }
    await stillServes();
  });

  it('huge headers get 431, garbage gets 400, a partial request 408', async () => {
    const huge = await raw(`GET / HTTP/1.1\r\nHost: ${hostHeader}\r\nX-Pad: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(huge.status).toBe(431);
    const garbage = await raw('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n');
    expect(garbage.status).toBe(400);
    const partial = await raw(`GET / HTTP/1.1\r\nHost: ${hostHeader}\r\nX-Slow: `, 4000);
    expect(partial.status).toBe(408);
    const fuzzHeaders = fc.string({ maxLength: 200 }).map((s) => s.replace(/\r\n\r\n/g, ''));
    await fc.assert(
      fc.asyncProperty(fuzzHeaders, async (junk) => {
        const r = await raw(`GET / HTTP/1.1\r\nHost: ${hostHeader}\r\n${junk}\r\nConnection: close\r\n\r\n`, 3000);
        expect(r.status === null || r.status < 500).toBe(true);
      }),
      { numRuns: 60 },
    );
    await stillServes();
  });

  it('a reused one-time link is refused, and the refusal says what to do', async () => {
    const nonce = new URL(host.newLink()).hash.replace('#bootstrap=', '');
    const post = () =>
      fetch(host.origin + BOOTSTRAP_PATH, { method: 'POST', headers: { Origin: host.origin, 'Content-Type': 'application/json' }, body: JSON.stringify({ nonce }) });
    expect((await post()).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const again = await post();
      expect(again.status).toBe(410);
      expect((await again.json()).error).toMatch(/already used.*restart `npm start` or ask for a new link/i);
    }
    await stillServes();
  });
});

describe('WebSocket layer', () => {
  it('the upgrade checks Host, subprotocol, path and token like the page does', async () => {
    expect((await raw(upgradeRequest(WS_PATH, { Host: 'evil.example:80' }))).status).toBe(421);
    expect((await raw(upgradeRequest(WS_PATH, { Host: '' }))).status).toBe(421);
    const noProto = await raw(upgradeRequest(WS_PATH, { 'Sec-WebSocket-Protocol': `${TOKEN_PROTOCOL_PREFIX}${host.token}` }));
    expect(noProto.status).toBe(400);
    expect(noProto.text).toContain(WS_PROTOCOL);
    expect((await raw(upgradeRequest(WS_PATH, { 'Sec-WebSocket-Protocol': '' }))).status).toBe(400);
    expect((await raw(upgradeRequest('/%ZZ', {}))).status).toBe(404);
    expect((await raw(upgradeRequest('//', {}))).status).toBe(400);
    expect((await raw(upgradeRequest(WS_PATH, { 'Sec-WebSocket-Protocol': WS_PROTOCOL }))).status).toBe(401);
    await expect(open([TOKEN_PROTOCOL_PREFIX + host.token])).rejects.toThrow(/HTTP 400: Offer the WebSocket subprotocol portico\.v1/);
    await expect(open(['other.v2', TOKEN_PROTOCOL_PREFIX + host.token])).rejects.toThrow('HTTP 400');
    // A client that resets during the upgrade does not take the server with it.
    await raw(upgradeRequest(WS_PATH, {}).slice(0, 40), 50);
    await stillServes();
  });

  it('valid JSON that is not an object closes the socket with 1008 and a reason', async () => {
    for (const m of ['null', '1', '"x"', '[]', 'true', '[{"id":1}]']) {
      const ws = await open();
      const r = await exchangeOne(ws, m);
      expect(r.close, m).toEqual({ code: CLOSE.policy, reason: expect.stringMatching(/^Portico: messages must be JSON objects/) });
    }
    const ws = await open();
    expect((await exchangeOne(ws, '{not json')).close).toEqual({ code: CLOSE.policy, reason: 'Portico: messages must be JSON' });
    await stillServes();
  });

  it('fuzzed messages: each is answered with an envelope or closes with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 300 }),
          fc.record({ id: fc.oneof(fc.integer(), fc.string({ maxLength: 100 }), fc.constant(null)), type: fc.constantFrom('invoke', 'event', 1), name: fc.string({ maxLength: 100 }), input: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
        ),
        async (msg) => {
          const ws = await open();
          const r = await exchangeOne(ws, msg);
          if (r.close) {
            expect(r.close.code).toBe(CLOSE.policy);
            expect(r.close.reason).toMatch(/^Portico: /);
          } else {
            expect(r.answer).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.any(String) } });
            expect(JSON.stringify(r.answer).length).toBeLessThan(2000);
            ws.close();
          }
        },
      ),
      { numRuns: 80 },
    );
    await stillServes();
  });

  it('ids are bounded and never echoed at length; a 1 MiB id field is refused in a short message', async () => {
    const ws = await open();
    const r = await exchangeOne(ws, JSON.stringify({ id: 'i'.repeat(1024 * 1024), type: 'invoke', name: 'app.info', input: {} }));
    expect(r.close?.code).toBe(CLOSE.policy);
    expect(r.close?.reason).toContain('at most 64 characters');
    const ws2 = await open();
    const r2 = await exchangeOne(ws2, JSON.stringify({ id: 7, type: 'invoke', name: 'hosts.get', input: { hostId: 'h'.repeat(1024 * 1024) } }));
    expect(r2.answer).toMatchObject({ id: 7, ok: false, error: { code: 'invalid-input', field: 'hostId' } });
    expect(JSON.stringify(r2.answer).length).toBeLessThan(400);
    ws2.close();
  });

  it('an oversized message closes with 1009, a binary one with 1003; the server keeps serving', async () => {
    const ws = await open();
    const big = await exchangeOne(ws, 'x'.repeat(MAX_MESSAGE_BYTES + 1));
    expect(big.close?.code).toBe(CLOSE.tooBig);
    const ws2 = await open();
    const bin = await exchangeOne(ws2, Buffer.from([1, 2, 3]), true);
    expect(bin.close).toEqual({ code: CLOSE.unsupportedData, reason: 'Portico: text messages only' });
    await stillServes();
  });
});
