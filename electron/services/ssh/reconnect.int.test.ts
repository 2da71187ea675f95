// Faults: sshd killed and restarted mid-command (sessions dropped), port closed, host unreachable.
// Faults go to hv2 (owned by the SSH tests) and are repaired afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, loadLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { findDaemonPids, killAndWait } from '../../../e2e/lab/hosts';
import { startSshd } from '../../../e2e/lab/lab';
import { linkDown, linkUp, restartSshd } from '../../../e2e/lab/faults';
import { labHost, labPool, TableResolver, trustedStore } from '../../test-support/labkit';
import type { ConnectionState } from '../../../shared/domain/host';

const skip = labSkipReason();
const HOST = 'hv2';

describe.skipIf(skip)('connection faults against the lab', () => {
  let lab: LabInfo;
  let resolver: TableResolver;

  beforeAll(() => {
    lab = loadLab()!;
    resolver = new TableResolver();
    resolver.set('h', labHost(lab, HOST, 'admin'));
    resolver.set('closedPort', labHost(lab, HOST, 'admin', { port: 2 }));
  });
  afterAll(async () => {
    const h = lab.hosts[HOST];
    await linkUp(h, 'mgmt').catch(() => undefined);
    if (findDaemonPids(h, '/usr/sbin/sshd', (a) => a.includes('-D')).length === 0) await startSshd(h, h.ssh.host);
  });

  it('sshd killed mid-command: the step fails clearly, the pool reconnects by itself', async () => {
    const h = lab.hosts[HOST];
    const pool = labPool(resolver, { hostKeys: trustedStore(lab, { h: HOST }) });
    const states: ConnectionState[] = [];
    pool.on('state', (s) => states.push(s));
    expect((await pool.run('h', ['true'])).code).toBe(0);

    const running = pool.run('h', ['sleep', '30']).catch((e) => e);
    await new Promise((r) => setTimeout(r, 300));
    // Like `systemctl restart ssh` with KillMode=control-group: listener and sessions go.
    await killAndWait(findDaemonPids(h, '/usr/sbin/sshd'), 5000);
    const e = await running;
    expect(e.code).toBe('connection-lost');
    expect(e.message).toMatch(/connection to hv2 .* was lost while sleep was running/);

    await new Promise((r) => setTimeout(r, 500)); // a retry or two meets a refused port
    await startSshd(h, h.ssh.host);
    await waitForState(pool, 'h', 'connected', 15_000);
    expect((await pool.run('h', ['echo', 'back'])).stdout).toBe('back\n');

    const seq = states.map((s) => s.state);
    expect(seq).toContain('failed');
    const lost = states.find((s) => s.code === 'connection-lost')!;
    expect(lost.reason).toMatch(/lost .* reconnecting in \d+ s/);
    expect(lost.retryAt).toBeGreaterThan(0);
    expect(seq.at(-1)).toBe('connected');
    await pool.close();
  });

  it('sshd restarted the Debian way (sessions kept): the running command finishes, new ones work', async () => {
    const pool = labPool(resolver, { hostKeys: trustedStore(lab, { h: HOST }) });
    const running = pool.run('h', ['sh', '-c', 'sleep 1; echo done']);
    await new Promise((r) => setTimeout(r, 200));
    await restartSshd(lab.hosts[HOST]);
    expect((await running).stdout).toBe('done\n');
    expect((await pool.run('h', ['true'])).code).toBe(0);
    await pool.close();
  });

  it('a closed port says "refused"', async () => {
    const pool = labPool(resolver, { hostKeys: trustedStore(lab, { closedPort: HOST }) });
    const e = await pool.run('closedPort', ['true']).catch((x) => x);
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/connection refused by 198\.51\.100\.\d+:2/);
    expect(pool.state('closedPort')).toMatchObject({ state: 'failed', code: 'refused' });
    await pool.close();
  });

  it('an unreachable host says "timeout" after readyTimeout; a dead link is noticed by keepalive', async () => {
    const h = lab.hosts[HOST];
    const pool = labPool(resolver, { hostKeys: trustedStore(lab, { h: HOST }), readyTimeoutMs: 1500, keepaliveIntervalMs: 300, keepaliveCountMax: 2, reconnect: { maxAttempts: 0 } });
    expect((await pool.run('h', ['true'])).code).toBe(0);
    await linkDown(h, 'mgmt');
    try {
      // The open connection: keepalives go unanswered, the running command fails as lost.
      const e1 = await pool.run('h', ['sleep', '20']).catch((x) => x);
      expect(e1.code).toBe('connection-lost');
      // A new connection: no answer → timeout.
      const e2 = await pool.run('h', ['true']).catch((x) => x);
      expect(e2.code).toBe('timeout');
      expect(e2.message).toMatch(/no answer from .* in time/);
    } finally {
      await linkUp(h, 'mgmt');
    }
    expect((await pool.run('h', ['true'])).code).toBe(0);
    await pool.close();
  });
});

function waitForState(pool: import('./pool').SshPool, id: string, want: ConnectionState['state'], ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pool.state(id).state === want) return resolve();
    const t = setTimeout(() => reject(new Error(`state ${want} not reached; now ${JSON.stringify(pool.state(id))}`)), ms);
    pool.on('state', function on(s) {
      if (s.hostId === id && s.state === want) {
        clearTimeout(t);
        pool.off('state', on);
        resolve();
      }
    });
  });
}
