// Commands over the pooled connection: output capture and streaming, stdin, timeout and cancel (the
// remote process group really stops), channel queueing, one connection for many commands, tunnels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, loadLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { execOnHost } from '../../../e2e/lab/hosts';
import { labHost, labPool, TableResolver, trustedStore } from '../../test-support/labkit';
import type { SshPool } from './pool';

const skip = labSkipReason();
const HOST = 'stor2';

/** Is a process whose command line contains `needle` alive on the lab host? */
async function remoteAlive(lab: LabInfo, needle: string): Promise<boolean> {
  const r = await execOnHost(lab.hosts[HOST], ['pgrep', '-f', needle], { allowFail: true });
  return r.code === 0;
}

describe.skipIf(skip)('remote commands over the pool', () => {
  let lab: LabInfo;
  let pool: SshPool;
  let connects = 0;

  beforeAll(() => {
    lab = loadLab()!;
    const resolver = new TableResolver();
    resolver.set('s', labHost(lab, HOST, 'admin'));
    pool = labPool(resolver, { hostKeys: trustedStore(lab, { s: HOST }), maxChannels: 3 });
    pool.on('state', (s) => {
      if (s.state === 'connecting') connects++;
    });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('streams output lines as they come and returns the whole output', async () => {
    const lines: Array<[string, string]> = [];
    const r = await pool.run('s', ['sh', '-c', 'printf "a\\nb"; printf "x\\n" >&2; sleep 0.2; printf "\\nc ü\\n"'], {
      onLine: (s, l) => lines.push([s, l]),
    });
    expect(r).toMatchObject({ code: 0, stdout: 'a\nb\nc ü\n', stderr: 'x\n' });
    expect(lines.filter(([s]) => s === 'stdout').map(([, l]) => l)).toEqual(['a', 'b', 'c ü']);
    expect(lines).toContainEqual(['stderr', 'x']);
  });

  it('feeds stdin and closes it', async () => {
    const data = 'line1\n$(touch /tmp/nope)\n' + 'z'.repeat(100_000);
    const r = await pool.run('s', ['sha256sum'], { stdin: data });
    const { createHash } = await import('node:crypto');
    expect(r.stdout.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
    // A command that reads stdin gets EOF instead of hanging.
    expect((await pool.run('s', ['cat'], { timeoutMs: 5000 })).stdout).toBe('');
  });

  it('timeout: stops the whole remote process group and says so', async () => {
    const tag = `portico-timeout-${process.pid}`;
    const t0 = Date.now();
    const e = await pool
      .run('s', ['sh', '-c', `sleep 300 & sleep 301; : ${tag}`], { timeoutMs: 700, onLine: () => {} })
      .catch((x) => x);
    expect(e.code).toBe('command-timeout');
    expect(e.message).toMatch(/^sh on stor2 .* did not finish within 0.7 s and was stopped$/);
    expect(Date.now() - t0).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await remoteAlive(lab, tag)).toBe(false);
    expect(await remoteAlive(lab, 'sleep 301')).toBe(false);
  });

  it('cancel: an AbortSignal stops a running command, and one still waiting never starts', async () => {
    const ac = new AbortController();
    const tag = `portico-cancel-${process.pid}`;
    const p = pool.run('s', ['sh', '-c', `sleep 302; : ${tag}`], { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 400));
    expect(await remoteAlive(lab, tag)).toBe(true);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await remoteAlive(lab, tag)).toBe(false);

    const pre = new AbortController();
    pre.abort();
    await expect(pool.run('s', ['true'], { signal: pre.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('sudo commands are stopped too (sudo relays the signal to the root process)', async () => {
    const e = await pool
      .run('s', ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=999999999999'], { sudo: true, timeoutMs: 600 })
      .catch((x) => x);
    expect(e.code).toBe('command-timeout');
    await new Promise((r) => setTimeout(r, 300));
    expect(await remoteAlive(lab, 'count=999999999999')).toBe(false);
  });

  it('queues beyond the channel limit and never exceeds it; all on one connection', async () => {
    const before = connects;
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, pool.channels('s').inUse)), 5);
    const t0 = Date.now();
    const rs = await Promise.all(Array.from({ length: 9 }, (_, i) => pool.run('s', ['sh', '-c', `sleep 0.3; echo ${i}`])));
    clearInterval(watch);
    expect(rs.map((r) => r.stdout.trim())).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
    expect(peak).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // 3 waves of 0.3 s
    expect(pool.channels('s')).toMatchObject({ inUse: 0, queued: 0, limit: 3 });
    expect(connects).toBe(before);
  });

  it('refuses NUL and empty commands before anything goes over the wire', async () => {
    await expect(pool.run('s', ['echo', 'a\0b'])).rejects.toMatchObject({ code: 'invalid-command' });
    await expect(pool.run('s', [])).rejects.toMatchObject({ code: 'invalid-command' });
  });

  it('forwardOut: a TCP stream opened by the host itself (reaches its own loopback)', async () => {
    const sock = await pool.forwardOut('s', '127.0.0.1', 22);
    const banner = await new Promise<string>((resolve, reject) => {
      sock.once('data', (d: Buffer) => resolve(d.toString('latin1')));
      sock.once('error', reject);
    });
    sock.destroy();
    expect(banner).toMatch(/^SSH-2\.0-OpenSSH/);
    await expect(pool.forwardOut('s', '127.0.0.1', 1)).rejects.toMatchObject({ code: 'channel-open-failed' });
    await expect(pool.forwardOut('s', 'bad host;', 1)).rejects.toMatchObject({ code: 'invalid-command' });
  });
});
