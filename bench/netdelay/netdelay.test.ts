// The latency relay behind the fan-out bench: bytes arrive intact and in order, no sooner than the
// configured delay (handshake included), no later than it plus a generous slack (a median of many
// round trips, so one scheduling hiccup on a loaded machine does not fail it), and a close travels
// through. The binary is built in the user's private 0700 folder.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { median } from '../compare';
import { relayBinary, startDelayRelay, type DelayRelay } from './index';

async function freePort(): Promise<number> {
  // Bind one, release it, hand it over.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}

/** A relay on a free port; another process may take the port between probe and bind, so retry. */
async function relayOnFreePort(oneWayUs: number, targetBase: number): Promise<DelayRelay> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDelayRelay({ oneWayUs, listenBase: await freePort(), targetBase, count: 1 });
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
}

const ONE_WAY_MS = 25;

describe('netdelay relay', () => {
  let echo: net.Server;
  let relay: DelayRelay;
  let port = 0;
  let target = 0;

  beforeAll(async () => {
    echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    target = (echo.address() as net.AddressInfo).port;
    relay = await relayOnFreePort(ONE_WAY_MS * 1000, target);
    port = relay.listenBase;
  });

  afterAll(async () => {
    relay?.stop();
    await new Promise((r) => echo.close(r));
  });

  it('charges the handshake, then a round trip per exchange, and keeps every byte in order', async () => {
    // t0 before connecting: the relay charges the handshake from its accept, which is later, so
    // the bound holds however late this process sees its own 'connect' on a loaded machine.
    let t0 = performance.now();
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
    s.write('x'); // queued until connected
    await new Promise((r) => s.once('connect', r));
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
    const deadRelay = await relayOnFreePort(1000, 1);
    try {
      const s = net.connect({ host: '127.0.0.1', port: deadRelay.listenBase });
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

  it('adds the configured delay and not much more: 5 ms each way is a 10 ms round trip', async () => {
    const oneWayMs = 5;
    // Slack for a loaded 2-core machine (timer wake-ups, Node's event loop, the echo server);
    // well under what one extra one-way trip per direction (+10 ms) would add.
    const slackMs = 8;
    const r5 = await relayOnFreePort(oneWayMs * 1000, target);
    const t0 = performance.now();
    const s = net.connect({ host: '127.0.0.1', port: r5.listenBase, noDelay: true });
    try {
      const firstBack = new Promise((r) => s.once('data', r));
      s.write('p'); // queued until connected
      await firstBack;
      const first = performance.now() - t0; // handshake (SYN, SYN-ACK) + data + echo
      const roundTrip = async () => {
        const t0 = performance.now();
        const back = new Promise((r) => s.once('data', r));
        s.write('p');
        await back;
        return performance.now() - t0;
      };
      const rtts: number[] = [];
      for (let i = 0; i < 21; i++) rtts.push(await roundTrip());
      expect(first).toBeGreaterThanOrEqual(4 * oneWayMs - 1);
      expect(Math.min(...rtts)).toBeGreaterThanOrEqual(2 * oneWayMs - 0.5);
      expect(median(rtts)).toBeLessThan(2 * oneWayMs + slackMs);
    } finally {
      s.destroy();
      r5.stop();
    }
  });

  it('builds the relay in a private 0700 folder of this user, not a shared /tmp path', () => {
    const bin = relayBinary();
    const dir = statSync(dirname(bin));
    expect(dir.mode & 0o777).toBe(0o700);
    expect(dir.uid).toBe(process.getuid!());
    expect(bin.startsWith('/tmp/')).toBe(false);
    expect(statSync(bin).uid).toBe(process.getuid!());
  });
});
