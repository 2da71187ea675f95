import { afterEach, describe, expect, it } from 'vitest';
import { VdsmClient, maskParams } from './client';
import { VdsmError, VdsmTransportError } from './errors';
import { memoryDouble, type MemoryDouble } from '../../../e2e/doubles/vdsm/memory';
import { RpcFault, type RpcHandler } from '../../../e2e/doubles/vdsm/broker';
import { StompParser } from './stomp';
import { MASK } from '../../../shared/plan';

let clients: VdsmClient[] = [];
afterEach(async () => {
  for (const c of clients) await c.close();
  clients = [];
});

function setup(handler: RpcHandler, opts: Partial<ConstructorParameters<typeof VdsmClient>[0]> = {}): { md: MemoryDouble; client: VdsmClient; logs: string[] } {
  const md = memoryDouble({ handler, minHeartbeatMs: 20 });
  const logs: string[] = [];
  const client = new VdsmClient({
    connect: md.connect,
    label: 'hv1',
    incomingHeartbeatMs: 100,
    outgoingHeartbeatMs: 100,
    retry99: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    reconnect: { attempts: 1, delayMs: 10 },
    log: (l) => logs.push(l),
    ...opts,
  });
  clients.push(client);
  return { md, client, logs };
}

function framesOf(bytes: Buffer[]): { command: string; headers: Record<string, string> }[] {
  const p = new StompParser();
  return p.push(Buffer.concat(bytes)).flatMap((e) => (e.kind === 'frame' ? [e.frame] : []));
}

