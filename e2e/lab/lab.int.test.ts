// The lab itself: every host answers SSH with the generated keys, tgtd portals answer iscsi-ls,
// libvirtd answers virsh, and the hosts are isolated from each other as real machines are.
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkDown, linkUp } from './faults';
import { hostPath } from './hosts';
import { labSkipReason, requireLab, type LabInfo } from './labinfo';
import { shellQuote, sshRun } from './ssh';
import { run } from './util';

const reason = labSkipReason();

const iqn = (suffix: string) => `iqn.2024-01.lab.portico:test.${suffix}`;

async function newTarget(lab: LabInfo, host: string, tid: number, name: string) {
  const t = String(tid);
  const tgtadm = (...a: string[]) => ['tgtadm', '--lld', 'iscsi', ...a].map(shellQuote).join(' ');
  await sshRun(
    lab,
    host,
    `${tgtadm('--op', 'delete', '--mode', 'target', '--tid', t, '--force')} 2>/dev/null; ` +
      `${tgtadm('--op', 'new', '--mode', 'target', '--tid', t, '-T', name)} && ${tgtadm('--op', 'bind', '--mode', 'target', '--tid', t, '-I', 'ALL')}`,
  );
}

async function deleteTarget(lab: LabInfo, host: string, tid: number) {
  await sshRun(lab, host, ['tgtadm', '--lld', 'iscsi', '--op', 'delete', '--mode', 'target', '--tid', String(tid), '--force'], { allowFail: true });
}

/** iscsi-ls run on the workstation (host = null) or on a lab host over SSH. */
async function iscsiLs(lab: LabInfo, from: string | null, portal: string) {
  const argv = ['timeout', '10', 'iscsi-ls', '-s', `iscsi://${portal}/`];
  return from ? sshRun(lab, from, argv, { allowFail: true }) : run(argv[0], argv.slice(1), { allowFail: true });
}

function ssh2Exec(host: string, port: number, auth: { username: string; password?: string; privateKey?: Buffer }, command: string, stdin?: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        stream.on('data', (d: Buffer) => (stdout += d.toString()));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        stream.on('close', (code: number) => {
          c.end();
          resolve({ code, stdout, stderr });
        });
        if (stdin !== undefined) stream.end(stdin);
        else stream.end();
      });
    });
    c.on('error', reject);
    c.connect({ host, port, ...auth, readyTimeout: 10_000, tryKeyboard: false });
  });
}

