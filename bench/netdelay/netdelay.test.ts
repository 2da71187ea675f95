// The latency relay behind the fan-out bench: bytes arrive intact and in order, no sooner than the
// configured delay (handshake included), and a close travels through. Lower bounds only.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelayRelay, type DelayRelay } from './index';

const ONE_WAY_MS = 25;

describe('netdelay relay', () => {
  let echo: net.Server;
  let relay: DelayRelay;
  let port = 0;

  beforeAll(async () => {
    echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const target = (echo.address() as net.AddressInfo).port;
    // A free listen port for the relay: bind one, release it, hand it over.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    relay = await startDelayRelay({ oneWayUs: ONE_WAY_MS * 1000, listenBase: port, targetBase: target, count: 1 });
  });

  afterAll(async () => {
    relay?.stop();
    await new Promise((r) => echo.close(r));
  });

  it('charges the handshake, then a round trip per exchange, and keeps every byte in order', async () => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
    const got: Buffer[] = [];
    let total = 0;
    const waitFor = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => total >= n && (s.off('data', onData), resolve());
        const onData = (c: Buffer) => {
          got.push(c);
          total += c.length;
          check();
        };
        s.on('data', onData);
        check();
      });
    await new Promise((r) => s.once('connect', r));
    let t0 = performance.now();
    s.write('x');
    await waitFor(1);
    // SYN + SYN-ACK + data + echo: four one-way trips
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4 * ONE_WAY_MS - 1);
    t0 = performance.now();
    s.write('y');
    await waitFor(2);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2 * ONE_WAY_MS - 1);
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    s.write(big);
    await waitFor(2 + big.length);
    expect(Buffer.concat(got).equals(Buffer.concat([Buffer.from('xy'), big]))).toBe(true);
    const ended = new Promise((r) => s.once('end', r));
    s.end();
    await ended; // the echo server's end came back through the relay
    s.destroy();
  });

  it('a refused upstream shows as a reset, not a hang', async () => {
    const deadRelay = await startDelayRelay({ oneWayUs: 1000, listenBase: port + 1, targetBase: 1, count: 1 });
    try {
      const s = net.connect({ host: '127.0.0.1', port: port + 1 });
      s.on('connect', () => s.write('hello'));
      const outcome = await new Promise<string>((r) => {
        s.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
        s.once('close', () => r('closed'));
      });
      expect(['ECONNRESET', 'closed', 'EPIPE']).toContain(outcome);
    } finally {
      deadRelay.stop();
    }
  });
});
