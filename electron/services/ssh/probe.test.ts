import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { availability, parseProbeOutput, PROBE_SCRIPT, ProbeParseError } from './probe';

const SAMPLE = `@@portico-probe 1
@@os-release
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
@@kernel
Linux 6.1.0-18-amd64
@@user
admin 1001
@@sudo
nopasswd
@@tools
tgtadm /usr/sbin/tgtadm
tgt-admin /usr/sbin/tgt-admin
targetcli -
iscsiadm -
iscsi-ls /usr/bin/iscsi-ls
virsh -
vdsm-client -
onedatastore -
multipath -
bogus /bin/bogus
@@services
tgtd running
libvirtd stopped
vdsmd stopped
@@initiator
## DO NOT EDIT
InitiatorName=iqn.2026-01.lab.portico:stor1
@@links
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
7: eth0@if8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0
9: eth1@if10: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0
@@addrs
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
7: eth0    inet 198.51.100.11/24 brd 198.51.100.255 scope global eth0\\       valid_lft forever preferred_lft forever
7: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever
@@end
`;

describe('parseProbeOutput', () => {
  it('parses every section', () => {
    const c = parseProbeOutput(SAMPLE);
    expect(c.os).toEqual({ id: 'debian', name: 'Debian GNU/Linux', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: 'Linux 6.1.0-18-amd64' });
    expect(c.user).toEqual({ name: 'admin', uid: 1001 });
    expect(c.sudo).toBe('nopasswd');
    expect(c.tools.tgtadm).toBe('/usr/sbin/tgtadm');
    expect(c.tools.targetcli).toBeNull();
    expect(Object.keys(c.tools)).not.toContain('bogus');
    expect(c.services).toEqual({ tgtd: 'running', libvirtd: 'stopped', vdsmd: 'stopped' });
    expect(c.initiatorName).toBe('iqn.2026-01.lab.portico:stor1');
    expect(c.interfaces).toEqual([
      { name: 'lo', up: true, addresses: [{ family: 'inet', address: '127.0.0.1', prefix: 8 }] },
      {
        name: 'eth0',
        up: true,
        addresses: [
          { family: 'inet', address: '198.51.100.11', prefix: 24 },
          { family: 'inet6', address: 'fe80::1', prefix: 64 },
        ],
      },
      { name: 'eth1', up: false, addresses: [] },
    ]);
  });

  it('refuses truncated output', () => {
    expect(() => parseProbeOutput(SAMPLE.replace('@@end\n', ''))).toThrow(ProbeParseError);
    expect(() => parseProbeOutput('')).toThrow(ProbeParseError);
  });

  it('tolerates missing sections', () => {
    const c = parseProbeOutput('@@portico-probe 1\n@@end\n');
    expect(c.os.id).toBeNull();
    expect(c.sudo).toBe('absent');
    expect(c.initiatorName).toBeNull();
    expect(c.interfaces).toEqual([]);
  });

  it('the real script runs under sh here and parses', () => {
    const out = execFileSync('/bin/sh', ['-s'], { input: PROBE_SCRIPT }).toString();
    const c = parseProbeOutput(out);
    expect(c.user.uid).toBe(process.getuid?.());
    expect(c.interfaces.some((i) => i.name === 'lo')).toBe(true);
    expect(c.os.kernel).toMatch(/^Linux /);
  });

  it('the script holds no user-supplied value: it is a constant', () => {
    expect(PROBE_SCRIPT).not.toMatch(/\$\{(?!PATH)/);
  });
});

describe('availability', () => {
  const c = parseProbeOutput(SAMPLE);
  it('offers what is installed and running', () => {
    expect(availability(c, 'tgt-target')).toEqual({ available: true, reasons: [] });
  });
  it('says why something is not available', () => {
    const v = availability(c, 'libvirt-secret');
    expect(v.available).toBe(false);
    expect(v.reasons.join(' ')).toMatch(/virsh is not installed.*libvirtd is not running/);
    expect(availability({ ...c, sudo: 'password-required' }, 'tgt-target').reasons.join()).toMatch(/NOPASSWD/);
    expect(availability({ ...c, initiatorName: null }, 'iscsi-initiator').reasons.join()).toMatch(/iscsiadm.*|initiator name/);
  });
});