describe.skipIf(reason)('lab hosts', () => {
  let lab: LabInfo;
  beforeAll(() => {
    lab = requireLab();
  });

  it('describes every host in lab.json', () => {
    expect(Object.keys(lab.hosts).sort()).toEqual(['fe1', 'hv1', 'hv2', 'stor1', 'stor2']);
    expect(lab.hosts.stor1.addresses).toEqual({ mgmt: '198.51.100.11', a: '203.0.113.11', b: '192.0.2.11' });
    expect(lab.hosts.stor2.addresses.b).toBeNull();
    expect(lab.hosts.fe1.addresses).toEqual({ mgmt: '198.51.100.31', a: null, b: null });
    expect(lab.hosts.stor1.tgt?.portals).toEqual(['203.0.113.11:3260', '192.0.2.11:3260']);
    expect(lab.hosts.hv1.ports.vdsm).toBe(54321);
    expect(lab.hosts.fe1.ports.oned).toBe(2633);
    expect(existsSync(lab.accounts.root.keyPath!)).toBe(true);
    const iqns = new Set(Object.values(lab.hosts).map((h) => h.initiatorIqn));
    expect(iqns.size).toBe(5);
  });

  it('ssh to each host as root with the generated key (strict host key checking)', async () => {
    await Promise.all(
      Object.values(lab.hosts).map(async (h) => {
        const r = await sshRun(lab, h.name, 'hostname; id -un; cat /etc/iscsi/initiatorname.iscsi');
        expect(r.stdout).toContain(`${h.name}\nroot\n`);
        expect(r.stdout).toContain(`InitiatorName=${h.initiatorIqn}`);
      }),
    );
  });

  it('the admin user logs in by key and runs the Portico commands with sudo -n', async () => {
    const r = await sshRun(lab, 'stor1', 'id -un; sudo -n tgtadm --lld iscsi --op show --mode portal; sudo -n df -B1 /srv/portico', { as: 'admin' });
    expect(r.stdout).toMatch(/^padmin\n/);
    expect(r.stdout).toContain('Portal: 203.0.113.11:3260');
    expect(r.stdout).toContain('/srv');
    const denied = await sshRun(lab, 'stor1', 'sudo -n id', { as: 'admin', allowFail: true });
    expect(denied.code).not.toBe(0);
    const virsh = await sshRun(lab, 'hv1', 'sudo -n virsh secret-list', { as: 'admin' });
    expect(virsh.stdout).toContain('UUID');
  });

  it('the password user logs in by password, and sudo asks for that password', async () => {
    const h = lab.hosts.stor1;
    const pw = lab.accounts.password;
    const r = await ssh2Exec(h.ssh.host, h.ssh.port, { username: pw.user, password: pw.password! }, 'id -un');
    expect(r.stdout.trim()).toBe('ppass');
    const noPw = await ssh2Exec(h.ssh.host, h.ssh.port, { username: pw.user, password: pw.password! }, 'sudo -n tgtadm --lld iscsi --op show --mode portal');
    expect(noPw.code).not.toBe(0);
    const withPw = await ssh2Exec(h.ssh.host, h.ssh.port, { username: pw.user, password: pw.password! }, "sudo -S -p '' tgtadm --lld iscsi --op show --mode portal", `${pw.password}\n`);
    expect(withPw.stdout).toContain('Portal: 203.0.113.11:3260');
    await expect(ssh2Exec(h.ssh.host, h.ssh.port, { username: pw.user, password: 'wrong-password' }, 'true')).rejects.toThrow(/authentication/i);
    // root has no password login
    await expect(ssh2Exec(h.ssh.host, h.ssh.port, { username: 'root', password: pw.password! }, 'true')).rejects.toThrow(/authentication/i);
  });

  it('virsh secret-list works on hv1', async () => {
    const r = await sshRun(lab, 'hv1', ['virsh', 'secret-list']);
    expect(r.stdout).toMatch(/UUID\s+Usage/);
  });

  describe('iSCSI portals of stor1', () => {
    const name = iqn('portals');
    beforeAll(async () => newTarget(lab, 'stor1', 41, name));
    afterAll(async () => deleteTarget(lab, 'stor1', 41));

    it('iscsi-ls answers on stor1 A from the workstation, and on A and B from hv1', async () => {
      const a = await iscsiLs(lab, null, lab.hosts.stor1.tgt!.portals[0]);
      expect(a.stdout).toContain(`Target:${name} Portal:203.0.113.11:3260`);
      const hvA = await iscsiLs(lab, 'hv1', '203.0.113.11:3260');
      expect(hvA.stdout).toContain(`Target:${name}`);
      const hvB = await iscsiLs(lab, 'hv1', lab.hosts.stor1.tgt!.portals[1]);
      expect(hvB.stdout).toContain(`Target:${name} Portal:192.0.2.11:3260`);
    });

    it('the workstation is not on storage network B', async () => {
      const b = await iscsiLs(lab, null, '192.0.2.11:3260');
      expect(b.code).not.toBe(0);
      expect(b.stdout).not.toContain(name);
    });
  });
});

