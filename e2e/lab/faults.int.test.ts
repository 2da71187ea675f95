// Each fault helper, exercised against the real daemons; every test repairs what it broke.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  changeHostKey,
  currentHostKey,
  fillStorage,
  freeStorage,
  linkDown,
  linkIsUp,
  linkUp,
  restartSshd,
  restoreHostKey,
  startTgtd,
  stopTgtd,
  storageFree,
  tgtdRunning,
} from './faults';
import { hostPath, startOnHost } from './hosts';
import { sshdPids } from './lab';
import { labSkipReason, requireLab, type LabInfo } from './labinfo';
import { sshRun } from './ssh';
import { run, tcpOpen } from './util';

const reason = labSkipReason();

const iscsiLs = (portal: string) => run('timeout', ['4', 'iscsi-ls', '-s', `iscsi://${portal}/`], { allowFail: true });

describe.skipIf(reason)('lab faults', () => {
  let lab: LabInfo;
  beforeAll(() => {
    lab = requireLab();
  });

  it('linkDown/linkUp on network A cuts and restores a storage server', async () => {
    const stor2 = lab.hosts.stor2;
    const tid = ['tgtadm', '--lld', 'iscsi', '--op', 'new', '--mode', 'target', '--tid', '51', '-T', 'iqn.2024-01.lab.portico:test.link-a'];
    await sshRun(lab, 'stor2', `${tid.join(' ')} && tgtadm --lld iscsi --op bind --mode target --tid 51 -I ALL`);
    try {
      expect((await iscsiLs(stor2.tgt!.portals[0])).stdout).toContain('test.link-a');
      await linkDown(stor2, 'a');
      expect(await linkIsUp(stor2, 'a')).toBe(false);
      const cut = await iscsiLs(stor2.tgt!.portals[0]);
      expect(cut.code).not.toBe(0);
      // management still works
      expect((await sshRun(lab, 'stor2', ['hostname'])).stdout.trim()).toBe('stor2');
      await linkUp(stor2, 'a');
      expect(await linkIsUp(stor2, 'a')).toBe(true);
      expect((await iscsiLs(stor2.tgt!.portals[0])).stdout).toContain('test.link-a');
    } finally {
      await linkUp(stor2, 'a');
      await sshRun(lab, 'stor2', 'tgtadm --lld iscsi --op delete --mode target --tid 51 --force', { allowFail: true });
    }
  });

  it('linkDown/linkUp on network B', async () => {
    const stor1 = lab.hosts.stor1;
    const ls = () => sshRun(lab, 'hv2', ['timeout', '4', 'iscsi-ls', 'iscsi://192.0.2.11:3260/'], { allowFail: true });
    await sshRun(lab, 'stor1', 'tgtadm --lld iscsi --op new --mode target --tid 53 -T iqn.2024-01.lab.portico:test.link-b && tgtadm --lld iscsi --op bind --mode target --tid 53 -I ALL');
    try {
      expect((await ls()).stdout).toContain('test.link-b');
      await linkDown(stor1, 'b');
      expect(await linkIsUp(stor1, 'b')).toBe(false);
      const cut = await ls();
      expect(cut.code).not.toBe(0);
      expect(cut.stdout).not.toContain('test.link-b');
      await linkUp(stor1, 'b');
      expect((await ls()).stdout).toContain('test.link-b');
    } finally {
      await linkUp(stor1, 'b');
      await sshRun(lab, 'stor1', 'tgtadm --lld iscsi --op delete --mode target --tid 53 --force', { allowFail: true });
    }
  });

  it('stopTgtd/startTgtd: targets from /etc/tgt/conf.d come back, runtime-only targets are gone', async () => {
    const stor1 = lab.hosts.stor1;
    const conf = '/etc/tgt/conf.d/portico-lab-fault.conf';
    await sshRun(lab, 'stor1', `cat > ${conf} && tgt-admin -e && tgtadm --lld iscsi --op new --mode target --tid 52 -T iqn.2024-01.lab.portico:test.runtime-only`, {
      input: '<target iqn.2024-01.lab.portico:test.persistent>\n</target>\n',
    });
    try {
      const before = await iscsiLs(stor1.tgt!.portals[0]);
      expect(before.stdout).toContain('test.persistent');
      await stopTgtd(stor1);
      expect(tgtdRunning(stor1)).toBe(false);
      expect((await iscsiLs(stor1.tgt!.portals[0])).code).not.toBe(0);
      expect((await sshRun(lab, 'stor1', 'tgtadm --lld iscsi --op show --mode target', { allowFail: true })).code).not.toBe(0);
      await stopTgtd(stor1); // idempotent
      await startTgtd(stor1);
      expect(tgtdRunning(stor1)).toBe(true);
      const show = (await sshRun(lab, 'stor1', 'tgtadm --lld iscsi --op show --mode target; tgtadm --lld iscsi --op show --mode portal')).stdout;
      expect(show).toContain('test.persistent');
      expect(show).not.toContain('test.runtime-only');
      expect(show).toContain('Portal: 192.0.2.11:3260');
      expect((await iscsiLs(stor1.tgt!.portals[0])).stdout).toContain('test.persistent');
    } finally {
      if (!tgtdRunning(stor1)) await startTgtd(stor1);
      await sshRun(lab, 'stor1', `rm -f ${conf}; tgt-admin --delete iqn.2024-01.lab.portico:test.persistent -f; tgtadm --lld iscsi --op delete --mode target --tid 52 --force`, { allowFail: true });
    }
  });

  it('restartSshd replaces the listener and keeps accepting the lab key', async () => {
    const hv2 = lab.hosts.hv2;
    const { oldPids, newPid } = await restartSshd(hv2);
    expect(oldPids.length).toBe(1);
    expect(oldPids).not.toContain(newPid);
    expect(sshdPids(hv2)).toEqual([newPid]);
    expect((await sshRun(lab, 'hv2', ['hostname'])).stdout.trim()).toBe('hv2');
  });

  it('changeHostKey makes strict host key checking fail; restoreHostKey repairs it', async () => {
    const fe1 = lab.hosts.fe1;
    const tmp = mkdtempSync(join(tmpdir(), 'portico-lab-kh-'));
    try {
      const changed = await changeHostKey(fe1);
      expect(changed.hostKey).not.toBe(fe1.ssh.hostKey);
      expect(currentHostKey(fe1)).toBe(changed.hostKey);
      const refused = await sshRun(lab, 'fe1', ['true'], { allowFail: true });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/host key|HOST IDENTIFICATION/i);
      // a client that learns the new key gets in
      const kh = join(tmp, 'known_hosts');
      writeFileSync(kh, `${fe1.ssh.host} ${changed.hostKey}\n`);
      expect((await sshRun(lab, 'fe1', ['hostname'], { knownHosts: kh })).stdout.trim()).toBe('fe1');
      await restoreHostKey(fe1);
      expect(currentHostKey(fe1)).toBe(fe1.ssh.hostKey);
      expect((await sshRun(lab, 'fe1', ['hostname'])).stdout.trim()).toBe('fe1');
    } finally {
      await restoreHostKey(fe1);
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('fillStorage leaves no space in the storage folder; freeStorage gives it back', async () => {
    const stor2 = lab.hosts.stor2;
    const dir = stor2.storageDir!;
    try {
      const free0 = storageFree(stor2);
      expect(free0).toBeGreaterThan(64 * 1024 * 1024);
      const { bytes } = await fillStorage(stor2);
      expect(bytes).toBeGreaterThan(0);
      expect(storageFree(stor2)).toBeLessThan(64 * 1024);
      const df = await sshRun(lab, 'stor2', ['df', '-B1', '--output=avail', dir]);
      expect(Number(df.stdout.trim().split('\n').pop())).toBeLessThan(64 * 1024);
      const write = await sshRun(lab, 'stor2', `dd if=/dev/zero of=${dir}/lun1.img bs=1M count=4 2>&1`, { allowFail: true });
      expect(write.code).not.toBe(0);
      expect(write.stdout).toMatch(/No space left/);
      // sparse files still work when the folder is full
      await sshRun(lab, 'stor2', ['truncate', '-s', '10G', `${dir}/sparse.img`]);
      await freeStorage(stor2);
      expect(storageFree(stor2)).toBeGreaterThan(free0 - 8 * 1024 * 1024);
      expect((await sshRun(lab, 'stor2', `dd if=/dev/zero of=${dir}/lun1.img bs=1M count=4 2>&1`)).code).toBe(0);
      // leaving some room
      const some = 8 * 1024 * 1024;
      await fillStorage(stor2, some);
      const left = storageFree(stor2);
      expect(left).toBeGreaterThanOrEqual(some - 8192);
      expect(left).toBeLessThan(some + 1024 * 1024);
    } finally {
      await freeStorage(stor2);
      await sshRun(lab, 'stor2', ['rm', '-f', `${dir}/lun1.img`, `${dir}/sparse.img`], { allowFail: true });
    }
  });
});

describe.skipIf(reason)('startOnHost', () => {
  let lab: LabInfo;
  beforeAll(() => {
    lab = requireLab();
  });

  it('runs a process inside a host: its address, its hostname, its /etc; stop() ends it', async () => {
    const fe1 = lab.hosts.fe1;
    const port = fe1.ports.oned;
    const script = `
      const net = require('node:net');
      const os = require('node:os');
      const fs = require('node:fs');
      const s = net.createServer((c) => c.end(os.hostname() + ' ' + fs.readFileSync('/etc/iscsi/initiatorname.iscsi', 'utf8').trim().split('=').pop() + ' ' + process.env.PORTICO_TEST_ENV + '\\n'));
      s.listen(${port}, process.argv[1], () => console.log('listening'));
    `;
    const p = startOnHost(fe1, [process.execPath, '-e', script, fe1.addresses.mgmt!], { env: { PORTICO_TEST_ENV: 'env-ok' } });
    try {
      await p.ready(() => tcpOpen(fe1.addresses.mgmt!, port, 500));
      const reply = await new Promise<string>((resolve, reject) => {
        const c = connect({ host: fe1.addresses.mgmt!, port });
        let data = '';
        c.on('data', (d: Buffer) => (data += d.toString()));
        c.on('end', () => resolve(data));
        c.on('error', reject);
      });
      expect(reply.trim()).toBe(`fe1 ${fe1.initiatorIqn} env-ok`);
      // not listening in the workstation's namespace
      expect(await tcpOpen('127.0.0.1', port, 300)).toBe(false);
      // reachable from another host over the management network
      const fromHv1 = await sshRun(lab, 'hv1', ['timeout', '5', 'bash', '-c', `exec 3<>/dev/tcp/${fe1.addresses.mgmt}/${port} && cat <&3`]);
      expect(fromHv1.stdout).toContain('fe1');
    } finally {
      await p.stop();
    }
    expect(await p.exited).not.toBe(0);
    expect(await tcpOpen(fe1.addresses.mgmt!, port, 300)).toBe(false);
    expect(hostPath(fe1, '/etc')).toContain(String(fe1.anchorPid));
  });
});
