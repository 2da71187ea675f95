// The in-use check of an existing block device: lsblk's JSON (recorded outputs as fixtures: real
// ones from this machine's util-linux 2.38, and the shapes a server with partitions, LVM, RAID and
// swap gives) and the typed-confirmation rule.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inUseFindings, inUseVerdict, parseLsblk } from './lsblk';

const fx = (n: string) => readFileSync(join(__dirname, 'fixtures', 'lsblk', n), 'utf8');

describe('lsblk in-use check', () => {
  it('a free device (no mount, no signature, nothing on it): no finding, no danger', () => {
    const [d] = parseLsblk(fx('loop-free.json'));
    expect(d).toEqual({ name: 'loop0', path: '/dev/loop0', type: 'loop', fstype: null, mountpoints: [], children: [] });
    expect(inUseFindings(d)).toEqual([]);
    expect(inUseVerdict(d.path, [], undefined, 'LUN 1 backing', 'stor1')).toEqual({ ok: true, danger: null });
  });

  it('a mounted filesystem, its signature found by blkid where lsblk has no udev data', () => {
    const [d] = parseLsblk(`${fx('loop-mounted.json')}\x1e\n/dev/loop0\text4\n`);
    expect(inUseFindings(d)).toEqual(['loop0 is mounted on /tmp/fdtest/mnt', 'loop0 holds a ext4 filesystem']);
  });

  it('the system disk (mounted on /)', () => {
    const [d] = parseLsblk(fx('system-disk.json'));
    expect(inUseFindings(d)).toEqual(['vda is mounted on /run/netns', 'vda is mounted on /']);
  });

  it('a whole disk with partitions, one mounted, one an LVM PV under a mounted LV', () => {
    const [d] = parseLsblk(fx('disk-partitions-lvm.json'));
    expect(inUseFindings(d)).toEqual([
      'sdb has partitions (sdb1, sdb2)',
      'sdb1 is mounted on /srv', 'sdb1 holds a ext4 filesystem',
      'sdb2 holds an LVM physical volume (LVM2_member)', 'sdb2 is held by vg0-data (lvm)',
      'vg0-data is mounted on /var/lib/data', 'vg0-data holds a xfs filesystem',
    ]);
  });

  it('a RAID member held by md0, which is swap', () => {
    const [d] = parseLsblk(fx('raid-member-swap.json'));
    expect(inUseFindings(d)).toEqual(['sdc holds a software RAID member (linux_raid_member)', 'sdc is held by md0 (raid1)', 'md0 is in use as swap']);
  });

  it('util-linux before 2.37 (MOUNTPOINT, one string)', () => {
    const [d] = parseLsblk('{"blockdevices":[{"name":"sdd","path":"/dev/sdd","type":"disk","fstype":"zfs_member","mountpoint":null}]}');
    expect(inUseFindings(d)).toEqual(['sdd holds a ZFS pool member (zfs_member)']);
  });

  it('refuses an in-use device unless its path is typed; confirmed, it is a danger; unchecked counts as in use', () => {
    const found = ['sdb1 is mounted on /srv'];
    const no = inUseVerdict('/dev/sdb1', found, undefined, 'LUN 1 backing', 'stor1');
    expect(no).toEqual({ ok: false, error: 'LUN 1 backing: sdb1 is mounted on /srv on stor1; exporting it read-write would corrupt it under its user. Type /dev/sdb1 in "Confirm the device in use" (confirmInUse) to export it anyway.' });
    expect(inUseVerdict('/dev/sdb1', found, '/dev/sdb', 'LUN 1 backing', 'stor1').ok).toBe(false);
    const yes = inUseVerdict('/dev/sdb1', found, '/dev/sdb1', 'LUN 1 backing', 'stor1');
    expect(yes).toMatchObject({ ok: true, danger: expect.stringMatching(/^\/dev\/sdb1 on stor1 is in use \(sdb1 is mounted on \/srv\) and is exported anyway/) });
    expect(inUseVerdict('/dev/sdx', { unchecked: 'lsblk: not found' }, undefined, 'LUN 2 backing', 'stor1')).toMatchObject({ ok: false, error: expect.stringContaining('it could not be checked (lsblk: not found)') });
  });

  it('refuses output that is not lsblk JSON', () => {
    expect(() => parseLsblk('lsblk: /dev/nope: not a block device')).toThrow(/not JSON/);
    expect(() => parseLsblk('{}')).toThrow(/blockdevices/);
  });
});