describe.skipIf(reason)('lab isolation', () => {
  let lab: LabInfo;
  beforeAll(() => {
    lab = requireLab();
  });

  it('a target created on stor1 is not visible on stor2', async () => {
    const name = iqn('only-on-stor1');
    await newTarget(lab, 'stor1', 42, name);
    try {
      expect((await sshRun(lab, 'stor1', ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout).toContain(name);
      expect((await sshRun(lab, 'stor2', ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout).not.toContain(name);
      expect((await iscsiLs(lab, null, lab.hosts.stor2.tgt!.portals[0])).stdout).not.toContain(name);
      expect((await iscsiLs(lab, null, lab.hosts.stor1.tgt!.portals[0])).stdout).toContain(name);
    } finally {
      await deleteTarget(lab, 'stor1', 42);
    }
  });

  it("with hv1's link on B down, hv1 still reaches stor1's A portal and no longer its B portal", async () => {
    const name = iqn('multipath');
    await newTarget(lab, 'stor1', 43, name);
    const hv1 = lab.hosts.hv1;
    try {
      await linkDown(hv1, 'b');
      const a = await iscsiLs(lab, 'hv1', '203.0.113.11:3260');
      expect(a.stdout).toContain(`Target:${name}`);
      const b = await iscsiLs(lab, 'hv1', '192.0.2.11:3260');
      expect(b.code).not.toBe(0);
      expect(b.stdout).not.toContain(name);
      // hv2 is unaffected
      expect((await iscsiLs(lab, 'hv2', '192.0.2.11:3260')).stdout).toContain(`Target:${name}`);
      await linkUp(hv1, 'b');
      expect((await iscsiLs(lab, 'hv1', '192.0.2.11:3260')).stdout).toContain(`Target:${name}`);
    } finally {
      await linkUp(hv1, 'b');
      await deleteTarget(lab, 'stor1', 43);
    }
  });

  it("each host's /etc/tgt is its own (tgt-admin config on stor1 is not on stor2 nor the workstation)", async () => {
    const conf = '/etc/tgt/conf.d/portico-lab-iso.conf';
    const name = iqn('from-config');
    await sshRun(lab, 'stor1', ['sh', '-c', `cat > ${conf}`], { input: `<target ${name}>\n</target>\n` });
    try {
      await sshRun(lab, 'stor1', ['tgt-admin', '-e']);
      expect((await sshRun(lab, 'stor1', ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout).toContain(name);
      expect((await sshRun(lab, 'stor2', ['ls', '/etc/tgt/conf.d'])).stdout).not.toContain('portico-lab-iso');
      expect(existsSync(conf)).toBe(false);
      expect(existsSync(`${lab.hosts.stor1.etcUpperDir}/tgt/conf.d/portico-lab-iso.conf`)).toBe(true);
      expect((await sshRun(lab, 'stor2', ['tgtadm', '--lld', 'iscsi', '--op', 'show', '--mode', 'target'])).stdout).not.toContain(name);
    } finally {
      await sshRun(lab, 'stor1', ['rm', '-f', conf]);
      await sshRun(lab, 'stor1', ['tgt-admin', '--delete', name, '-f'], { allowFail: true });
    }
  });

  it('each host has its own SSH host key, different from the workstation', async () => {
    const keys = Object.values(lab.hosts).map((h) => h.ssh.hostKey);
    expect(new Set(keys).size).toBe(keys.length);
    await Promise.all(
      Object.values(lab.hosts).map(async (h) => {
        const r = await sshRun(lab, h.name, 'cat /etc/ssh/ssh_host_ed25519_key.pub; ls /etc/ssh | grep -c ssh_host_ || true');
        const [pub, count] = r.stdout.trim().split('\n');
        expect(pub.split(/\s+/).slice(0, 2).join(' ')).toBe(h.ssh.hostKey);
        expect(count).toBe('2');
      }),
    );
    const mine = '/etc/ssh/ssh_host_ed25519_key.pub';
    if (existsSync(mine)) expect(keys).not.toContain(readFileSync(mine, 'utf8').trim().split(/\s+/).slice(0, 2).join(' '));
  });

  it("each hypervisor's libvirt secrets are its own", async () => {
    const uuid = randomUUID();
    const xml = `<secret ephemeral='no' private='yes'><uuid>${uuid}</uuid><usage type='iscsi'><target>portico-lab-${uuid.slice(0, 8)}</target></usage></secret>\n`;
    await sshRun(lab, 'hv1', 'f=$(mktemp) && cat > "$f" && virsh secret-define "$f" && rm -f "$f"', { input: xml });
    try {
      await sshRun(lab, 'hv1', ['virsh', 'secret-set-value', uuid, Buffer.from('s3cret').toString('base64')]);
      expect((await sshRun(lab, 'hv1', ['virsh', 'secret-list'])).stdout).toContain(uuid);
      expect((await sshRun(lab, 'hv2', ['virsh', 'secret-list'])).stdout).not.toContain(uuid);
      expect((await sshRun(lab, 'hv1', ['ls', '/etc/libvirt/secrets'])).stdout).toContain(`${uuid}.xml`);
      expect((await sshRun(lab, 'hv2', ['ls', '/etc/libvirt/secrets'])).stdout).not.toContain(uuid);
      expect(existsSync(`/etc/libvirt/secrets/${uuid}.xml`)).toBe(false);
    } finally {
      await sshRun(lab, 'hv1', ['virsh', 'secret-undefine', uuid], { allowFail: true });
    }
  });

  it('each host has its own /run, /tmp, /home, hostname and storage folder', async () => {
    await sshRun(lab, 'stor1', 'echo stor1 > /tmp/portico-lab-iso && echo x > /srv/portico/portico-lab-iso');
    try {
      expect((await sshRun(lab, 'stor2', 'ls /tmp /srv/portico')).stdout).not.toContain('portico-lab-iso');
      expect(existsSync('/tmp/portico-lab-iso')).toBe(false);
      expect(existsSync(hostPath(lab.hosts.stor1, '/srv/portico/portico-lab-iso'))).toBe(true);
      expect((await sshRun(lab, 'stor2', ['hostname'])).stdout.trim()).toBe('stor2');
      expect((await sshRun(lab, 'hv1', ['getent', 'passwd', 'libvirt-qemu'])).stdout).toContain('libvirt-qemu');
      expect((await run('getent', ['passwd', 'padmin'], { allowFail: true })).stdout).toBe('');
    } finally {
      await sshRun(lab, 'stor1', 'rm -f /tmp/portico-lab-iso /srv/portico/portico-lab-iso');
    }
  });
});