describe('VdsmClient', () => {
  it('connects with accept-version exactly 1.2, subscribes its own reply-to before the first SEND', async () => {
    const { md, client } = setup(async (r) => (r.method === 'Host.ping2' ? true : { echo: r.params }));
    expect(await client.call('Host.getDeviceList', { storageType: 3 })).toEqual({ echo: { storageType: 3 } });
    const fr = framesOf(md.clientBytes[0]);
    expect(fr[0].command).toBe('CONNECT');
    expect(fr[0].headers['accept-version']).toBe('1.2');
    expect(fr[0].headers['heart-beat']).toBe('100,80');
    const send = fr.findIndex((f) => f.command === 'SEND');
    const replyTo = fr[send].headers['reply-to'];
    const sub = fr.findIndex((f) => f.command === 'SUBSCRIBE' && f.headers.destination === replyTo);
    expect(sub).toBeGreaterThan(0);
    expect(sub).toBeLessThan(send);
    expect(fr.some((f) => f.command === 'SUBSCRIBE' && f.headers.destination === 'jms.queue.events')).toBe(true);
    expect(fr[send].headers.destination).toBe('jms.topic.vdsm_requests');
  });

  it('two clients on one double use different reply destinations and never get each other\'s replies', async () => {
    const md = memoryDouble({ handler: async (r) => r.params, minHeartbeatMs: 20 });
    const a = new VdsmClient({ connect: md.connect, incomingHeartbeatMs: 0, outgoingHeartbeatMs: 0 });
    const b = new VdsmClient({ connect: md.connect, incomingHeartbeatMs: 0, outgoingHeartbeatMs: 0 });
    clients.push(a, b);
    const [ra, rb] = await Promise.all([a.call('Host.echo', { v: 'a' }), b.call('Host.echo', { v: 'b' })]);
    expect(ra).toEqual({ v: 'a' });
    expect(rb).toEqual({ v: 'b' });
    const dests = md.clientBytes.map((bs) => framesOf(bs).find((f) => f.command === 'SEND')!.headers['reply-to']);
    expect(new Set(dests).size).toBe(2);
  });

  it('maps JSON-RPC errors to VdsmError with words and next step', async () => {
    const { client } = setup(async () => {
      throw new RpcFault(476, 'Failed to setup iSCSI subsystem');
    });
    const err = (await client.call('StoragePool.connectStorageServer', {}).catch((e: unknown) => e)) as VdsmError & VdsmTransportError;
    expect(err).toBeInstanceOf(VdsmError);
    expect(err.code).toBe(476);
    expect(err.message).toMatch(/rejected the login CHAP/);
    expect(err.message).toMatch(/Next step/);
  });

  it('retries code 99 with backoff, then succeeds', async () => {
    let n = 0;
    const { client, logs } = setup(async () => {
      if (++n < 3) throw new RpcFault(99, 'Recovering from crash or Initializing');
      return 'ok';
    });
    expect(await client.call('Host.getStats')).toBe('ok');
    expect(n).toBe(3);
    expect(logs.filter((l) => l.includes('code 99') && l.includes('retry')).length).toBe(2);
  });

  it('gives up on 99 after the configured attempts', async () => {
    const { client } = setup(async () => {
      throw new RpcFault(99, 'Recovering');
    });
    await expect(client.call('Host.getStats')).rejects.toMatchObject({ code: 99 });
  });

  it('times out a call per its limit', async () => {
    const { client } = setup(() => new Promise(() => undefined));
    const t0 = Date.now();
    const err = (await client.call('Host.getDeviceList', {}, { timeoutMs: 150 }).catch((e: unknown) => e)) as VdsmError & VdsmTransportError;
    expect(err).toBeInstanceOf(VdsmTransportError);
    expect(err.kind).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(client.timeoutFor('StoragePool.connectStorageServer')).toBeGreaterThan(client.timeoutFor('Host.getDeviceList'));
  });

  it('fails in-flight calls cleanly when the link drops, then reconnects for the next call', async () => {
    let block = true;
    const { md, client } = setup(async () => (block ? new Promise(() => undefined) : 'fine'));
    const p = client.call('StoragePool.connectStorageServer', {});
    await new Promise((r) => setTimeout(r, 50));
    md.broker.dropAll();
    const err = (await p.catch((e: unknown) => e)) as VdsmError & VdsmTransportError;
    expect(err).toBeInstanceOf(VdsmTransportError);
    expect(err.kind).toBe('disconnected');
    expect(err.message).toMatch(/outcome is unknown/);
    block = false;
    expect(await client.call('Host.getStats')).toBe('fine');
    expect(client.connectCount).toBe(2);
  });

  it('declares the link dead when heart-beats stop, and reconnects', async () => {
    const { md, client } = setup(async () => 'ok');
    await client.open();
    const lost = new Promise<string>((r) => client.once('disconnect', r));
    md.broker.heartbeatsPaused = true;
    expect(await lost).toMatch(/heart-beat/);
    md.broker.heartbeatsPaused = false;
    expect(await client.call('Host.getStats')).toBe('ok');
    expect(client.connectCount).toBe(2);
  });

  it('emits VDSM events from jms.queue.events', async () => {
    const { md, client } = setup(async () => 'ok');
    await client.open();
    const ev = new Promise<[string, Record<string, unknown>]>((r) => client.once('event', (m, p) => r([m, p])));
    md.broker.notify('|net|host_conn|no_id', { a: 1 });
    const [m, p] = await ev;
    expect(m).toBe('|net|host_conn|no_id');
    expect(p.a).toBe(1);
    expect(typeof p.notify_time).toBe('number');
  });

  it('logs method calls with passwords masked', async () => {
    const { client, logs } = setup(async () => []);
    await client.call('ISCSIConnection.discoverSendTargets', { host: '10.0.0.1', port: 3260, user: 'u', password: 'Sekr3t-pw' });
    expect(logs.join('\n')).not.toContain('Sekr3t-pw');
    expect(logs.join('\n')).toContain(`"password":"${MASK}"`);
    expect(maskParams({ connectionParams: [{ password: 'x', user: 'y' }] })).toEqual({ connectionParams: [{ password: MASK, user: 'y' }] });
  });

  it('reports a refused STOMP version as a connect error', async () => {
    const md = memoryDouble({ handler: async () => true });
    // A client that would offer a list of versions gets ERROR "Version unsupported".
    const sock = await md.connect();
    const got = new Promise<string>((r) => sock.on('data', (b: Buffer) => r(b.toString())));
    sock.write('CONNECT\naccept-version:1.2,1.1,1.0\n\n\0');
    expect(await got).toMatch(/^ERROR\n[\s\S]*Version unsupported/);
  });

  it('fails open() after reconnect attempts when the transport refuses', async () => {
    const { md, client } = setup(async () => true);
    md.refuse = true;
    await expect(client.open()).rejects.toMatchObject({ kind: 'connect' });
  });
});
