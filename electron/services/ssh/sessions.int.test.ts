// A server allowing fewer sessions per connection than the pool's default (MaxSessions 3 < 8): channel
// opens beyond it are refused, the pool lowers its limit for that connection, queues, and every command
// still runs. Uses a second sshd started inside hv2 on port 2222 with its own config, stopped afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { labSkipReason, loadLab, type LabInfo } from '../../../e2e/lab/labinfo';
import { hostPath, startOnHost, type LabProcess } from '../../../e2e/lab/hosts';
import { tcpOpen, waitFor } from '../../../e2e/lab/util';
import { describeKey, MemoryHostKeyStore } from './hostkeys';
import { labHost, labPool, TableResolver } from '../../test-support/labkit';

const skip = labSkipReason();
const HOST = 'hv2';
const PORT = 2222;

describe.skipIf(skip)('server session limit below ours', () => {
  let lab: LabInfo;
  let sshd: LabProcess | null = null;
  const dir = `/tmp/portico-maxsessions-${process.pid}`;

  beforeAll(async () => {
    lab = loadLab()!;
    const h = lab.hosts[HOST];
    const local = hostPath(h, dir);
    mkdirSync(local, { recursive: true });
    chmodSync(local, 0o700);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${local}/hostkey`]);
    writeFileSync(
      `${local}/sshd_config`,
      [
        `Port ${PORT}`,
        `ListenAddress ${h.ssh.host}`,
        `HostKey ${dir}/hostkey`,
        'PidFile none',
        'AuthorizedKeysFile /etc/ssh/authorized_keys/%u',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes yes',
        'UseDNS no',
        'MaxSessions 3',
        '',
      ].join('\n'),
    );
    sshd = startOnHost(h, ['/usr/sbin/sshd', '-D', '-e', '-f', `${dir}/sshd_config`]);
    await sshd.ready(() => tcpOpen(h.ssh.host, PORT, 300), 10_000);
  });
  afterAll(async () => {
    await sshd?.stop();
    if (lab) rmSync(hostPath(lab.hosts[HOST], dir), { recursive: true, force: true });
  });

  it('12 concurrent commands all succeed; the limit drops to what the server allows', async () => {
    const h = lab.hosts[HOST];
    const store = new MemoryHostKeyStore();
    const pub = readFileSync(`${hostPath(h, dir)}/hostkey.pub`, 'utf8').split(' ')[1];
    store.set('m', describeKey(Buffer.from(pub, 'base64')));
    const r = new TableResolver();
    r.set('m', labHost(lab, HOST, 'admin', { port: PORT }));
    const pool = labPool(r, { hostKeys: store }); // default maxChannels 8
    expect(pool.channels('m').limit).toBe(8);
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => pool.run('m', ['sh', '-c', `sleep 0.3; echo ${i}`])));
    expect(rs.map((x) => Number(x.stdout))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(pool.channels('m').limit).toBeLessThanOrEqual(3);
    await waitFor('idle channels', () => pool.channels('m').inUse === 0, 2000);
    await pool.close();
  });
});
