// Is an existing block device in use on the storage server? Read with `lsblk -J -b` (util-linux
// 2.37+ has MOUNTPOINTS, every mount of a device; older ones MOUNTPOINT) plus `blkid -p` for the
// signature (lsblk's FSTYPE comes from udev's database and is empty where udev does not run).
// lsblk's tree puts on each device what sits on top of it: partitions, and holders (dm/LVM, md,
// crypt). A device is in use when it or anything on it is mounted or swap, carries a signature
// (a filesystem, an LVM PV, a RAID or ZFS member), has partitions, or is held by another device.
// Exporting it read-write would corrupt it under its user: refused unless the admin types the
// device path as confirmation, and then it is a danger in the plan.

/** Columns Debian's util-linux (2.36 in bullseye, 2.38 in bookworm) has; MOUNTPOINTS needs 2.37. */
export const LSBLK_COLUMNS = 'NAME,KNAME,PATH,TYPE,FSTYPE,MOUNTPOINTS,PKNAME,SIZE,RO';

/**
 * Args: device paths. Output: lsblk's JSON, then \x1e, then per device of the trees "PATH\tTYPE"
 * from blkid's low-level probe (TYPE empty = no signature). Falls back to MOUNTPOINT on an
 * util-linux without MOUNTPOINTS.
 */
export const LSBLK_SCRIPT = `cols=${LSBLK_COLUMNS}
out=$(lsblk -J -b -o "$cols" -- "$@" 2>&1) || { case $out in *"unknown column"*) out=$(lsblk -J -b -o "\${cols/MOUNTPOINTS/MOUNTPOINT}" -- "$@" 2>&1) || { echo "$out" >&2; exit 3; } ;; *) echo "$out" >&2; exit 3 ;; esac; }
printf '%s\\n\\036\\n' "$out"
for p in $(lsblk -lnp -o PATH -- "$@" 2>/dev/null); do printf '%s\\t%s\\n' "$p" "$(blkid -p -s TYPE -o value -- "$p" 2>/dev/null)"; done`;

export interface BlockDevice {
  name: string;
  path: string;
  type: string;
  fstype: string | null;
  mountpoints: string[];
  children: BlockDevice[];
}

interface RawDevice {
  name?: unknown; kname?: unknown; path?: unknown; type?: unknown; fstype?: unknown;
  mountpoints?: unknown; mountpoint?: unknown; children?: unknown;
}

function toDevice(r: RawDevice, probed: ReadonlyMap<string, string>): BlockDevice {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const name = str(r.name) ?? str(r.kname) ?? '?';
  const path = str(r.path) ?? `/dev/${name}`;
  const mounts = Array.isArray(r.mountpoints) ? r.mountpoints : [r.mountpoint];
  return {
    name,
    path,
    type: str(r.type) ?? 'unknown',
    fstype: str(r.fstype) ?? (probed.get(path) || null),
    mountpoints: mounts.filter((m): m is string => typeof m === 'string' && m !== ''),
    children: Array.isArray(r.children) ? (r.children as RawDevice[]).map((c) => toDevice(c, probed)) : [],
  };
}

/** Parses lsblk -J (optionally followed by \x1e and the blkid lines of LSBLK_SCRIPT). Throws on output that is not lsblk's JSON. */
export function parseLsblk(text: string): BlockDevice[] {
  const [json, probes = ''] = text.split('\x1e');
  const probed = new Map<string, string>();
  for (const l of probes.split('\n')) {
    const [p, t] = l.split('\t');
    if (p && t) probed.set(p, t.trim());
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new Error(`lsblk's output is not JSON: ${json.trim().slice(0, 120)}`);
  }
  const list = (doc as { blockdevices?: unknown }).blockdevices;
  if (!Array.isArray(list)) throw new Error('lsblk\'s output has no "blockdevices" list');
  return (list as RawDevice[]).map((r) => toDevice(r, probed));
}

const SIGNATURES: Record<string, string> = {
  LVM2_member: 'an LVM physical volume (LVM2_member)',
  linux_raid_member: 'a software RAID member (linux_raid_member)',
  zfs_member: 'a ZFS pool member (zfs_member)',
  crypto_LUKS: 'a LUKS-encrypted volume (crypto_LUKS)',
  swap: 'swap space',
  bcache: 'a bcache device',
  ceph_bluestore: 'a Ceph OSD (ceph_bluestore)',
};

/** What uses the device, one phrase each ("sdb1 is mounted on /srv"); [] = free. */
export function inUseFindings(dev: BlockDevice): string[] {
  const out: string[] = [];
  const visit = (d: BlockDevice, top: boolean) => {
    for (const m of d.mountpoints) out.push(m === '[SWAP]' ? `${d.name} is in use as swap` : `${d.name} is mounted on ${m}`);
    if (d.fstype && !(d.fstype === 'swap' && d.mountpoints.includes('[SWAP]'))) out.push(`${d.name} holds ${SIGNATURES[d.fstype] ?? `a ${d.fstype} filesystem`}`);
    if (top) {
      const parts = d.children.filter((c) => c.type === 'part');
      const holders = d.children.filter((c) => c.type !== 'part');
      if (parts.length) out.push(`${d.name} has partitions (${parts.map((c) => c.name).join(', ')})`);
      if (holders.length) out.push(`${d.name} is held by ${holders.map((c) => `${c.name} (${c.type})`).join(', ')}`);
    } else if (d.children.length) {
      out.push(`${d.name} is held by ${d.children.map((c) => `${c.name} (${c.type})`).join(', ')}`);
    }
    for (const c of d.children) visit(c, false);
  };
  visit(dev, true);
  return out;
}

export type InUseVerdict =
  | { ok: true; danger: string | null }
  | { ok: false; error: string };

/**
 * The rule: a device in use (or one that could not be checked) is refused unless `confirmInUse`
 * is exactly its path; confirmed, it is a danger of the plan. `field` names the LUN in messages.
 */
export function inUseVerdict(path: string, findings: string[] | { unchecked: string }, confirmInUse: string | undefined, field: string, server: string): InUseVerdict {
  const found = Array.isArray(findings) ? findings : [`it could not be checked (${findings.unchecked})`];
  if (!found.length) return { ok: true, danger: null };
  const what = found.join('; ');
  if (confirmInUse !== path) {
    return { ok: false, error: `${field}: ${what} on ${server}; exporting it read-write would corrupt it under its user. Type ${path} in "Confirm the device in use" (confirmInUse) to export it anyway.` };
  }
  return { ok: true, danger: `${path} on ${server} is in use (${what}) and is exported anyway, as you confirmed: initiators writing to it corrupt what uses it now.` };
}
